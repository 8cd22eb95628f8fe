#!/usr/bin/python3
"""Reference metrics for Astro.Evaluation, computed with numpy, scipy and scikit-learn.

Re-run from this folder with Debian's python (apt-get install -y python3-sklearn):
    /usr/bin/python3 make_baselines.py > metrics.json
The inputs are generated here from fixed seeds and written into the JSON with the expected values, so the C# tests
read both from one file.
"""
import json
import sys

import numpy as np
import scipy
import sklearn
from scipy.stats import norm
from sklearn.metrics import (accuracy_score, confusion_matrix, mean_absolute_error, mean_squared_error,
                             precision_score, r2_score, recall_score)

LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]


def regression(name, truth, pred, p, sigma=None, photoz=False):
    r = truth - pred
    n = len(truth)
    r2 = r2_score(truth, pred)
    d = (pred - truth) / (1 + truth) if photoz else pred - truth
    expected = {
        "count": n,
        "sigma": float(np.std(r)),
        "rmse": float(np.sqrt(mean_squared_error(truth, pred))),
        "meanAbsoluteDeviation": float(mean_absolute_error(truth, pred)),
        "adjustedR2": float(1 - (1 - r2) * (n - 1) / (n - p - 1)),
        "nmad": float(1.4826 * np.median(np.abs(d - np.median(d)))),
        "bias": float(np.mean(d)),
    }
    if photoz:
        expected["outlierFraction"] = float(np.mean(np.abs(d) > 0.15))
    case = {"name": name, "predictorCount": p, "photometricRedshift": photoz,
            "truth": truth.tolist(), "predicted": pred.tolist(), "expected": expected}
    if sigma is not None:
        expected["coverage68"] = float(np.mean(np.abs(r) <= sigma))
        expected["coverage95"] = float(np.mean(np.abs(r) <= 1.96 * sigma))
        case["sigma"] = sigma.tolist()
        ratio = np.abs(r) / sigma
        case["calibrationLevels"] = LEVELS
        case["observedCoverage"] = [float(np.mean(ratio <= norm.ppf((1 + q) / 2))) for q in LEVELS]
    return case


def classification(name, truth, pred, classes):
    labels = list(range(len(classes)))
    return {
        "name": name, "classes": classes, "truth": truth.tolist(), "predicted": pred.tolist(),
        "expected": {
            "accuracy": float(accuracy_score(truth, pred)),
            "confusionMatrix": confusion_matrix(truth, pred, labels=labels).tolist(),
            "precision": precision_score(truth, pred, labels=labels, average=None, zero_division=0).tolist(),
            "recall": recall_score(truth, pred, labels=labels, average=None, zero_division=0).tolist(),
        },
    }


def main():
    rng = np.random.default_rng(20261123)
    # Stellar-mass-like regression with heteroscedastic, slightly under-estimated uncertainties.
    n = 2000
    truth = rng.uniform(8, 12, n)
    sigma = rng.uniform(0.05, 0.3, n)
    pred = 0.2 + 0.98 * truth + 1.2 * sigma * rng.standard_normal(n)
    mass = regression("stellar-mass", truth, pred, 21, sigma)
    # Photometric redshift with 5% catastrophic outliers.
    n = 3001
    z = rng.uniform(0.01, 0.8, n)
    zp = z + 0.03 * (1 + z) * rng.standard_normal(n)
    bad = rng.random(n) < 0.05
    zp[bad] = rng.uniform(0, 1.0, bad.sum())
    photoz = regression("photo-z", z, zp, 5, photoz=True)
    # Tiny case: easy to check by hand.
    tiny = regression("tiny", np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1.1, 1.9, 3.2, 3.7, 5.0]), 1,
                      np.array([0.1, 0.2, 0.1, 0.2, 0.5]))
    # Classes, one never predicted (precision 0 by zero_division=0).
    k = 4
    t = rng.integers(0, k, 1500)
    p = np.where(rng.random(1500) < 0.8, t, rng.integers(0, k, 1500))
    p[p == 3] = 2
    classes = classification("four-classes", t, p, ["STAR", "GALAXY", "QSO", "UNKNOWN"])
    out = {
        "generator": "make_baselines.py",
        "tools": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                  "sklearn": sklearn.__version__},
        "regression": [mass, photoz, tiny],
        "classification": [classes],
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
