#!/usr/bin/env python3
"""Every character the Paper typesets must be one pdfLaTeX can set.

Usage: check_paper_text.py RESULTS_DIR     (`make check-paper-text`, after `make check-goldens`)

The Paper is built with pdfLaTeX and `inputenc` utf8, which stops with "Unicode character …
not set up for use with LaTeX" on a character it has no definition for. The tables and macros
are generated, so a new label (say a parameter's Greek symbol) can bring such a character in
long after the Paper's text was checked — and only `make paper`, which `make test` does not run,
would notice. This check reads every .tex file under RESULTS_DIR (the quick profile's generated
tables and macros) and the Paper's own sources, and allows in them ASCII, the characters
Paper/paper.tex declares with \\DeclareUnicodeCharacter, and the few that LaTeX's utf8 defines
itself and the Paper uses (dashes, quotes, ellipsis); in the generated files also no ^ outside
math. Prints FILE:LINE: the problem; exits 1 on any.
"""
import glob
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Defined by LaTeX's utf8 input encoding (utf8enc.dfu / the kernel's text commands).
BUILT_IN = set("—–‘’“”…")
COMMENT = re.compile(r"(?<!\\)%.*")  # a TeX comment: from an unescaped % to the end of the line
MATH = re.compile(r"\$[^$]*\$")     # inline math


def main() -> int:
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: check_paper_text.py RESULTS_DIR (a directory of generated results)", file=sys.stderr)
        return 2
    with open(os.path.join(ROOT, "Paper", "paper.tex"), encoding="utf-8") as f:
        declared = {chr(int(h, 16)) for h in re.findall(r"\\DeclareUnicodeCharacter\{([0-9A-Fa-f]+)\}", f.read())}
    allowed = declared | BUILT_IN
    files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.tex"), recursive=True))
    files += sorted(glob.glob(os.path.join(ROOT, "Paper", "*.tex")) + glob.glob(os.path.join(ROOT, "Paper", "sections", "*.tex")))
    problems = 0
    generated = os.path.abspath(sys.argv[1])
    for path in files:
        is_generated = os.path.abspath(path).startswith(generated)
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                text = COMMENT.sub("", line)
                # A generated table or macro has no TeX of its own outside math but escapes: a bare
                # ^ there is a label's text (pdfLaTeX: "Missing $ inserted").
                if is_generated and "^" in MATH.sub("", text.replace("\\^", "")):
                    print(f"{os.path.relpath(path)}:{number}: ^ outside math (escape it as \\textasciicircum{{}} or write math)")
                    problems += 1
                for ch in sorted(set(text)):
                    if ord(ch) > 127 and ch not in allowed:
                        print(f"{os.path.relpath(path)}:{number}: {ch} (U+{ord(ch):04X} {unicodedata.name(ch, '?')}) "
                              "is not set up for pdfLaTeX (declare it in Paper/paper.tex or write it as math)")
                        problems += 1
    print(f"paper text: {len(files)} files checked, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
