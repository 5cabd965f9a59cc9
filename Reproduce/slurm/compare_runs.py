#!/usr/bin/env python3
"""Compare two output folders of the same profile (e.g. a local run and a Slurm run) byte for byte.

    python3 Reproduce/slurm/compare_runs.py REFERENCE OTHER

Every file under data/, models/, pred/ and results/ must exist in both. A file passes if its
bytes are identical. An HDF5 file whose bytes differ passes only if every group, dataset (dtype,
shape and raw bytes) and attribute is identical except for:
  - the wall-time attributes `train_seconds` (models) and `seconds` (predictions), and
  - the paths `model_file` and `data_file` (predictions), compared after removing the run's folder.
A text file whose bytes differ passes only if it is a wall-time table (results/*/cost.*) or if it
differs only in \\newcommand lines of wall-time macros (names containing "Seconds").
Prints one line per kind of file and a summary line; exit status 1 on any other difference.
"""
import os
import re
import sys

import h5py
import numpy as np

WALL_TIME_ATTRIBUTES = {"train_seconds", "seconds"}
PATH_ATTRIBUTES = {"model_file", "data_file"}
FOLDERS = ("data", "models", "pred", "results")


def files(root):
    out = set()
    for folder in FOLDERS:
        for base, _, names in os.walk(os.path.join(root, folder)):
            for name in names:
                if name.endswith((".ckpt", ".tmp")):
                    continue  # a resumable checkpoint or a temporary: not a result
                out.add(os.path.relpath(os.path.join(base, name), root))
    return out


def attribute_value(value, root):
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        return value.replace(root.rstrip("/") + "/", "<run>/")
    return np.asarray(value).tobytes() + str(np.asarray(value).dtype).encode()


def compare_hdf5(a_path, b_path, a_root, b_root):
    """Differences other than the allowed ones (list of strings) and the allowed ones seen."""
    bad, allowed = [], []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        def walk(name, ga, gb):
            for key in sorted(set(ga.attrs) | set(gb.attrs)):
                if key not in ga.attrs or key not in gb.attrs:
                    bad.append(f"{name} attribute {key} present in one file only")
                    continue
                va, vb = ga.attrs[key], gb.attrs[key]
                if key in WALL_TIME_ATTRIBUTES:
                    if np.asarray(va).tobytes() != np.asarray(vb).tobytes():
                        allowed.append(f"{key} {float(va):.2f} s vs {float(vb):.2f} s")
                    continue
                root_a, root_b = (a_root, b_root) if key in PATH_ATTRIBUTES else ("\0", "\0")
                na, nb = attribute_value(va, root_a), attribute_value(vb, root_b)
                if na != nb:
                    shown = (na, nb) if key in PATH_ATTRIBUTES else (va, vb)
                    bad.append(f"{name} attribute {key}: {shown[0]!r} vs {shown[1]!r}")
            if isinstance(ga, h5py.Dataset) or isinstance(gb, h5py.Dataset):
                if not (isinstance(ga, h5py.Dataset) and isinstance(gb, h5py.Dataset)):
                    bad.append(f"{name}: dataset in one file only")
                elif ga.dtype != gb.dtype or ga.shape != gb.shape:
                    bad.append(f"{name}: {ga.dtype}{ga.shape} vs {gb.dtype}{gb.shape}")
                elif np.asarray(ga[()]).tobytes() != np.asarray(gb[()]).tobytes():
                    bad.append(f"{name}: values differ")
                return
            for key in sorted(set(ga) | set(gb)):
                if key not in ga or key not in gb:
                    bad.append(f"{name}/{key} present in one file only")
                else:
                    walk(f"{name}/{key}".replace("//", "/"), ga[key], gb[key])
        walk("/", a, b)
    return bad, allowed


SECONDS_MACRO = re.compile(r"^\\newcommand\{\\\w*Seconds\w*\}")


def compare_text(rel, a_path, b_path):
    if re.match(r"results/[^/]+/cost\.\w+$", rel):
        return [], ["wall-time table"]
    with open(a_path, "rb") as fa, open(b_path, "rb") as fb:
        la, lb = fa.read().decode(errors="replace").splitlines(), fb.read().decode(errors="replace").splitlines()
    keep = lambda lines: [l for l in lines if not SECONDS_MACRO.match(l)]
    if keep(la) == keep(lb):
        return [], ["wall-time macros"]
    return [f"{rel}: contents differ"], []


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_runs.py REFERENCE OTHER")
    ref, other = sys.argv[1], sys.argv[2]
    fa, fb = files(ref), files(other)
    if not fa:
        sys.exit(f"compare_runs: {ref} holds no results")
    bad = [f"{p}: only in {ref}" for p in sorted(fa - fb)] + [f"{p}: only in {other}" for p in sorted(fb - fa)]
    tally = {}  # (top folder, verdict) -> count
    examples = {}
    for rel in sorted(fa & fb):
        a, b = os.path.join(ref, rel), os.path.join(other, rel)
        with open(a, "rb") as x, open(b, "rb") as y:
            same = x.read() == y.read()
        if same:
            verdict, note = "identical bytes", None
        else:
            if rel.endswith(".h5"):
                diffs, allowed = compare_hdf5(a, b, ref, other)
            else:
                diffs, allowed = compare_text(rel, a, b)
            if diffs:
                bad += [f"{rel}: {d}" for d in diffs]
                continue
            verdict = "identical except wall time" + (" and run folder" if rel.startswith("pred/") else "")
            note = f"{rel}: {', '.join(allowed[:2])}"
        key = (rel.split("/")[0], verdict)
        tally[key] = tally.get(key, 0) + 1
        if note and key not in examples:
            examples[key] = note
    for (folder, verdict), n in sorted(tally.items()):
        example = f"   (e.g. {examples[(folder, verdict)]})" if (folder, verdict) in examples else ""
        print(f"compare: {folder + '/':9s} {n:4d} files {verdict}{example}")
    for line in bad:
        print(f"compare: DIFFERENT {line}")
    n = len(fa | fb)
    print(f"compare: {ref} vs {other}: {n - len(bad)} of {n} files agree; overall okay: {int(not bad)}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
