#!/usr/bin/python3
"""Reference values for FitsCatalogSourceTests, from astropy (Debian python3-astropy 5.2.1).

Run from this folder: /usr/bin/python3 make_baselines.py  (writes boss_dr10_0.fits.json)
"""
import json, os, astropy
from astropy.io import fits

root = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 4))
path = os.path.join(root, "shared", "data", "photometry", "annz-boss-dr10", "photoZ", "fits", "boss_dr10_0.fits.gz")
d = fits.open(path)[1].data
out = {
    "tool": "astropy " + astropy.__version__,
    "file": "shared/data/photometry/annz-boss-dr10/photoZ/fits/boss_dr10_0.fits.gz",
    "rows": len(d),
    "columns": list(d.columns.names),
    "first": {c: [float(v) for v in d[c][:3]] for c in ("MAG_U", "MAG_Z", "Z")},
    "last": {c: float(d[c][-1]) for c in ("MAG_U", "MAG_Z", "Z")},
    "sum": {c: float(d[c].astype("float64").sum()) for c in ("MAG_U", "MAG_Z", "Z")},
}
with open("boss_dr10_0.fits.json", "w") as f:
    json.dump(out, f, indent=2)
