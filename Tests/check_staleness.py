#!/usr/bin/env python3
"""The pipeline reruns what a change affects, and nothing else (make check-staleness).

Usage: check_staleness.py [OUT]   (default out/quick: a finished `make results PROFILE=quick`,
                                   e.g. the one `make check-goldens` has just made)

Only dry runs (`make -n`, which writes no recipe stamp): nothing is computed, about a second.
Each case lists the outputs (`-o …`) of the tool commands make would run, compared with the set
this script expects from the study's data flow (written here independently of the Makefile):
  (i)   nothing changed, or only THREADS      → nothing runs (and THREADS reaches every
                                               training and prediction);
  (ii)  a rebuilt tool (make -W calobnn)     → every step runs;
  (iii) one seed, profile value, TRAIN_FLAGS or TUNING_SET on the command line (as if edited in
        Reproduce/seeds.mk or the profile) → exactly the steps whose command it enters, and
        everything downstream of them;
and the printed commands of a TRAIN_FLAGS run with parentheses are valid shell. Also: `make help`
and `make check-references` read no class list (they work with no tool and write nothing), and a
dry run writes no stamp.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROFILE = "quick"
CALOBNN = ".build/release/calobnn"


def make(*args, out, check=True):
    cmd = ["make", "--no-print-directory", *args, f"PROFILE={PROFILE}", f"OUT={out}"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"check-staleness: {' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return p


def steps(out, *args):
    """Outputs (relative to out) of the tool commands `make -n results` would run."""
    text = make("-n", "results", *args, out=out).stdout
    got = set()
    for line in text.splitlines():
        if CALOBNN + " " not in line:
            continue
        m = re.search(r"\s-o\s+(\S+)", line)
        if not m:
            sys.exit(f"check-staleness: a tool command without -o: {line}")
        got.add(os.path.relpath(m.group(1), out))
    return got, text


def snapshot(root):
    state = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                state[p] = (os.stat(p).st_mtime_ns, f.read())
    return state


def main(out):
    failures = []

    def expect(label, got, want):
        if got == want:
            print(f"check-staleness: {label}: {len(got)} step(s) rerun, as expected")
        else:
            failures.append(label)
            print(f"check-staleness: {label}: FAILED")
            for o in sorted(got - want):
                print(f"    reruns but should not: {o}")
            for o in sorted(want - got):
                print(f"    should rerun but does not: {o}")

    if make("-q", "results", out=out, check=False).returncode != 0:
        sys.exit(f"check-staleness: {out} is not an up-to-date 'make results PROFILE={PROFILE}' (make check-goldens makes one)")
    state = os.path.join(out, ".make")
    before = snapshot(state)

    # Every step, from a dry run into an empty folder.
    with tempfile.TemporaryDirectory() as tmp:
        every, _ = steps(os.path.join(tmp, "out"))
    kinds = {
        "simulate": {o for o in every if o.startswith("data/")},
        "train": {o for o in every if o.startswith("models/")},
        "predict": {o for o in every if o.startswith("pred/")},
        "evaluate": {o for o in every if o.startswith("results/")},
    }
    if not all(kinds.values()) or sum(map(len, kinds.values())) != len(every):
        sys.exit(f"check-staleness: unexpected steps of an empty run: {sorted(every)}")
    pred_test = {o for o in kinds["predict"] if not o.startswith("pred/geant4_")}
    pred_g4 = kinds["predict"] - pred_test
    loo = {o for o in every if os.path.basename(o).startswith("loo_")}
    # The candidate tunings' validations, one per Reproduce/tunings/<name>.set.
    tunings = {f"results/validation-tunings/{n[:-4]}" for n in os.listdir("Reproduce/tunings") if n.endswith(".set")}
    # The step-size study: each model's fine-step samples (seed SEED_STEPS), then the models at
    # their own steps against them (seed SEED_VALIDATION); its tuning files are named in the rules.
    step_fine = {o for o in every if re.fullmatch(r"results/validation-steps/\w+-fine/validation", o)}
    step_compare = {o for o in every if re.fullmatch(r"results/validation-steps/\w+", o)}
    if len(step_fine) != 2 or len(step_compare) != 3:
        sys.exit(f"check-staleness: unexpected step-size study steps: {sorted(step_fine | step_compare)}")
    downstream_of_models = kinds["predict"] | {"results/classification", "results/geant4", "results/anomaly", "results/beyond"}
    # The dedicated detectors (calobnn detect) score with the mean weights: no prediction seed.
    # Seed r of a network (SEEDS in the profile) is its file with the suffix _s<r>.
    detectors = {o for o in kinds["predict"] if re.search(r"_(energy|mahalanobis|autoencoder|autoencoder-normalised)(_s\d+)?\.h5$", o)}
    # The autoencoders train with their own seed (SEED_AUTOENCODER) and epochs (AE_EPOCHS).
    autoencoders = {o for o in detectors if re.search(r"_autoencoder(-normalised)?(_s\d+)?\.h5$", o)}
    id_bnn = {o for o in every if re.fullmatch(r"(models|pred)/all_bnn(_s\d+)?\.h5", o)}
    id_det = {o for o in every if re.fullmatch(r"(models|pred)/all_det(_s\d+)?\.h5", o)}
    bnn_predictions = {o for o in kinds["predict"] if re.search(r"_bnn(_s\d+)?\.h5$", o)}
    print(f"check-staleness: {len(every)} steps in all ({', '.join(f'{len(v)} {k}' for k, v in kinds.items())})")

    got, _ = steps(out)
    expect("(i) nothing changed", got, set())
    got, _ = steps(out, f"-W{CALOBNN}")
    expect("(ii) the tool rebuilt", got, every)
    # The thread count is passed to every training and prediction but enters no stamp.
    got, _ = steps(out, "THREADS=1")
    expect("(i) THREADS=1 (no output depends on it)", got, set())
    with tempfile.TemporaryDirectory() as tmp:
        _, text = steps(os.path.join(tmp, "out"), "THREADS=1")
    heavy = [l for l in text.splitlines() if re.search(re.escape(CALOBNN) + r" (train|predict) ", l)]
    if not heavy or any("--threads=1" not in l for l in heavy):
        failures.append("THREADS=1 passed on")
        print(f"check-staleness: THREADS=1 is not passed to every train/predict command: FAILED")
    else:
        print(f"check-staleness: THREADS=1 passed to all {len(heavy)} train and predict commands, as expected")

    seeds = {}
    with open("Reproduce/seeds.mk") as f:
        for line in f:
            m = re.match(r"(SEED_\w+)\s*=\s*(\d+)", line)
            if m:
                seeds[m.group(1)] = int(m.group(2))
    cases = {
        "SEED_TRAIN_DATA": {"data/train.h5"} | kinds["train"] | downstream_of_models,
        "SEED_VAL_DATA": {"data/val.h5"} | kinds["train"] | downstream_of_models,
        "SEED_TEST_DATA": {"data/test.h5", "results/images", "results/classification", "results/geant4",
                           "results/anomaly", "results/beyond"} | pred_test,
        "SEED_ID_BNN": id_bnn | {"pred/geant4_bnn.h5", "results/classification", "results/geant4"},
        "SEED_ID_DET": id_det | {"pred/geant4_det.h5", "results/classification", "results/geant4"},
        "SEED_LOO": loo | {"results/anomaly", "results/beyond"},
        "SEED_PREDICT": downstream_of_models - detectors,
        "SEED_BOOTSTRAP": {"results/anomaly", "results/beyond"},
        "SEED_AUTOENCODER": autoencoders | {"results/anomaly"},
        "SEED_VALIDATION": {"results/validation", "results/geant4"} | pred_g4 | tunings | step_compare,
        "SEED_STEPS": step_fine | step_compare,
        "SEED_BENCH": set(),   # make bench only: no step of the pipeline may rerun
    }
    missing = sorted(set(seeds) - set(cases) - {"SEED_CHECK_H5PY"})
    if missing:
        failures.append("seeds")
        print(f"check-staleness: seeds in Reproduce/seeds.mk without a case here: {missing}")
    for name, want in cases.items():
        got, _ = steps(out, f"{name}={seeds[name] + 1}")
        expect(f"(iii) {name} {seeds[name]} → {seeds[name] + 1}", got, want)
    got, _ = steps(out, "BOOTSTRAP=7")
    expect("(iii) profile value BOOTSTRAP", got, {"results/anomaly", "results/beyond"})
    got, _ = steps(out, "AE_EPOCHS=3")
    expect("(iii) profile value AE_EPOCHS", got, autoencoders | {"results/anomaly"})
    got, _ = steps(out, "MC_SAMPLES=3")
    expect("(iii) profile value MC_SAMPLES", got,
           bnn_predictions | {"results/classification", "results/geant4", "results/anomaly", "results/beyond"})
    got, _ = steps(out, "LR_SCHEDULE=cosine")
    expect("(iii) profile value LR_SCHEDULE", got, kinds["train"] | downstream_of_models)
    # A candidate tuning for the study's events: every step but the candidates' own validations
    # and the step-size study (both name their tuning files).
    got, _ = steps(out, "TUNING_SET=Reproduce/tunings/far.set")
    expect("(iii) TUNING_SET=Reproduce/tunings/far.set", got, every - tunings - step_fine - step_compare)
    got, text = steps(out, "TRAIN_FLAGS=--prior normal(0.5) --learning-rate 0.001")
    expect("(iii) TRAIN_FLAGS='--prior normal(0.5) …'", got, kinds["train"] | downstream_of_models)
    shell = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
    trains = [l for l in text.splitlines() if CALOBNN + " train " in l]
    if shell.returncode != 0 or not trains or not all("'normal(0.5)'" in l for l in trains):
        failures.append("quoting")
        print(f"check-staleness: TRAIN_FLAGS with parentheses: not valid shell or not quoted: {shell.stderr.strip()}")
    else:
        print(f"check-staleness: TRAIN_FLAGS with parentheses: valid shell, '--prior' 'normal(0.5)' in all {len(trains)} trainings")

    # Dry runs wrote no stamp.
    if snapshot(state) != before:
        failures.append("dry runs wrote")
        print(f"check-staleness: a dry run changed {state}")

    # Goals that run no pipeline step need no tool and write nothing under OUT.
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "out")
        for goal in ("help", "check-references"):
            p = subprocess.run(["make", "--no-print-directory", goal, f"OUT={fresh}", f"CALOBNN={tmp}/no/calobnn"],
                               capture_output=True, text=True)
            # check-references's own verdict is not judged here: only that it ran without the tool.
            alone = 0 if goal == "help" else subprocess.run([sys.executable, "Tests/check_references.py"],
                                                            capture_output=True).returncode
            tool = [l for l in (p.stdout + p.stderr).splitlines() if f"{tmp}/no/calobnn" in l or "swift build" in l]
            if p.returncode not in (alone, 2 if alone else 0) or os.path.exists(fresh) or tool:
                failures.append(goal)
                print(f"check-staleness: make {goal} without a tool: exit {p.returncode}, "
                      f"{'wrote' if os.path.exists(fresh) else 'wrote nothing in'} {fresh}: {tool[:3]} {p.stderr.strip()[-300:]}")
            else:
                print(f"check-staleness: make {goal} needs no tool and writes nothing")
        shutil.rmtree(fresh, ignore_errors=True)

    print(f"check-staleness: {'all cases hold' if not failures else str(len(failures)) + ' failed: ' + ', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out/quick"))
