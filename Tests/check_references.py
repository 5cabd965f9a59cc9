#!/usr/bin/env python3
"""Every reference in the package must point at something a reader of the repository can open.

Usage: check_references.py            (run from anywhere inside the git work tree; `make check-references`)

Two checks:
  1. No file cites notes that are not part of the repository: the names below (a `.md` file of
     one of those four names) or a path into the notes' folder beside the repository.
  2. Every repository path named in a comment or a document — a token starting with Sources/,
     Tests/, Reproduce/ or Paper/ that ends in a file extension or in `/` — exists. Globs
     (`Reproduce/*.mk`) must match at least one file. Scanned: comments of Swift, Python, shell,
     make and gnuplot files; the whole text of Markdown, DocC and LaTeX files. Skipped: placeholders
     in capitals (`Reproduce/figures/NAME.gp`) and paths git ignores (build outputs such as
     Paper/build/paper.pdf, made by `make paper`).
Prints each problem as FILE:LINE: message, then 'references: N checked, M missing'; exits 1 if
there is any problem.
"""
import glob
import os
import re
import subprocess
import sys

SELF = "Tests/check_references.py"
# Split so that this file does not match its own pattern in a plain grep.
NOTES = "|".join(["PHY" + "SICS", "ST" + "UDY", "DE" + "SIGN", "ST" + "YLE"])
EXTERNAL = r"\b(" + NOTES + r")\.md\b|\.\./" + "sha" + "red"

PATH = re.compile(r"(?<![\w./-])((?:Sources|Tests|Reproduce|Paper)/[\w./*+-]*)")
HAS_EXT = re.compile(r"\.[A-Za-z0-9]+$")
PLACEHOLDER = re.compile(r"(?<=/)[A-Z][A-Z0-9_]*(?=[./]|$)")      # NAME in Reproduce/figures/NAME.gp

# Which part of a line is prose: the comment, for code; the whole line, for documents.
COMMENT = {
    ".swift": re.compile(r"//(.*)"), ".h": re.compile(r"//(.*)"), ".c": re.compile(r"//(.*)"),
    ".py": re.compile(r"#(.*)"), ".sh": re.compile(r"#(.*)"), ".mk": re.compile(r"#(.*)"),
    ".gp": re.compile(r"#(.*)"), ".gnuplot": re.compile(r"#(.*)"), ".awk": re.compile(r"#(.*)"),
    "Makefile": re.compile(r"#(.*)"),
}
WHOLE = {".md", ".tex", ".txt"}


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def exists_(token):
    """The path exists; a glob matches at least one path."""
    return bool(glob.glob(token)) if any(c in token for c in "*?[") else os.path.exists(token)


def placeholder_matches(token):
    """`Reproduce/figures/NAME.gp`: a capitalised placeholder stands for any name, so the path with
    it replaced by `*` must match something."""
    pattern = PLACEHOLDER.sub("*", token)
    return pattern != token and bool(glob.glob(pattern))


def ignored(token):
    """A path git ignores is a build output: it need not exist before the build."""
    return git("check-ignore", "-q", "--no-index", token.rstrip("/") + ("/x" if token.endswith("/") else "")).returncode == 0


def prose(path, lines):
    """(line number, text) of the comment or document text of each line."""
    name = os.path.basename(path)
    ext = os.path.splitext(name)[1]
    rule = COMMENT.get(name) or COMMENT.get(ext)
    in_docstring = False
    for n, line in enumerate(lines, 1):
        if ext in WHOLE:
            yield n, line
            continue
        if ext == ".py" and (in_docstring or '"""' in line):
            yield n, line                      # docstrings are prose too
            if line.count('"""') % 2 == 1:
                in_docstring = not in_docstring
            continue
        if rule:
            m = rule.search(line)
            if m:
                yield n, m.group(1)


def main():
    root = git("rev-parse", "--show-toplevel").stdout.strip()
    if not root:
        print("check_references: not inside a git work tree", file=sys.stderr)
        return 2
    os.chdir(root)
    problems = []

    # 1. Citations of notes outside the repository.
    hits = git("grep", "-nE", EXTERNAL, "--", ".", ":!" + SELF).stdout.splitlines()
    for h in hits:
        where, line, text = (h.split(":", 2) + ["", ""])[:3]
        problems.append(f"{where}:{line}: cites notes outside the repository: {text.strip()}")

    # 2. Repository paths named in comments and documents.
    checked = missing = 0
    files = git("ls-files").stdout.splitlines()
    for path in files:
        if path == SELF or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (UnicodeDecodeError, OSError):
            continue          # binary files (thumbnails, HDF5 samples)
        for n, text in prose(path, lines):
            text = text.replace("\\_", "_")          # LaTeX-escaped underscores
            for token in PATH.findall(text):
                token = token.rstrip(".,;:)")
                if not (token.endswith("/") or HAS_EXT.search(token)):
                    continue
                checked += 1
                if exists_(token) or ignored(token) or placeholder_matches(token):
                    continue
                missing += 1
                problems.append(f"{path}:{n}: names {token}, which does not exist")

    for p in problems:
        print(p)
    print(f"references: {checked} checked, {missing} missing"
          + (f", {len(hits)} citations of notes outside the repository" if hits else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
