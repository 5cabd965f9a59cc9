#!/usr/bin/env bash
# The fixed training workload of the speed target (README, "Performance"): the default profile's data
# and networks at the settings it had when the target was set — one seed, 60 epochs, patience 5,
# constant learning rate 10⁻³ — that is the BNN and its deterministic twin on all classes and, for
# each of the ten removed classes, a BNN, a twin and five ensemble members (72 trainings), and the
# 72 predictions on the test set. Run as `make reproduce` runs it on two cores: make -j2, one
# thread per training (THREADS=1). The datasets are simulated first and not timed.
#
# usage: Reproduce/bench-workload.sh OUT   (OUT is emptied first; 18–27 minutes on 2 cores, by machine)
# Prints the machine (CPU model and family/model numbers: the figures depend on the core's
# generation), the wall time, the CPU time and where it went (from the models' and predictions' own
# timing attributes), with the seconds per epoch of each kind of training, so that runs on
# different machines or datasets can be compared epoch for epoch; keeps the make log in OUT.log.
set -euo pipefail
out=${1:?usage: bench-workload.sh OUT}
case "$out" in ""|/|.|..) echo "bench-workload: refusing to empty '$out'" >&2; exit 2 ;; esac
rm -rf "$out"; mkdir -p "$out"
vars=(PROFILE=default SEEDS=1 EPOCHS=60 PATIENCE=5 LEARNING_RATE=1e-3 LR_SCHEDULE=constant
      WARMUP_EPOCHS=0 RHO_LR_FACTOR=1 THREADS=1 "OUT=$out")
echo "bench-workload: simulating the datasets (not timed; log: $out.log)"
make --no-print-directory -j2 "$out/data/train.h5" "$out/data/val.h5" "$out/data/test.h5" "${vars[@]}" > "$out.log" 2>&1
mapfile -t predictions < <(make -n -j2 classification anomaly "${vars[@]}" 2>/dev/null | grep ' predict ' | sed 's/.* -o //')
[ "${#predictions[@]}" -eq 72 ] || { echo "bench-workload: expected 72 predictions, found ${#predictions[@]}" >&2; exit 1; }
echo "bench-workload: 72 trainings and 72 predictions, make -j2, THREADS=1 …"
TIMEFORMAT='%R %U %S'
times=$( { time make --no-print-directory -j2 "${predictions[@]}" "${vars[@]}" >> "$out.log" 2>&1 ; } 2>&1 )
python3 - "$out" $times <<'PY'
import glob, os, sys
import h5py
out, wall, user, system = sys.argv[1], *map(float, sys.argv[2:5])
parts = {}
for path in sorted(glob.glob(os.path.join(out, "models", "*.h5"))):
    with h5py.File(path, "r") as f:
        kind = "BNN trainings" if f.attrs["model"] == "bnn" else "deterministic trainings"
        n, epochs, seconds = parts.get(kind, (0, 0, 0.0))
        parts[kind] = (n + 1, epochs + int(f.attrs["epochs_completed"]), seconds + float(f.attrs["train_seconds"]))
for path in sorted(glob.glob(os.path.join(out, "pred", "*.h5"))):
    with h5py.File(path, "r") as f:
        kind = "BNN predictions" if f.attrs["model"] == "bnn" else "deterministic predictions"
        n, images, seconds = parts.get(kind, (0, 0, 0.0))
        parts[kind] = (n + 1, images + int(f.attrs["data_events"]) * int(f.attrs["samples"]), seconds + float(f.attrs["seconds"]))
cpu = user + system
def cpuinfo(key):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.split(":")[0].strip() == key:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"
print(f"bench-workload: machine: {cpuinfo('model name')} (family {cpuinfo('cpu family')}, model {cpuinfo('model')}, "
      f"{cpuinfo('cpu MHz')} MHz), {os.cpu_count()} logical CPUs")
print(f"bench-workload: {wall:.0f} s wall ({wall / 60:.2f} min), {cpu:.0f} s CPU ({user:.0f} user + {system:.0f} system), "
      f"CPU/wall {cpu / wall:.2f}")
accounted = 0.0
for kind in ("BNN trainings", "deterministic trainings", "BNN predictions", "deterministic predictions"):
    if kind not in parts: continue
    n, count, seconds = parts[kind]
    accounted += seconds
    if "training" in kind:
        what, rate = f"{count} epochs", f"{seconds / count:6.3f} s per epoch"
    else:
        what, rate = f"{count} image-samples", f"{seconds / count * 1e6:6.2f} s per 10^6"
    print(f"  {kind:26s} {n:3d} runs, {what:22s} {seconds:7.1f} s ({100 * seconds / cpu:4.1f} % of the CPU time; {rate})")
print(f"  {'the rest':26s} {'':32s} {cpu - accounted:7.1f} s ({100 * (cpu - accounted) / cpu:4.1f} %): start-up "
      "(reading, preprocessing and hashing the datasets), writing the files, make")
PY
