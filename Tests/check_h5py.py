#!/usr/bin/env python3
"""Read a `calobnn simulate` file with h5py, as a CaloGAN user would, and check its layout.

Usage: check_h5py.py FILE.h5   (run by `make test`; exits non-zero on any mismatch)
"""
import sys

import h5py
import numpy as np

EXPECTED = {"layer_0": (3, 96), "layer_1": (12, 12), "layer_2": (12, 6), "overflow": (3,), "energy": (1,)}


def main(path):
    with h5py.File(path, "r") as f:
        n = f["label"].shape[0]
        for name, tail in EXPECTED.items():
            ds = f[name]
            assert ds.shape == (n,) + tail, f"{name}: shape {ds.shape}, expected {(n,) + tail}"
            assert ds.dtype == np.float32, f"{name}: dtype {ds.dtype}"
            assert np.all(np.isfinite(ds[...])), f"{name}: non-finite values"
        names = f.attrs["class_names"].split(",")
        labels = f["label"][...]
        assert labels.min() >= 0 and labels.max() < len(names), "labels outside class_names"
        for key in ("seed", "mode", "noise", "gun_distance_mm", "gun_energy_gev", "shower_model", "package_version"):
            assert key in f.attrs, f"missing attribute {key}"
        assert f.attrs["shower_model"] == "geant4", f"shower_model {f.attrs['shower_model']!r}, expected the default 'geant4'"
        total = sum(f[f"layer_{l}"][...].reshape(n, -1).sum(axis=1) for l in range(3)) + f["overflow"][...].sum(axis=1)
        photons = labels == names.index("photon")
        # A 20 GeV photon deposits nearly all of its energy (total mode): a sanity check of units (MeV).
        if photons.any() and f.attrs["mode"] == "total":
            mean = total[photons].mean()
            assert 0.9 * 1000 * f.attrs["gun_energy_gev"] < mean <= 1000 * f.attrs["gun_energy_gev"] * 1.001, mean
        print(f"h5py check: {path}: {n} events, {len(set(labels.tolist()))} classes, "
              f"layers {[f[f'layer_{l}'].shape[1:] for l in range(3)]}, mode {f.attrs['mode']}, seed {f.attrs['seed']}: ok")


if __name__ == "__main__":
    main(sys.argv[1])
