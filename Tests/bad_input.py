#!/usr/bin/env python3
"""Bad-input and fault suite of `calobnn` (run by `make test`, target check-bad-input).

Usage: python3 Tests/bad_input.py PATH/TO/calobnn

Every case runs the built tool on input this script makes itself (in a fresh temporary folder:
truncated, garbage, wrong shapes, non-finite values, mismatched files, impossible sizes, a device
node made with mknod, a tiny full tmpfs where one can be mounted) and asserts that

  * the exit status is non-zero and not a signal (no crash),
  * stderr is exactly one line "Error: ..." that names the problem (the case's expected words),
  * no backtrace is printed,
  * nothing changed in the output location or among the inputs (names, sizes, contents),
    in particular no temporary is left behind.

Fault cases (signals, SIGKILL and resume) assert what is stated in their description. Prints one
line per case and a summary "bad-input: N passed, M failed, K skipped"; exits non-zero on failure.
"""
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

TOOL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/calobnn")
BACKTRACE_MARKERS = ("Fatal error", "Backtrac", "Program crashed", "Stack dump", "Thread 0", "Segmentation")

results = []  # (name, status, detail)


def run(args, cwd, timeout=60):
    p = subprocess.run([TOOL] + args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def snapshot(*dirs):
    """Names, types, sizes and content hashes of everything under dirs (hidden files included)."""
    snap = {}
    for d in dirs:
        for root, subdirs, files in os.walk(d):
            for name in subdirs + files:
                path = os.path.join(root, name)
                st = os.lstat(path)
                digest = ""
                if stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                snap[path] = (stat.S_IFMT(st.st_mode), st.st_size if stat.S_ISREG(st.st_mode) else 0, digest,
                              st.st_rdev if stat.S_ISCHR(st.st_mode) else 0)
    return snap


def describe_change(before, after):
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after) if before[p] != after[p])
    parts = []
    if added: parts.append("new: " + ", ".join(os.path.basename(p) for p in added))
    if removed: parts.append("gone: " + ", ".join(os.path.basename(p) for p in removed))
    if changed: parts.append("changed: " + ", ".join(os.path.basename(p) for p in changed))
    return "; ".join(parts)


def record(name, ok, detail, skipped=False):
    status = "SKIP" if skipped else ("ok" if ok else "FAIL")
    results.append((name, status, detail))
    print(f"  {status:4} {name}: {detail}", flush=True)


def expect_error(name, what, args, words, cwd, watch, setup=None, progress=False):
    """A bad-input case: `args` must fail cleanly with a one-line error containing all `words`
    (with `progress`, the tool's progress lines may precede it; the error is still one line, last)."""
    if setup:
        setup()
    before = snapshot(*watch)
    try:
        rc, out, err = run(args, cwd)
    except subprocess.TimeoutExpired:
        record(name, False, f"{what} — timed out")
        return
    after = snapshot(*watch)
    lines = [l for l in err.splitlines() if l.strip()]
    if progress and lines and sum(l.startswith("Error: ") for l in lines) == 1:
        lines = lines[-1:]
    problems = []
    if rc == 0: problems.append("exit status 0")
    if rc < 0 or rc >= 128: problems.append(f"killed by a signal / crashed (status {rc})")
    if any(m in err for m in BACKTRACE_MARKERS): problems.append("backtrace on stderr")
    if len(lines) != 1 or not lines[0].startswith("Error: "):
        problems.append(f"stderr is not one 'Error:' line: {err.strip()[:300]!r}")
    else:
        missing = [w for w in words if w.lower() not in lines[0].lower()]
        if missing: problems.append(f"message {lines[0]!r} lacks {missing}")
    change = describe_change(before, after)
    if change: problems.append("files changed — " + change)
    record(name, not problems, what + (" — " + "; ".join(problems) if problems else f" → {lines[0] if lines else ''}"))


def must(args, cwd):
    rc, out, err = run(args, cwd, timeout=120)
    if rc != 0:
        raise SystemExit(f"bad-input: setup command failed ({rc}): calobnn {' '.join(args)}\n{err}")
    return out


def dataset_identity(path):
    """The content identity calobnn records (StudyData/Identity.swift), recomputed with hashlib."""
    with h5py.File(path, "r") as f:
        n = f["label"].shape[0]
        cells = np.concatenate([f[f"layer_{l}"][...].reshape(n, -1) for l in range(3)], axis=1).astype("<f4")
        h = hashlib.sha256(b"calo-bnn-dataset-1\0")
        h.update(f["label"][...].astype("<i4").tobytes()); h.update(cells.tobytes())
        h.update(f["overflow"][...].astype("<f4").tobytes()); h.update(f["energy"][...].reshape(n).astype("<f4").tobytes())
        return h.hexdigest()


def copy_with(src, dst, edit):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)


def replace_dataset(f, name, values):
    del f[name]
    f.create_dataset(name, data=values)


