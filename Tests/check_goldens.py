#!/usr/bin/env python3
"""Pin the quick profile's headline numbers (issue: §4 and §5 golden values).

Usage: check_goldens.py RESULTS_DIR GOLDEN_FILE
  RESULTS_DIR  out/quick/results (made by `make results PROFILE=quick`)
  GOLDEN_FILE  Tests/Goldens/quick_profile.json

Each golden is named after the table cell it pins (pyhf style), e.g.
  classification.accuracy_bnn              → table "accuracy", row "overall", column BNN
  anomaly.jpsi_ee.bnn_std_pred.auroc       → table "auroc", row J/ψ → e⁺e⁻, column "BNN σ of predicted node"
Tolerance: none. The pipeline gives the same bits on every x86-64 machine and thread count
(make check-portable, and the unit tests for 1 vs 2 threads), and Python reads the JSON numbers
back exactly, so every golden compares for equality.
With CALOBNN_RECORD_GOLDENS=1 the file is rewritten and every change printed (make record-goldens).
"""
import json
import os
import sys

PINNED_CLASSES = ["jpsi_ee", "noise_burst"]          # the talk's two examples
PINNED_SCORES = ["bnn_std_pred", "bnn_mi", "det_1_minus_max", "ens_mi"]
RTOL = 0.0


def measured(results):
    with open(os.path.join(results, "classification", "summary.json")) as f:
        c = json.load(f)
    out = {"classification.accuracy_bnn": c["accuracy_bnn"], "classification.accuracy_det": c["accuracy_det"]}
    for key in ("photon_vs_pi0_gg", "photon_vs_eta_gg", "photon_vs_jpsi_ee"):
        for model in ("bnn", "det"):
            out[f"classification.{key}.auc_{model}"] = c["photon_auc"][f"{key}.{model}"]
    with open(os.path.join(results, "anomaly", "summary.json")) as f:
        a = json.load(f)
    for cls in PINNED_CLASSES:
        for score in PINNED_SCORES:
            out[f"anomaly.{cls}.{score}.auroc"] = a[cls][score]["auroc"]
    return out


def main(results, golden):
    got = measured(results)
    if os.environ.get("CALOBNN_RECORD_GOLDENS") == "1":
        old = json.load(open(golden)) if os.path.exists(golden) else {}
        for k in sorted(got):
            if old.get(k) != got[k]:
                print(f"RECORD-GOLDENS {os.path.basename(golden)}: {k}: {old.get(k, 'new')} → {got[k]}")
        with open(golden, "w") as f:
            json.dump(got, f, indent=2, sort_keys=True)
            f.write("\n")
        return 0
    want = json.load(open(golden))
    bad = [f"{k}: measured {got.get(k)}, golden {v}" for k, v in sorted(want.items())
           if k not in got or abs(got[k] - v) > RTOL * abs(v)]
    bad += [f"{k}: no golden value (run make record-goldens)" for k in sorted(set(got) - set(want))]
    for b in bad:
        print("golden mismatch:", b)
    print(f"quick-profile goldens: {len(want) - len([b for b in bad if 'no golden' not in b])} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
