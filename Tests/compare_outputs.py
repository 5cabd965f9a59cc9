#!/usr/bin/env python3
"""Compare two runs of the same pipeline file by file (make check-portable, check-portable-all,
check-slurm).

Usage: compare_outputs.py [--subset] REFERENCE_DIR OTHER_DIR

Every file must exist in both trees and be equal (with --subset: every file of OTHER_DIR, a run of
some of the pipeline's steps, must exist in REFERENCE_DIR and be equal, and each of the folders
data, models, pred and results must hold at least one of them):
  *.h5           every dataset bit for bit (dtype, shape, bytes) and every attribute equal, except
                 wall-time attributes (names `seconds` or ending in `_seconds`); file-name attributes
                 (names ending in `_file`) are compared with OTHER_DIR's path replaced by REFERENCE_DIR's;
  cost.*         skipped (they tabulate wall times);
  numbers.tex    byte for byte after dropping the wall-time macros (names containing `Seconds`);
  *.log          skipped (progress output, timings);
  .make/         skipped (make's bookkeeping: recipe stamps naming the run's own folder, the class list);
  anything else  byte for byte.
Prints one line per difference and a summary line 'N passed, M failed'; exits 1 on any difference.
"""
import os
import re
import sys

import h5py
import numpy as np

WALL_TIME_ATTR = re.compile(r"(^|_)seconds$")
WALL_TIME_MACRO = re.compile(r"Seconds")


def files(root):
    out = set()
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if not (d == root and x == ".make")]
        for n in names:
            if not n.endswith(".log"):  # logs (progress, timings, job logs) are not outputs
                out.add(os.path.relpath(os.path.join(d, n), root))
    return out


ROOTS = ("", "")  # (reference root, other root), set in main


def attrs(obj):
    out = {}
    for k, v in obj.attrs.items():
        if WALL_TIME_ATTR.search(k):
            continue
        if k.endswith("_file"):
            v = (v.decode() if isinstance(v, bytes) else str(v)).replace(ROOTS[1], ROOTS[0])
        out[k] = v
    return out


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def compare_h5(p, q):
    problems = []
    with h5py.File(p, "r") as f, h5py.File(q, "r") as g:
        fa, ga = attrs(f), attrs(g)
        if fa.keys() != ga.keys():
            problems.append(f"attribute names differ: {sorted(fa.keys() ^ ga.keys())}")
        problems += [f"attribute {k} differs" for k in sorted(fa.keys() & ga.keys()) if not same_value(fa[k], ga[k])]
        names_f, names_g = [], []
        f.visit(names_f.append)
        g.visit(names_g.append)
        if sorted(names_f) != sorted(names_g):
            problems.append(f"datasets differ: {sorted(set(names_f) ^ set(names_g))}")
        for name in sorted(set(names_f) & set(names_g)):
            a, b = f[name], g[name]
            if isinstance(a, h5py.Dataset) and not same_value(a[()], b[()]):
                diff = np.count_nonzero(np.asarray(a[()]) != np.asarray(b[()])) if a.shape == b.shape else "shape"
                problems.append(f"dataset {name} differs ({diff} values)")
            if not all(same_value(x, y) for x, y in zip(attrs(a).values(), attrs(b).values())) or attrs(a).keys() != attrs(b).keys():
                problems.append(f"attributes of {name} differ")
    return problems


def strip_wall_time(text):
    return b"\n".join(l for l in text.split(b"\n") if not WALL_TIME_MACRO.search(l.decode("utf-8", "replace")))


SUBSET_FOLDERS = ("data", "models", "pred", "results")


def main(ref, other, subset=False):
    global ROOTS
    ROOTS = (os.path.normpath(ref), os.path.normpath(other))
    a, b = files(ref), files(other)
    failed = [] if subset else [f"{n}: only in {ref}" for n in sorted(a - b)]
    failed += [f"{n}: only in {other}" for n in sorted(b - a)]
    if subset:
        made = {n.split(os.sep)[0] for n in b}
        failed += [f"{d}/: no file of it in {other}" for d in SUBSET_FOLDERS if d not in made]
    passed = 0
    for n in sorted(a & b):
        base = os.path.basename(n)
        if base.startswith("cost.") or n.endswith(".log"):
            continue
        p, q = os.path.join(ref, n), os.path.join(other, n)
        if n.endswith(".h5"):
            problems = compare_h5(p, q)
        else:
            x, y = open(p, "rb").read(), open(q, "rb").read()
            if base == "numbers.tex":
                x, y = strip_wall_time(x), strip_wall_time(y)
            problems = [] if x == y else ["contents differ"]
        if problems:
            failed += [f"{n}: {m}" for m in problems]
        else:
            passed += 1
    for f in failed:
        print("portability:", f)
    scope = f" (the {len(b)} files of {other}; {ref} has {len(a)})" if subset else ""
    print(f"portable outputs: {passed} passed, {len(failed)} failed{scope}")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    subset = "--subset" in args
    args = [x for x in args if x != "--subset"]
    if len(args) != 2:
        sys.exit("usage: compare_outputs.py [--subset] REFERENCE_DIR OTHER_DIR")
    sys.exit(main(args[0], args[1], subset))
