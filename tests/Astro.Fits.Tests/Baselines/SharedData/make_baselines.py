#!/usr/bin/python3
"""`fits stats`-shaped statistics, read by astropy, for every FITS file under ../shared/data outside
fits-conformance (survey cutouts, Galaxy Zoo tables, GalSim stamps, HCOMPRESS multiband images).

Re-run from this folder with Debian's python3-astropy 5.2.1 and numpy 1.24:
    /usr/bin/python3 make_baselines.py ../../../../../shared/data > astropy-stats.json
Rules as ORACLE.json: physical values in float64, NaN (and BLANK when astropy applies it) counted in
"nan" and left out of min/max/mean/sum; table columns B I J K E D (ASCII: I F E D) flattened.
"""
import json, os, sys
import numpy as np
import astropy
from astropy.io import fits

root = sys.argv[1].rstrip('/')

def vals(a, with_sum):
    a = np.asarray(a, dtype=np.float64).ravel()
    bad = np.isnan(a)
    good = a[~bad]
    d = {"count": int(a.size), "nan": int(bad.sum())}
    if good.size:
        d.update(min=float(good.min()), max=float(good.max()), mean=float(good.mean()))
        if with_sum:
            d["sum"] = float(good.sum())
    return d

def stats(path):
    out = []
    with fits.open(path) as h:
        for i, hdu in enumerate(h):
            if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)):
                # CompImageHDU.header is the uncompressed image's header, so NAXISn work for both.
                axes = [hdu.header['NAXIS%d' % (k + 1)] for k in range(hdu.header['NAXIS'])]
                if not axes:
                    out.append({"index": i, "kind": "empty"}); continue
                d = {"index": i, "kind": "image", "axes": axes}
                d.update(vals(hdu.data, True)); out.append(d)
            elif isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)):
                ascii = isinstance(hdu, fits.TableHDU)
                cols = []
                for c in hdu.columns:
                    f = c.format
                    code = str(f)
                    if ascii:
                        numeric = code[:1] in 'IFED'
                    else:
                        numeric = f.format in 'BIJKED' and not getattr(f, 'p_format', None)
                    if numeric:
                        cols.append({"name": c.name, **vals(hdu.data[c.name], False)})
                out.append({"index": i, "kind": "table" if ascii else "bintable", "rows": hdu.header['NAXIS2'], "columns": cols})
            else:
                out.append({"index": i, "kind": "other", "xtension": hdu.header.get('XTENSION', '')})
    return out

result = {"_tool": "astropy " + astropy.__version__ + ", numpy " + np.__version__}
for dirpath, _, files in sorted(os.walk(root)):
    if 'fits-conformance' in dirpath:
        continue
    for name in sorted(files):
        if any(name.endswith(e) for e in ('.fits', '.fits.gz', '.fit', '.fz', '.fits.fz')):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            try:
                result[rel] = {"hdus": stats(path)}
            except Exception as e:
                result[rel] = {"unreadable": f"{type(e).__name__}: {e}"}
print(json.dumps(result, indent=0))