def main():
    if not os.access(TOOL, os.X_OK):
        raise SystemExit(f"bad-input: {TOOL} is not an executable; run `make build` first")
    # The signal cases stand for a user pressing Ctrl-C. A process started in the background by a
    # non-interactive shell (`make test &`, a CI runner's `cmd &`) has SIGINT ignored, and the tool,
    # like any Unix program, leaves a signal it was started ignoring ignored: restore the default
    # here so that the children start as from a terminal.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    t_start = time.time()
    root = tempfile.mkdtemp(prefix="calobnn-bad-input-")
    fx = os.path.join(root, "fixtures")  # inputs: must never change
    out = os.path.join(root, "out")      # output location: holds previous outputs that must survive
    os.makedirs(fx); os.makedirs(out)
    mounted = None
    try:
        # ---- fixtures: tiny datasets, models and predictions made by the tool itself ----------
        three = "photon,pi0_gg,eta_gg"
        must(["simulate", "--class", three, "-n", "30", "--seed", "1", "-o", f"{fx}/train.h5", "--quiet"], root)
        must(["simulate", "--class", three, "-n", "10", "--seed", "2", "-o", f"{fx}/val.h5", "--quiet"], root)
        must(["simulate", "--class", three, "-n", "20", "--seed", "3", "-o", f"{fx}/test.h5", "--quiet"], root)
        must(["simulate", "--class", three, "-n", "20", "--seed", "4", "-o", f"{fx}/other.h5", "--quiet"], root)
        must(["simulate", "--class", "photon,pi0_gg", "-n", "20", "--seed", "6", "-o", f"{fx}/two.h5", "--quiet"], root)
        tr = ["--data", f"{fx}/train.h5", "--validation", f"{fx}/val.h5", "--epochs", "2", "--batch", "16", "--quiet"]
        must(["train", "--seed", "2022"] + tr + ["--model", "bnn", "-o", f"{fx}/bnn.h5"], root)
        must(["train", "--seed", "2022"] + tr + ["--model", "deterministic", "-o", f"{fx}/det.h5"], root)
        must(["predict", "--seed", "2022", "--model", f"{fx}/bnn.h5", "--data", f"{fx}/test.h5", "--samples", "5", "-o", f"{fx}/pred_bnn.h5"], root)
        must(["predict", "--seed", "2022", "--model", f"{fx}/det.h5", "--data", f"{fx}/test.h5", "--samples", "1", "-o", f"{fx}/pred_det.h5"], root)
        must(["predict", "--seed", "2022", "--model", f"{fx}/det.h5", "--data", f"{fx}/other.h5", "--samples", "1", "-o", f"{fx}/pred_det_other.h5"], root)
        # Leave-one-out (removed class photon) for `evaluate anomaly`.
        os.makedirs(f"{fx}/loo")
        for kind, tag in (("bnn", "bnn"), ("deterministic", "det")):
            must(["train", "--seed", "2022"] + tr + ["--model", kind, "--exclude-class", "photon", "-o", f"{fx}/loo_photon_{tag}_model.h5"], root)
            must(["predict", "--seed", "2022", "--model", f"{fx}/loo_photon_{tag}_model.h5", "--data", f"{fx}/test.h5",
                  "--samples", "5" if tag == "bnn" else "1", "-o", f"{fx}/loo/loo_photon_{tag}.h5"], root)

        # The same leave-one-out models on a test set with a fourth class the models never saw.
        must(["simulate", "--class", three + ",jpsi_ee", "-n", "10", "--seed", "8", "-o", f"{fx}/four.h5", "--quiet"], root)
        os.makedirs(f"{fx}/loo4")
        for tag, samples in (("bnn", "5"), ("det", "1")):
            must(["predict", "--seed", "2022", "--model", f"{fx}/loo_photon_{tag}_model.h5", "--data", f"{fx}/four.h5",
                  "--samples", samples, "-o", f"{fx}/loo4/loo_photon_{tag}.h5"], root)

        # Crafted bad inputs.
        with open(f"{fx}/garbage.h5", "wb") as f: f.write(os.urandom(4096))
        with open(f"{fx}/train.h5", "rb") as f: data = f.read()
        with open(f"{fx}/truncated.h5", "wb") as f: f.write(data[: len(data) // 2])
        open(f"{fx}/empty.h5", "wb").close()
        copy_with(f"{fx}/train.h5", f"{fx}/nan.h5", lambda f: f["layer_1"].__setitem__((3, 4, 5), np.nan))
        copy_with(f"{fx}/train.h5", f"{fx}/wrongshape.h5", lambda f: replace_dataset(f, "layer_0", np.zeros((90, 3, 95), "f4")))
        copy_with(f"{fx}/train.h5", f"{fx}/floatlabels.h5", lambda f: replace_dataset(f, "label", f["label"][...].astype("f4") + 0.7))
        copy_with(f"{fx}/train.h5", f"{fx}/badlabel.h5", lambda f: f["label"].__setitem__(5, 42))
        copy_with(f"{fx}/train.h5", f"{fx}/seedstr.h5", lambda f: f.attrs.__setitem__("seed", "one"))
        copy_with(f"{fx}/train.h5", f"{fx}/dupnames.h5", lambda f: f.attrs.__setitem__("class_names", "photon,photon,eta_gg"))

        def zero_events(f):
            for name in ("layer_0", "layer_1", "layer_2", "overflow", "energy", "label"):
                shape = (0,) + f[name].shape[1:]
                dtype = f[name].dtype
                del f[name]
                f.create_dataset(name, shape=shape, dtype=dtype)
        copy_with(f"{fx}/train.h5", f"{fx}/zero.h5", zero_events)

        def huge_declared(f):
            del f["label"]
            f.create_dataset("label", shape=(2 ** 40,), dtype="i4", chunks=(1024,))
        copy_with(f"{fx}/train.h5", f"{fx}/hugedecl.h5", huge_declared)
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_classes_neg.h5", lambda f: f.attrs.__setitem__("classes", np.int64(-3)))
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_classes_float.h5", lambda f: f.attrs.__setitem__("classes", np.float64(3.0)))
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_grids_huge.h5", lambda f: f.attrs.__setitem__("grids", "4000x4000,12x12,12x6"))
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_prior_bad.h5", lambda f: f.attrs.__setitem__("prior", "normal(abc,1)"))
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_lr_nan.h5", lambda f: f.attrs.__setitem__("learning_rate", np.float32(np.nan)))
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_best_epoch.h5", lambda f: f.attrs.__setitem__("best_epoch", np.int64(99)))

        def nan_weights(f):
            v = f["best_mu"][...]; v[7] = np.nan; f["best_mu"][...] = v
        copy_with(f"{fx}/bnn.h5", f"{fx}/model_nan.h5", nan_weights)
        copy_with(f"{fx}/pred_bnn.h5", f"{fx}/pred_mean_out.h5", lambda f: f["mean"].__setitem__((0, 0), 1.5))
        copy_with(f"{fx}/pred_bnn.h5", f"{fx}/pred_argmax_out.h5", lambda f: f["argmax"].__setitem__((0, 0), 200))
        copy_with(f"{fx}/pred_bnn.h5", f"{fx}/pred_std_neg.h5", lambda f: f["std"].__setitem__((2, 1), -0.1))
        copy_with(f"{fx}/pred_bnn.h5", f"{fx}/pred_noprov.h5", lambda f: f.attrs.__delitem__("data_identity"))
        copy_with(f"{fx}/pred_bnn.h5", f"{fx}/pred_samples.h5", lambda f: f.attrs.__setitem__("samples", np.int64(7)))
        try:  # a /dev/null twin (char 1,3), made in our own folder — never a real device
            os.mknod(f"{out}/device", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            have_device = True
        except OSError as e:
            have_device = False
            device_reason = f"skipped: mknod needs root ({e.strerror})"
        os.mkfifo(f"{out}/fifo")
        shutil.copy(f"{fx}/test.h5", f"{out}/old.h5")   # a previous output that must survive
        os.symlink(f"{out}/old.h5", f"{out}/link.h5")
        with open(f"{out}/plainfile", "w") as f: f.write("not a directory\n")
        watch = (fx, out)

        def case(name, what, args, words, setup=None, progress=False):
            expect_error(name, what, args, words, root, watch, setup, progress)

        print("bad-input: fixtures ready (%.1f s); cases:" % (time.time() - t_start), flush=True)

        # ---- provenance recorded by predict, recomputed independently -------------------------
        with h5py.File(f"{fx}/pred_bnn.h5", "r") as f:
            recorded = f.attrs["data_identity"]
        recorded = recorded.decode() if isinstance(recorded, bytes) else recorded
        record("provenance-identity", recorded == dataset_identity(f"{fx}/test.h5"),
               "predict records the test set's content SHA-256 (recomputed here with hashlib)")
        rc, _, err = run(["evaluate", "classification", "--bnn", f"{fx}/pred_bnn.h5", "--det", f"{fx}/pred_det.h5",
                          "--bnn-model", f"{fx}/bnn.h5", "--det-model", f"{fx}/det.h5", "-o", f"{root}/good_cls"], root)
        record("good-path-classification", rc == 0 and os.path.exists(f"{root}/good_cls/numbers.tex"),
               "matching BNN/deterministic predictions and models are accepted" + ("" if rc == 0 else f" — {err.strip()}"))
        rc, _, err = run(["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo", "--class", "photon", "--ensemble", "0",
                          "--bootstrap", "5", "--data", f"{fx}/test.h5", "-o", f"{root}/good_ad"], root)
        record("good-path-anomaly", rc == 0 and os.path.exists(f"{root}/good_ad/numbers.tex"),
               "leave-one-out predictions on their own --data are accepted" + ("" if rc == 0 else f" — {err.strip()}"))
        shutil.rmtree(f"{root}/good_cls", ignore_errors=True); shutil.rmtree(f"{root}/good_ad", ignore_errors=True)

        # ---- simulate: options and sizes --------------------------------------------------------
        sim = ["simulate", "--seed", "1", "--class", "photon", "--quiet"]
        case("sim-n-negative", "-n -5", sim + ["-n", "-5", "-o", f"{out}/x.h5"], ["-n", "positive", "-5"])
        # Seeds are explicit: no command that draws random numbers has a hidden default.
        case("sim-no-seed", "simulate without --seed", ["simulate", "--class", "photon", "-n", "5", "-o", f"{out}/x.h5"], ["--seed"])
        case("train-no-seed", "train without --seed", ["train", "--data", f"{fx}/train.h5", "--epochs", "1", "-o", f"{out}/m.h5"], ["--seed"])
        case("predict-no-seed", "predict without --seed", ["predict", "--model", f"{fx}/bnn.h5", "--data", f"{fx}/test.h5", "-o", f"{out}/p.h5"], ["--seed"])
        case("eval-anomaly-no-seed", "evaluate anomaly without --bootstrap-seed",
             ["evaluate", "anomaly", "--pred-dir", f"{fx}/loo", "--class", "photon", "--ensemble", "0", "-o", f"{out}/ad"], ["--bootstrap-seed"])
        case("sim-bad-mode", "--mode loud (a typed option: the valid values are named)",
             ["simulate", "--seed", "1", "--class", "photon", "-n", "5", "--mode", "loud", "-o", f"{out}/x.h5"], ["--mode", "loud"])
        case("sim-n-garbage", "-n abc", sim + ["-n", "abc", "-o", f"{out}/x.h5"], ["-n", "abc"])
        case("sim-n-huge", "-n 1000000000000 (allocation)", sim + ["-n", "1000000000000", "-o", f"{out}/x.h5"], ["-n", "limit"])
        case("sim-n-overflow", "--class all -n 9223372036854775807 (overflow)",
             ["simulate", "--seed", "1", "--class", "all", "-n", "9223372036854775807", "-o", f"{out}/x.h5"], ["-n", "limit"])
        case("sim-class-empty", "--class '' (no classes: would write a 0-event file)",
             ["simulate", "--seed", "1", "--class", "", "-n", "5", "-o", f"{out}/x.h5"], ["--class"])
        case("sim-class-commas", "--class , (no classes)", ["simulate", "--seed", "1", "--class", ",", "-n", "5", "-o", f"{out}/x.h5"], ["--class", "empty"])
        case("sim-class-unknown", "--class muon", ["simulate", "--seed", "1", "--class", "muon", "-n", "5", "-o", f"{out}/x.h5"], ["unknown class", "muon"])
        case("sim-energy-nan", "--energy-gev nan", sim + ["-n", "5", "--energy-gev", "nan", "-o", f"{out}/x.h5"], ["--energy-gev"])
        case("sim-energy-negative", "--energy-gev -20", sim + ["-n", "5", "--energy-gev", "-20", "-o", f"{out}/x.h5"], ["--energy-gev"])
        case("sim-mode", "--mode sideways", sim + ["-n", "5", "--mode", "sideways", "-o", f"{out}/x.h5"], ["--mode", "sideways"])
        case("sim-threads", "--threads 0", sim + ["-n", "5", "--threads", "0", "-o", f"{out}/x.h5"], ["--threads"])
        case("cli-unknown-option", "an unknown option", sim + ["-n", "5", "--colour", "red", "-o", f"{out}/x.h5"], ["--colour"])
        case("cli-missing-output", "no -o", sim + ["-n", "5"], ["-o"])
        case("cli-bad-enum", "train --model bayes", ["train", "--seed", "2022", "--data", f"{fx}/train.h5", "--model", "bayes", "-o", f"{out}/m.h5"],
             ["bayes", "--model"])
        case("sim-seed-negative", "--seed -1", sim + ["-n", "5", "--seed", "-1", "-o", f"{out}/x.h5"], ["--seed", "-1"])

        # ---- outputs that must not be replaced --------------------------------------------------
        if have_device:
            case("out-char-device", "-o onto a character device made with mknod (a /dev/null twin)",
                 sim + ["-n", "5", "-o", f"{out}/device"], ["device", "refusing"])
        else:
            record("out-char-device", True, device_reason, skipped=True)
        case("out-fifo", "-o onto a FIFO", sim + ["-n", "5", "-o", f"{out}/fifo"], ["FIFO"])
        case("out-symlink", "-o onto a symbolic link", sim + ["-n", "5", "-o", f"{out}/link.h5"], ["symbolic link"])
        case("out-directory", "-o onto a directory", sim + ["-n", "5", "-o", out], ["directory"])
        case("out-missing-dir", "-o into a missing directory", sim + ["-n", "5", "-o", f"{out}/nodir/x.h5"], ["nodir", "missing"])
        case("out-is-input-train", "train -o = --data", ["train", "--seed", "2022", "--data", f"{fx}/train.h5", "--epochs", "1", "-o", f"{fx}/train.h5"],
             ["input", "--data"])
        case("out-is-input-predict", "predict -o = --model",
             ["predict", "--seed", "2022", "--model", f"{fx}/bnn.h5", "--data", f"{fx}/test.h5", "-o", f"{fx}/bnn.h5"], ["input", "--model"])
        case("out-dir-is-file", "evaluate -o onto a regular file",
             ["evaluate", "images", "--data", f"{fx}/test.h5", "-o", f"{out}/plainfile"], ["not a directory"])

        # ---- validate: options, references and its two output locations ------------------------
        ref = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Reproduce", "reference", "geant4", "photon_10GeV.h5")
        val = ["validate", "--seed", "4242", "--events", "10", "--tunings", "gflash", "--quiet", "--reference", ref]
        case("validate-events", "validate --events 5 (below its minimum)", val[:4] + ["5"] + val[5:] + ["-o", f"{out}/v"], ["--events", "5"])
        case("validate-set-range", "validate --set halo_asymmetry=2 (outside [0, 1])", val + ["--set", "halo_asymmetry=2", "-o", f"{out}/v"],
             ["--set", "halo_asymmetry"])
        case("validate-set-unknown", "validate --set of a name the model does not have", val + ["--set", "halo_colour=1", "-o", f"{out}/v"],
             ["halo_colour", "unknown"])
        case("validate-seeds-zero", "validate --seeds 0 (at least one seed)", val + ["--seeds", "0", "-o", f"{out}/v"], ["--seeds", "0"])
        case("validate-label-bad", "validate --label with a space (not a macro name)", val[:6] + ["geant4"] + val[7:] + ["--label", "two seed", "-o", f"{out}/v"],
             ["--label", "two seed"])
        case("validate-label-unused", "validate --label without the geant4 tuning (the label would name nothing)",
             val + ["--label", "mine", "-o", f"{out}/v"], ["--label", "geant4"])
        case("validate-reference-missing", "validate --reference that does not exist",
             val[:-1] + [f"{fx}/nope.h5", "-o", f"{out}/v"], ["--reference", "nope.h5"])
        case("validate-reference-garbage", "validate --reference of random bytes", val[:-1] + [f"{fx}/garbage.h5", "-o", f"{out}/v"],
             ["garbage.h5"])
        # A reference whose mean radial profile (the lateral table's input) has 10 bin edges for 181 bins.
        bad_profile = f"{fx}/bad_profile.h5"
        shutil.copy(ref, bad_profile)
        with h5py.File(bad_profile, "r+") as f:
            f["mean_radial_profile"].attrs["radial_bin_edges_mm"] = [float(k) for k in range(10)]
        case("validate-profile-edges", "validate --reference whose mean_radial_profile has 10 bin edges for 181 bins",
             val[:6] + ["geant4"] + val[7:-1] + [bad_profile, "-o", f"{out}/v"], ["bad_profile.h5", "radial_bin_edges_mm"])
        case("validate-out-is-file", "validate -o onto a regular file", val + ["-o", f"{out}/plainfile"], ["-o", "not a directory"])
        case("validate-export-is-file", "validate --export-simulated onto a regular file",
             val + ["--export-simulated", f"{out}/plainfile", "-o", f"{out}/v"], ["--export-simulated", "not a directory"])
        case("validate-export-uncreatable", "validate --export-simulated under a regular file (cannot be made; nothing else written)",
             val + ["--export-simulated", f"{out}/plainfile/sim", "-o", f"{out}/v"], ["--export-simulated", "plainfile"])
        # A copy of a 20 GeV study-class reference (which --export-dataset would write), so that the
        # case does not risk the repository's file.
        shutil.copy(ref.replace("photon_10GeV", "photon_20GeV"), f"{out}/reference.h5")
        case("validate-export-dataset-is-reference", "validate --export-dataset onto its own --reference (would replace the input)",
             val[:-1] + [f"{out}/reference.h5", "--export-dataset", f"{out}/reference.h5", "-o", f"{out}/v"],
             ["--export-dataset", "refusing to overwrite an input"])
        case("validate-export-proc", "validate --export-simulated under /proc (writable to access(2) as root, yet nothing can be made there)",
             val + ["--export-simulated", "/proc/calobnn-sim", "-o", f"{out}/v"], ["--export-simulated", "cannot create"])

        # ---- simulate --set: the shower model's parameters by name --------------------------------
        sim = ["simulate", "--class", "photon", "-n", "5", "--seed", "1", "--quiet", "-o", f"{out}/s.h5"]
        case("simulate-set-unknown", "simulate --set of a name the model does not have", sim + ["--set", "halo_colour=1"],
             ["--set", "halo_colour"])
        case("simulate-set-range", "simulate --set halo_asymmetry=2 (outside [0, 1])", sim + ["--set", "halo_asymmetry=2"],
             ["halo_asymmetry", "[0, 1]"])
        case("simulate-set-gflash", "simulate --set with --tuning gflash (the values would change nothing)",
             sim + ["--tuning", "gflash", "--set", "halo_h0=0.1"], ["--set", "gflash"])
        case("simulate-set-carry", "simulate --set spot_carry=0.5 (a switch: 0 or 1)", sim + ["--set", "spot_carry=0.5"],
             ["spot_carry", "0 (at least one spot per step) or 1"])
        case("simulate-set-step", "simulate --set step_x0=0.1 (outside [0.25, 4])", sim + ["--set", "step_x0=0.1"],
             ["step_x0", "[0.25, 4]"])

        # ---- damaged or wrong input files -------------------------------------------------------
        t1 = ["train", "--seed", "2022", "--epochs", "1", "--batch", "16", "--quiet", "-o", f"{out}/m.h5", "--data"]
        case("data-missing", "--data does not exist", t1 + [f"{fx}/nope.h5"], ["nope.h5", "no such file"])
        case("data-empty-file", "--data is an empty file", t1 + [f"{fx}/empty.h5"], ["empty.h5", "not an HDF5"])
        case("data-garbage", "--data is random bytes", t1 + [f"{fx}/garbage.h5"], ["garbage.h5", "not an HDF5"])
        case("data-truncated", "--data cut in half", t1 + [f"{fx}/truncated.h5"], ["truncated.h5"])
        case("data-nan-cell", "a NaN cell in layer_1", t1 + [f"{fx}/nan.h5"], ["nan.h5", "layer_1", "non-finite"])
        case("data-wrong-shape", "layer_0 of shape (N,3,95)", t1 + [f"{fx}/wrongshape.h5"], ["layer_0", "shape"])
        case("data-float-labels", "labels stored as floats (2.7 would read as 2)", t1 + [f"{fx}/floatlabels.h5"],
             ["label", "integers", "floating"])
        case("data-label-range", "a label outside the class list", t1 + [f"{fx}/badlabel.h5"], ["label", "42"])
        case("data-class-names", "attribute class_names repeats a class", t1 + [f"{fx}/dupnames.h5"], ["class_names", "repeats"])
        case("data-zero-events", "a 0-event training file (blames --data, not --validation)",
             t1 + [f"{fx}/zero.h5", "--validation", f"{fx}/val.h5"], ["--data", "zero.h5", "0 event"])
        case("data-huge-declared", "label declares 2^40 events (no allocation)", t1 + [f"{fx}/hugedecl.h5"], ["label", "memory"])
        if have_device:
            case("data-device-input", "--data is a character device", t1 + [f"{out}/device"], ["device", "not a regular file"])

        # ---- training options and divergence ----------------------------------------------------
        t2 = ["train", "--seed", "2022", "--data", f"{fx}/train.h5", "--validation", f"{fx}/val.h5", "--epochs", "2", "--batch", "16"]
        shutil.copy(f"{fx}/bnn.h5", f"{out}/model.h5")  # a previous good model that must survive
        case("train-lr-1e30", "--learning-rate 1e30 diverges (NaN loss): error, old model intact, no checkpoint",
             t2 + ["--learning-rate", "1e30", "--quiet", "-o", f"{out}/model.h5"], ["diverged", "not finite", "model.h5"])
        case("train-lr-1e30-verbose", "the same without --quiet (used to trap on an index)",
             t2 + ["--learning-rate", "1e30", "-o", f"{out}/model.h5"], ["diverged"], progress=True)
        case("train-prior-zero", "--prior normal(0)", t2 + ["--prior", "normal(0)", "-o", f"{out}/model.h5"], ["--prior", "σ must be > 0"])
        case("train-prior-garbage", "--prior normal(abc,1) (used to run as normal(1.0))",
             t2 + ["--prior", "normal(abc,1)", "-o", f"{out}/model.h5"], ["--prior", "abc"])
        case("train-prior-unknown", "--prior cauchy(1)", t2 + ["--prior", "cauchy(1)", "-o", f"{out}/model.h5"], ["--prior", "cauchy"])
        case("train-batch-huge", "--batch 1000000000", t2 + ["--batch", "1000000000", "-o", f"{out}/model.h5"], ["--batch", "65536"])
        case("train-epochs-zero", "--epochs 0", t2 + ["--epochs", "0", "-o", f"{out}/model.h5"], ["--epochs"])
        case("train-lr-inf", "--learning-rate inf", t2 + ["--learning-rate", "inf", "-o", f"{out}/model.h5"], ["--learning-rate"])
        case("train-lr-schedule-unknown", "--lr-schedule step (not a schedule)", t2 + ["--lr-schedule", "step", "-o", f"{out}/model.h5"],
             ["--lr-schedule", "step"])
        case("train-warmup-too-long", "--warmup-epochs 2 for a run of --epochs 2", t2 + ["--lr-schedule", "cosine", "--warmup-epochs", "2",
             "-o", f"{out}/model.h5"], ["--warmup-epochs", "2 epochs"])
        case("train-rho-lr-factor-zero", "--rho-lr-factor 0", t2 + ["--rho-lr-factor", "0", "-o", f"{out}/model.h5"], ["--rho-lr-factor"])
        case("train-vfrac", "--validation-fraction 1.5", t2 + ["--validation-fraction", "1.5", "-o", f"{out}/model.h5"],
             ["--validation-fraction"])
        case("train-exclude-unknown", "--exclude-class muon", t2 + ["--exclude-class", "muon", "-o", f"{out}/model.h5"],
             ["--exclude-class", "muon"])
        case("train-validation-classes", "--validation holds a class the training file lacks",
             ["train", "--seed", "2022", "--data", f"{fx}/two.h5", "--validation", f"{fx}/val.h5", "--epochs", "1", "-o", f"{out}/model.h5"],
             ["--validation", "val.h5", "eta_gg"])
        case("train-resume-nothing", "--resume without a checkpoint (used to start from scratch silently)",
             t2 + ["--resume", "-o", f"{out}/model.h5"], ["--resume", "nothing to resume"])

        # ---- models with bad attributes ---------------------------------------------------------
        p1 = ["predict", "--seed", "2022", "--data", f"{fx}/test.h5", "--samples", "2", "-o", f"{out}/p.h5", "--model"]
        case("model-classes-negative", "checkpoint attribute classes = -3", p1 + [f"{fx}/model_classes_neg.h5"], ["classes", "-3"])
        case("model-classes-float", "checkpoint attribute classes stored as a float", p1 + [f"{fx}/model_classes_float.h5"],
             ["classes", "integers"])
        case("model-grids-huge", "checkpoint attribute grids = 4000x4000,… (allocation)", p1 + [f"{fx}/model_grids_huge.h5"], ["grids"])
        case("model-prior-garbage", "checkpoint attribute prior = normal(abc,1)", p1 + [f"{fx}/model_prior_bad.h5"], ["prior", "abc"])
        case("model-lr-nan", "checkpoint attribute learning_rate = NaN", p1 + [f"{fx}/model_lr_nan.h5"], ["learning_rate"])
        case("model-best-epoch", "checkpoint best_epoch beyond epochs_completed", p1 + [f"{fx}/model_best_epoch.h5"], ["best_epoch"])
        case("model-nan-weights", "a NaN among the best weights", p1 + [f"{fx}/model_nan.h5"], ["best_mu", "non-finite"])
        case("model-is-dataset", "--model is a dataset", p1 + [f"{fx}/test.h5"], ["not a calo-bnn checkpoint"])
        case("predict-samples-zero", "--samples 0", ["predict", "--seed", "2022", "--model", f"{fx}/bnn.h5", "--data", f"{fx}/test.h5",
                                                      "--samples", "0", "-o", f"{out}/p.h5"], ["--samples"])

        # ---- evaluation: inputs that do not belong together, or are out of range ----------------
        def ev(bnn, det, extra=()):
            return ["evaluate", "classification", "--bnn", bnn, "--det", det, "-o", f"{out}/new/results"] + list(extra)
        case("eval-different-data", "deterministic predictions of another dataset (used to pass: labels match)",
             ev(f"{fx}/pred_bnn.h5", f"{fx}/pred_det_other.h5"), ["pred_bnn.h5", "pred_det_other.h5", "different datasets"])
        case("eval-swapped", "--bnn given deterministic predictions", ev(f"{fx}/pred_det.h5", f"{fx}/pred_bnn.h5"), ["--bnn", "expected a bnn"])
        case("eval-wrong-model", "--bnn-model is not the model of --bnn",
             ev(f"{fx}/pred_bnn.h5", f"{fx}/pred_det.h5", ["--bnn-model", f"{fx}/det.h5"]), ["pred_bnn.h5", "det.h5", "not made by the model"])
        case("eval-mean-outside", "a prediction mean of 1.5", ev(f"{fx}/pred_mean_out.h5", f"{fx}/pred_det.h5"), ["mean", "1.5"])
        case("eval-std-negative", "a prediction σ of -0.1", ev(f"{fx}/pred_std_neg.h5", f"{fx}/pred_det.h5"), ["std"])
        case("eval-argmax-outside", "a per-sample argmax of node 200", ev(f"{fx}/pred_argmax_out.h5", f"{fx}/pred_det.h5"), ["argmax", "200"])
        case("eval-samples-attr", "attribute samples disagrees with argmax", ev(f"{fx}/pred_samples.h5", f"{fx}/pred_det.h5"), ["samples"])
        case("eval-no-provenance", "a prediction file without data identity", ev(f"{fx}/pred_noprov.h5", f"{fx}/pred_det.h5"),
             ["pred_noprov.h5", "identity"])
        case("eval-missing-input", "a missing prediction file (no partial output directory)",
             ev(f"{fx}/nope.h5", f"{fx}/pred_det.h5"), ["nope.h5"])
        case("eval-profile", "--profile with a newline (written into TeX headers)",
             ev(f"{fx}/pred_bnn.h5", f"{fx}/pred_det.h5", ["--profile", "quick\n\\input{x}"]), ["--profile"])
        case("data-attr-type", "dataset attribute seed stored as a string", t1 + [f"{fx}/seedstr.h5"], ["seed"])
        case("eval-images-events", "evaluate images --events=-3", ["evaluate", "images", "--data", f"{fx}/test.h5", "--events=-3",
                                                                  "-o", f"{out}/imgs"], ["--events"])
        case("eval-anomaly-data", "evaluate anomaly --data of another dataset (was never checked)",
             ["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo", "--class", "photon", "--ensemble", "0", "--bootstrap", "5",
              "--data", f"{fx}/other.h5", "-o", f"{out}/ad"], ["loo_photon_bnn.h5", "other.h5"])
        case("eval-anomaly-extra-class", "a test set with a class that is neither known nor the removed one (was counted as an anomaly silently)",
             ["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo4", "--class", "photon", "--ensemble", "0",
              "--bootstrap", "5", "-o", f"{out}/ad"], ["loo_photon_bnn.h5", "jpsi_ee"])
        case("eval-anomaly-bootstrap", "--bootstrap 0", ["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo", "--bootstrap", "0",
                                                          "-o", f"{out}/ad"], ["--bootstrap"])
        case("eval-anomaly-missing-ens", "an ensemble member file is missing",
             ["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo", "--class", "photon", "--ensemble", "1", "--bootstrap", "5",
              "-o", f"{out}/ad"], ["loo_photon_ens1.h5"])
        case("eval-anomaly-seeds-zero", "evaluate anomaly --seeds 0", ["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo",
             "--class", "photon", "--ensemble", "0", "--seeds", "0", "-o", f"{out}/ad"], ["--seeds", "0"])
        case("eval-anomaly-missing-seed", "--seeds 2 but the BNN of seed 1 is missing",
             ["evaluate", "anomaly", "--bootstrap-seed", "20221124", "--pred-dir", f"{fx}/loo", "--class", "photon", "--ensemble", "0", "--seeds", "2",
              "--bootstrap", "5", "-o", f"{out}/ad"], ["loo_photon"])
        case("eval-seed-kind", "evaluate classification --bnn-seed given deterministic predictions",
             ev(f"{fx}/pred_bnn.h5", f"{fx}/pred_det.h5", ["--bnn-seed", f"{fx}/pred_det.h5"]), ["--bnn-seed", "pred_det.h5", "expected a bnn"])
        case("detect-maha-no-training", "detect mahalanobis without --training (nothing to fit on)",
             ["detect", "mahalanobis", "--model", f"{fx}/loo_photon_det_model.h5", "--data", f"{fx}/test.h5", "-o", f"{out}/s.h5"],
             ["mahalanobis", "--training"])
        case("detect-missing-model", "detect energy with a missing model", ["detect", "energy", "--model", f"{fx}/nope.h5",
             "--data", f"{fx}/test.h5", "-o", f"{out}/s.h5"], ["nope.h5"])
        case("detect-unknown", "detect with an unknown detector", ["detect", "isolation-forest", "--model", f"{fx}/det.h5",
             "--data", f"{fx}/test.h5", "-o", f"{out}/s.h5"], ["isolation-forest"])
        ae = ["detect", "autoencoder", "--model", f"{fx}/loo_photon_det_model.h5", "--data", f"{fx}/test.h5"]
        case("detect-ae-no-seed", "detect autoencoder without --seed (it trains a network)",
             ae + ["--training", f"{fx}/train.h5", "-o", f"{out}/s.h5"], ["autoencoder", "--seed"])
        case("detect-ae-no-training", "detect autoencoder-normalised without --training (nothing to train on)",
             ["detect", "autoencoder-normalised"] + ae[2:] + ["--seed", "3000", "-o", f"{out}/s.h5"], ["autoencoder-normalised", "--training"])
        case("detect-ae-epochs", "detect autoencoder --epochs 0", ae + ["--training", f"{fx}/train.h5", "--seed", "3000", "--epochs", "0",
             "-o", f"{out}/s.h5"], ["--epochs", "0"])
        case("detect-energy-seed", "detect energy --seed (the energy score trains nothing; a seed would be silently ignored)",
             ["detect", "energy", "--model", f"{fx}/det.h5", "--data", f"{fx}/test.h5", "--seed", "1", "-o", f"{out}/s.h5"], ["--seed", "energy"])
        case("detect-ae-member", "detect autoencoder --member -1", ae + ["--training", f"{fx}/train.h5", "--seed", "3000", "--member", "-1",
             "-o", f"{out}/s.h5"], ["--member", "-1"])
        case("detect-mahalanobis-member", "detect mahalanobis --member 2 (it trains nothing; a member would be silently ignored)",
             ["detect", "mahalanobis", "--model", f"{fx}/det.h5", "--training", f"{fx}/train.h5", "--data", f"{fx}/test.h5",
              "--member", "2", "-o", f"{out}/s.h5"], ["--member", "mahalanobis"])
        case("detect-ae-nan-validation", "detect autoencoder with a --validation file holding NaN cells",
             ae + ["--training", f"{fx}/train.h5", "--validation", f"{fx}/nan.h5", "--seed", "3000", "--epochs", "1", "-o", f"{out}/s.h5"],
             ["--validation", "nan.h5"])
        case("robustness-missing", "evaluate robustness of a folder without summaries",
             ["evaluate", "robustness", "--run", f"study={fx}", "-o", f"{out}/rob"], ["summary.json"])
        case("train-bad-inputs", "train --inputs linear", ["train", "--seed", "1", "--data", f"{fx}/train.h5", "--inputs", "linear",
             "-o", f"{out}/m.h5"], ["--inputs", "linear"])
        case("bench-events-huge", "bench --events 1000000000000", ["bench", "--events", "1000000000000"], ["--events"])
        case("bench-events-float", "bench --events 1e12", ["bench", "--events", "1e12"], ["--events", "1e12"])
        case("bench-set-network", "bench --set with --only network (no simulator to set)",
             ["bench", "--only", "network", "--set", "halo_h0=0.1"], ["--set", "--only network"])
        case("bench-class-unknown", "bench --class of a class that does not exist", ["bench", "--only", "simulator", "--class", "photon,nosuch"],
             ["--class", "nosuch"])
        case("bench-class-network", "bench --class with --only network (no simulator to choose classes for)",
             ["bench", "--only", "network", "--class", "photon"], ["--class", "--only network"])
        case("bench-models-simulator", "bench --models with --only simulator (no network to choose)",
             ["bench", "--only", "simulator", "--models", "bnn"], ["--models", "--only simulator"])
        case("bench-set-unknown", "bench --set of a name the model does not have", ["bench", "--only", "simulator", "--set", "halo_colour=1"],
             ["--set", "halo_colour"])

        # ---- faults: full disk, signals, SIGKILL and resume -------------------------------------
        mounted = full_disk_cases(root, fx)
        signal_cases(root, fx)
        resume_cases(root, fx)
    finally:
        if mounted:
            subprocess.run(["umount", mounted], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

    passed = sum(1 for r in results if r[1] == "ok")
    failed = [r for r in results if r[1] == "FAIL"]
    skipped = sum(1 for r in results if r[1] == "SKIP")
    print(f"bad-input: {passed} passed, {len(failed)} failed, {skipped} skipped ({len(results)} cases, {time.time() - t_start:.0f} s)")
    if failed:
        for name, _, detail in failed:
            print(f"bad-input: FAILED {name}: {detail}")
        sys.exit(1)


def full_disk_cases(root, fx):
    """A tiny tmpfs, filled to leave 0 … 24 KiB: predict and simulate must fail cleanly at any
    point (create, write, flush, close) and leave the previous output untouched."""
    mnt = os.path.join(root, "full")
    os.makedirs(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], capture_output=True, text=True)
    if p.returncode != 0:
        record("full-disk", True, f"skipped: cannot mount a tmpfs here ({p.stderr.strip() or 'not root?'})", skipped=True)
        return None
    try:
        for left_kib in (0, 4, 8, 12, 16, 24):
            for tool, args, target in (
                    ("predict", ["predict", "--seed", "2022", "--model", f"{fx}/bnn.h5", "--data", f"{fx}/test.h5", "--samples", "50"], "old.h5"),
                    ("simulate", ["simulate", "--seed", "1", "--class", "photon", "-n", "40", "--quiet"], "old.h5"),
                    ("evaluate-images", ["evaluate", "images", "--data", f"{fx}/test.h5", "--events", "3"], "imgs/new")):
                for name in os.listdir(mnt):
                    os.remove(os.path.join(mnt, name))
                shutil.copy(f"{fx}/pred_det.h5", f"{mnt}/old.h5")
                st = os.statvfs(mnt)
                fill = st.f_bavail * st.f_frsize - left_kib * 1024
                with open(f"{mnt}/fill", "wb") as f:
                    f.write(b"\0" * max(fill, 0))
                before = snapshot(mnt, fx)
                rc, _, err = run(args + ["-o", f"{mnt}/{target}"], root)
                after = snapshot(mnt, fx)
                lines = [l for l in err.splitlines() if l.strip()]
                name = f"full-disk-{tool}-{left_kib}k"
                if rc == 0:
                    change = describe_change(before, after)
                    ok = (change in ("", "changed: old.h5") or change.startswith("new: imgs")) and "tmp-" not in str(os.listdir(mnt))
                    record(name, ok, f"{left_kib} KiB free: it fitted; output replaced whole, no temporary")
                    continue
                problems = []
                if rc < 0 or rc >= 128: problems.append(f"crashed (status {rc})")
                if any(m in err for m in BACKTRACE_MARKERS): problems.append("backtrace")
                if len(lines) != 1 or not lines[0].startswith("Error: "): problems.append(f"stderr {err.strip()[:200]!r}")
                elif target.split("/")[0] not in lines[0]: problems.append(f"message does not name the output: {lines[0]!r}")
                change = describe_change(before, after)
                if change: problems.append("files changed — " + change)
                record(name, not problems, f"{left_kib} KiB free on a 256 KiB tmpfs" +
                       (" — " + "; ".join(problems) if problems else f" → {lines[0]}"))
    finally:
        pass
    return mnt


def wait_for(predicate, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if predicate():
            return True
        time.sleep(0.002)
    return False


def signal_cases(root, fx):
    """SIGTERM / SIGINT during `simulate` (while simulating, and while the temporary file is
    being written), SIGKILL while writing (the next run removes the stale temporary)."""
    d = os.path.join(root, "sig")
    os.makedirs(d)
    shutil.copy(f"{fx}/test.h5", f"{d}/data.h5")
    old = snapshot(d)
    args = [TOOL, "simulate", "--seed", "1", "--class", "photon,pi0_gg", "-n", "6000", "--quiet", "--threads", "2", "-o", f"{d}/data.h5"]
    tmp_exists = lambda: any(n.startswith(".data.h5.tmp-") for n in os.listdir(d))
    for sig, when in ((signal.SIGTERM, "simulating"), (signal.SIGINT, "simulating"),
                      (signal.SIGTERM, "writing"), (signal.SIGINT, "writing")):
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if when == "simulating":
            time.sleep(0.3)
            hit = not tmp_exists()
        else:
            hit = wait_for(tmp_exists, 30)
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill(); _, err = proc.communicate()
            err += b"\n(did not stop within 30 s of the signal)"
            proc.returncode = 0
        name = f"kill-simulate-{signal.Signals(sig).name}-{when}"
        change = describe_change(old, snapshot(d))
        problems = []
        if proc.returncode == 0: problems.append("finished before the signal; timing not reached")
        if change: problems.append("files changed — " + change)
        if any(m in err.decode() for m in BACKTRACE_MARKERS): problems.append("backtrace")
        record(name, not problems, f"signal while {when}{'' if hit else ' (phase not observed)'}: old file intact, no temporary"
               + (" — " + "; ".join(problems) if problems else ""))
    # SIGKILL while writing leaves a temporary (nothing can catch SIGKILL); the next write removes it.
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hit = wait_for(tmp_exists, 30)
    proc.kill(); proc.communicate()
    left = tmp_exists()
    old_ok = not describe_change(old, {k: v for k, v in snapshot(d).items() if ".tmp-" not in k})
    rc, _, _ = run(["simulate", "--seed", "1", "--class", "photon", "-n", "5", "--quiet", "-o", f"{d}/data.h5"], root)
    record("kill9-simulate-stale-temp", hit and left and old_ok and rc == 0 and not tmp_exists(),
           f"SIGKILL while writing: old file intact ({old_ok}), its temporary ({left}) removed by the next run ({not tmp_exists()})")


def model_arrays(path):
    with h5py.File(path, "r") as f:
        arrays = {k: f[k][...].tobytes() for k in f.keys()}
        attrs = {k: (v.tobytes() if hasattr(v, "tobytes") else v) for k, v in f.attrs.items() if k != "train_seconds"}
    return arrays, attrs


def resume_cases(root, fx):
    """kill -9 during `train`, then --resume → the same model as an uninterrupted run; a changed
    hyper-parameter is refused first, naming it."""
    d = os.path.join(root, "resume")
    os.makedirs(d)
    must(["simulate", "--class", "photon,pi0_gg,eta_gg", "-n", "300", "--seed", "5", "-o", f"{d}/data.h5", "--quiet"], root)
    base = ["train", "--seed", "2022", "--data", f"{d}/data.h5", "--epochs", "8", "--batch", "32", "--patience", "8", "--quiet"]
    must(base + ["-o", f"{d}/straight.h5"], root)
    # SIGTERM during training: no temporary, no model; the last checkpoint stays for --resume.
    shutil.copy(f"{d}/straight.h5", f"{d}/termed.h5")
    old = snapshot(f"{d}/termed.h5")
    proc = subprocess.Popen([TOOL] + base + ["-o", f"{d}/termed.h5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hit = wait_for(lambda: os.path.exists(f"{d}/termed.h5.ckpt"), 60)
    proc.terminate(); _, err = proc.communicate()
    temps = [n for n in os.listdir(d) if ".tmp-" in n]
    ok = hit and proc.returncode != 0 and not temps and not describe_change(old, snapshot(f"{d}/termed.h5")) \
        and os.path.exists(f"{d}/termed.h5.ckpt") and not any(m in err.decode() for m in BACKTRACE_MARKERS)
    record("term-train", ok, f"SIGTERM after a checkpoint: previous model intact, checkpoint kept, no temporary (status {proc.returncode}, temporaries {temps})")
    os.remove(f"{d}/termed.h5.ckpt"); os.remove(f"{d}/termed.h5")
    done = kill_after_checkpoint(base + ["-o", f"{d}/resumed.h5"])
    if done is None:
        record("kill9-train-resume", False, "could not interrupt the training (finished before SIGKILL)")
        return
    watch = (d,)
    expect_error("resume-changed-lr", "--resume with another --learning-rate", base + ["--resume", "--learning-rate", "0.01",
                 "-o", f"{d}/resumed.h5"], ["--learning-rate", "0.001", "0.01"], root, watch)
    expect_error("resume-changed-schedule", "--resume with another --lr-schedule", base + ["--resume", "--lr-schedule", "cosine",
                 "-o", f"{d}/resumed.h5"], ["--lr-schedule", "constant", "cosine"], root, watch)
    expect_error("resume-changed-prior", "--resume with another --prior", base + ["--resume", "--prior", "normal(0.5)",
                 "-o", f"{d}/resumed.h5"], ["--prior", "normal(0.5)"], root, watch)
    expect_error("resume-changed-batch", "--resume with another --batch", base[:5] + ["--batch", "64", "--patience", "8", "--quiet",
                 "--resume", "-o", f"{d}/resumed.h5"], ["--batch", "32", "64"], root, watch)
    rc, _, err = run(base + ["--resume", "-o", f"{d}/resumed.h5"], root)
    same = rc == 0 and model_arrays(f"{d}/straight.h5") == model_arrays(f"{d}/resumed.h5")
    leftovers = [n for n in os.listdir(d) if ".tmp-" in n or n.endswith(".ckpt")]
    record("kill9-train-resume", same and not leftovers,
           f"SIGKILL after epoch {done} of 8, then --resume: every dataset and attribute (but wall time) identical "
           f"to the uninterrupted run ({same}); no checkpoint or temporary left ({not leftovers})" + ("" if rc == 0 else f" — {err.strip()}"))
    # make's way: --resume-if-present continues a compatible checkpoint and starts afresh past
    # a damaged one, saying so; with --resume it is refused as contradictory.
    expect_error("resume-both-flags", "--resume together with --resume-if-present", base + ["--resume", "--resume-if-present",
                 "-o", f"{d}/both.h5"], ["--resume", "--resume-if-present"], root, watch)
    done = kill_after_checkpoint(base + ["-o", f"{d}/continued.h5"])
    if done is None:
        record("kill9-train-resume-if-present", False, "could not interrupt the training (finished before SIGKILL)")
        return
    rc, _, err = run(base[:-1] + ["--resume-if-present", "-o", f"{d}/continued.h5"], root)
    same = rc == 0 and model_arrays(f"{d}/straight.h5") == model_arrays(f"{d}/continued.h5")
    said = f"after epoch {done}" in err
    record("kill9-train-resume-if-present", same and said and not os.path.exists(f"{d}/continued.h5.ckpt"),
           f"SIGKILL after epoch {done} of 8, then --resume-if-present: continued ({said}), identical to the uninterrupted "
           f"run ({same})" + ("" if rc == 0 else f" — {err.strip()}"))
    with open(f"{d}/damaged.h5.ckpt", "wb") as f:
        f.write(b"not a checkpoint")
    rc, _, err = run(base + ["--resume-if-present", "-o", f"{d}/damaged.h5"], root)
    same = rc == 0 and model_arrays(f"{d}/straight.h5") == model_arrays(f"{d}/damaged.h5")
    said = "starting afresh" in err and "damaged.h5.ckpt" in err and len(err.strip().splitlines()) == 1
    record("resume-if-present-damaged", same and said and not os.path.exists(f"{d}/damaged.h5.ckpt"),
           f"--resume-if-present past a damaged checkpoint: one line saying it starts afresh ({said}), the model identical "
           f"to the uninterrupted run ({same})" + ("" if rc == 0 else f" — {err.strip()}"))


def kill_after_checkpoint(args):
    """Start `calobnn ARGS` (a training with -o last), SIGKILL it once its first checkpoint is
    written; the epochs the checkpoint holds, or None if the training finished first."""
    out = args[-1]
    proc = subprocess.Popen([TOOL] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hit = wait_for(lambda: os.path.exists(f"{out}.ckpt"), 60)
    time.sleep(0.05)
    proc.kill(); proc.communicate()
    if not hit or os.path.exists(out):
        return None
    with h5py.File(f"{out}.ckpt", "r") as f:
        return int(f.attrs["epochs_completed"])


if __name__ == "__main__":
    main()
