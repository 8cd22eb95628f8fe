#!/usr/bin/env python3
"""The reference for `astro bench predict`: what a user would write instead of `astro predict`.

pandas read_csv, the package's feature transform (asinh of the fluxes) and standardisation, the package's MLP in
PyTorch (22-44-66-66 with ReLU, a mean and a log-variance head, weights read from the same model.onnx that
`astro predict` serves), the slope correction and calibrated sigma, then DataFrame.to_csv.

Usage: predict_reference.py PACKAGE_DIR CATALOG.csv OUTPUT.csv
Needs Debian's python3-pandas, python3-torch and python3-onnx (the ONNX file is read only for its weights).
Prints one line: rows and seconds inside the script (the bench times the whole process).
"""
import json
import sys
import time

import numpy as np
import onnx
import pandas as pd
import torch
from onnx import numpy_helper


def load_mlp(package):
    model = onnx.load(f"{package}/model.onnx")
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    manifest = json.load(open(f"{package}/manifest.json", encoding="utf-8"))
    hidden = []
    layer = 1
    while f"dense{layer}_w" in weights:
        w = torch.from_numpy(weights[f"dense{layer}_w"].copy())  # [in, out] as in the Gemm node
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(w.T)
            lin.bias.copy_(torch.from_numpy(weights[f"dense{layer}_b"].copy()))
        hidden += [lin, torch.nn.ReLU()]
        layer += 1
    heads = []
    for name in ("mean", "log_var"):
        w = torch.from_numpy(weights[f"{name}_w"].copy())
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(w.T)
            lin.bias.copy_(torch.from_numpy(weights[f"{name}_b"].copy()))
        heads.append(lin)
    return torch.nn.Sequential(*hidden).eval(), heads[0].eval(), heads[1].eval(), manifest


def main():
    package, catalog, output = sys.argv[1:4]
    t0 = time.perf_counter()
    body, mean_head, logvar_head, manifest = load_mlp(package)
    bands = [i["name"] for i in manifest["inputs"] if i["kind"] == "band"]
    profile = json.load(open(f"{package}/profile.json", encoding="utf-8"))
    columns = [b["column"] for b in profile["bands"] if b["name"] in bands]
    zcol = profile["redshift"]["column"]
    idcol = profile["idColumn"]

    df = pd.read_csv(catalog, dtype={idcol: str})
    flux = df[columns].to_numpy(dtype=np.float32)
    z = df[zcol].to_numpy(dtype=np.float32)
    keep = np.isfinite(flux).all(axis=1) & np.isfinite(z)  # the package's missing-band policy is "drop"
    soft = float(manifest["featureTransform"]["softening"])
    x = np.concatenate([np.arcsinh(flux / soft), z[:, None]], axis=1)
    mean = np.asarray(manifest["standardization"]["mean"], dtype=np.float32)
    std = np.asarray(manifest["standardization"]["std"], dtype=np.float32)
    x = (x - mean) / std

    torch.set_grad_enabled(False)
    h = body(torch.from_numpy(x[keep]))
    mu = mean_head(h).squeeze(1).double().numpy()
    sigma = np.sqrt(np.exp(logvar_head(h).squeeze(1).double().numpy())) * float(manifest["uncertainty"]["calibrationScale"])
    c = manifest.get("slopeCorrection") or [0.0, 1.0]
    value = np.polyval(c[::-1], mu)
    slope = np.polyval(np.polyder(np.asarray(c[::-1])), mu)
    sigma = sigma * np.abs(slope)

    prediction = np.full(len(df), np.nan, dtype=np.float32)
    uncertainty = np.full(len(df), np.nan, dtype=np.float32)
    prediction[keep] = value
    uncertainty[keep] = sigma
    out = pd.DataFrame({"id": df[idcol], "prediction": prediction, "uncertainty": uncertainty,
                        "flags": np.where(keep, 0, 4)})
    out.to_csv(output, index=False)
    print(f"{len(df)} rows in {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
