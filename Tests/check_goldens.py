#!/usr/bin/env python3
"""Pin the quick profile's headline numbers (issue: §4 and §5 golden values).

Usage: check_goldens.py RESULTS_DIR GOLDEN_FILE
  RESULTS_DIR  out/quick/results (made afresh by `make check-goldens` / `make record-goldens`)
  GOLDEN_FILE  Tests/Goldens/quick_profile.json

Measured: the §4 accuracies and photon AUCs, and for EVERY removed class found in
anomaly/summary.json (so a class added to the registry is measured with no edit here) the AUROC
of the headline scores PINNED_SCORES. Each golden is named after the table cell it pins (pyhf
style), e.g.
  classification.accuracy_bnn              → table "accuracy", row "overall", column BNN
  anomaly.jpsi_ee.bnn_std_pred.auroc       → table "auroc", row J/ψ → e⁺e⁻, column "BNN σ of predicted node"

The golden file decides what is checked:
  check mode   every golden key must be measured and equal; a measured value without a golden is
               listed as not pinned (it does not fail: `make record-goldens` adds it).
  record mode  (CALOBNN_RECORD_GOLDENS=1, `make record-goldens`) adds the measured values without a
               golden, rewrites a golden only if its value changed, drops goldens no longer measured,
               and prints exactly those; the file is rewritten only if one of them happened.
Tolerance: none. The pipeline gives the same bits on every x86-64 machine and thread count
(make check-portable, and the unit tests for 1 vs 2 threads), and Python reads the JSON numbers
back exactly, so every golden compares for equality.
"""
import json
import os
import sys

# The §5 scores, and the autoencoder detectors (beyond the talk; `calobnn detect`, DETECTORS).
PINNED_SCORES = ["bnn_std_pred", "bnn_mi", "det_1_minus_max", "ens_mi", "autoencoder", "autoencoder-normalised"]


def measured(results):
    with open(os.path.join(results, "classification", "summary.json")) as f:
        c = json.load(f)
    out = {"classification.accuracy_bnn": c["accuracy_bnn"], "classification.accuracy_det": c["accuracy_det"]}
    for key in ("photon_vs_pi0_gg", "photon_vs_eta_gg", "photon_vs_jpsi_ee"):
        for model in ("bnn", "det"):
            out[f"classification.{key}.auc_{model}"] = c["photon_auc"][f"{key}.{model}"]
    for key in ("ece_bnn", "ece_det"):
        out[f"classification.{key}"] = c[key]
    # Means over the independently seeded trainings (table "seeds"), as lists of per-seed values.
    for key, values in sorted(c.get("seeds", {}).items()):
        if key.startswith("accuracy") or key.startswith("photon_vs_pi0_gg"):
            out[f"classification.seeds.{key}"] = values
    with open(os.path.join(results, "anomaly", "summary.json")) as f:
        a = json.load(f)
    # Removed classes: the entries holding per-score results (others, e.g. "profile", are metadata).
    classes = [k for k, v in a.items() if isinstance(v, dict) and any(isinstance(s, dict) and "auroc" in s for s in v.values())]
    if not classes:
        raise SystemExit(f"check_goldens: no removed class in {results}/anomaly/summary.json")
    for cls in classes:
        for score in PINNED_SCORES:
            if score not in a[cls]:
                raise SystemExit(f"check_goldens: {results}/anomaly/summary.json: class {cls} has no score {score}")
            out[f"anomaly.{cls}.{score}.auroc"] = a[cls][score]["auroc"]
        # The dedicated detectors, every seed of the seeded scores, and the calibration.
        for detector in a.get("detectors", []):
            out[f"anomaly.{cls}.{detector}.auroc"] = a[cls][detector]["auroc"]
        for score, s in sorted(a[cls].get("seeds", {}).items()):
            if score in PINNED_SCORES or score in a.get("detectors", []):
                out[f"anomaly.{cls}.{score}.seed_aurocs"] = s["aurocs"]
        for key, value in sorted(a[cls].get("calibration", {}).items()):
            out[f"anomaly.{cls}.{key}"] = value
    return out


def record(got, golden):
    old = {}
    if os.path.exists(golden):
        with open(golden) as f:
            old = json.load(f)
    new = dict(old)
    name = os.path.basename(golden)
    count = {"added": 0, "changed": 0, "dropped": 0}
    for k in sorted(set(got) | set(old)):
        if k not in got:
            print(f"RECORD-GOLDENS {name}: {k}: {old[k]} → dropped (no longer measured)")
            del new[k]
            count["dropped"] += 1
        elif k not in old:
            print(f"RECORD-GOLDENS {name}: {k}: new → {got[k]}")
            new[k] = got[k]
            count["added"] += 1
        elif old[k] != got[k]:
            print(f"RECORD-GOLDENS {name}: {k}: {old[k]} → {got[k]}")
            new[k] = got[k]
            count["changed"] += 1
    changes = sum(count.values())
    if changes:
        tmp = golden + ".tmp"
        with open(tmp, "w") as f:
            json.dump(new, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, golden)
    print(f"RECORD-GOLDENS {name}: " + ", ".join(f"{n} {what}" for what, n in count.items())
          + f" ({len(new)} values)" + ("" if changes else "; file untouched"))
    return 0


def check(got, golden):
    with open(golden) as f:
        want = json.load(f)
    bad = [f"{k}: not measured (golden {v})" if k not in got else f"{k}: measured {got[k]}, golden {v}"
           for k, v in sorted(want.items()) if k not in got or got[k] != v]
    for b in bad:
        print("golden mismatch:", b)
    unpinned = sorted(set(got) - set(want))
    if unpinned:
        print(f"not pinned ({len(unpinned)} measured values without a golden; make record-goldens adds them): "
              + ", ".join(unpinned))
    print(f"quick-profile goldens: {len(want) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


def main(results, golden):
    got = measured(results)
    if os.environ.get("CALOBNN_RECORD_GOLDENS") == "1":
        return record(got, golden)
    return check(got, golden)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
