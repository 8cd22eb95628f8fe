#!/usr/bin/python3
"""Reference statistics for the conformance files astropy 5.2 cannot read (ORACLE.json: "unreadable").

Re-run from this folder with Debian's python3-astropy 5.2.1 and python3-fitsio 1.1.8 (cfitsio):
    /usr/bin/python3 make_baselines.py ../../../../../shared/data/fits-conformance > beyond-astropy.json
- *.Z (unix compress): decompressed with `gzip -dc`, then read by astropy.
- nom-tam-fits bt12.fits: read by fitsio (cfitsio), which
  reads what astropy refuses; columns flattened the same way `fits stats` does.
Statistics use float64 and the same rules as `fits stats` (TNULL/BLANK as undefined).
"""
import json, subprocess, sys, io
import numpy as np
import astropy
from astropy.io import fits
import fitsio

root = sys.argv[1].rstrip('/') + '/'

def vals(a, nan_extra=None):
    a = np.asarray(a, dtype=np.float64).ravel()
    bad = np.isnan(a)
    if nan_extra is not None:
        bad |= nan_extra
    good = a[~bad]
    d = {"count": int(a.size), "nan": int(bad.sum())}
    if good.size:
        d.update(min=float(good.min()), max=float(good.max()), mean=float(good.mean()), sum=float(good.sum()))
    return d

def astropy_stats(data):
    out = []
    with fits.open(io.BytesIO(data)) as h:
        for i, hdu in enumerate(h):
            if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU)):
                if hdu.header.get('NAXIS', 0) == 0:
                    out.append({"index": i, "kind": "empty"}); continue
                d = {"index": i, "kind": "image", "axes": [hdu.header['NAXIS%d' % (k + 1)] for k in range(hdu.header['NAXIS'])]}
                d.update(vals(hdu.data)); out.append(d)
            elif isinstance(hdu, fits.BinTableHDU):
                cols = []
                for c in hdu.columns:
                    if c.format.format in 'BIJKED' and 'P' not in c.format and 'Q' not in c.format:
                        v = vals(hdu.data[c.name]); v.pop('sum', None); cols.append({"name": c.name, **v})
                out.append({"index": i, "kind": "bintable", "rows": hdu.header['NAXIS2'], "columns": cols})
    return out

def fitsio_stats(path):
    out = []
    with fitsio.FITS(path) as f:
        for i, hdu in enumerate(f):
            h = hdu.read_header()
            t = hdu.get_exttype()
            if t == 'IMAGE_HDU':
                if h.get('NAXIS', 0) == 0:
                    out.append({"index": i, "kind": "empty"}); continue
                data = hdu.read()
                blank = None
                d = {"index": i, "kind": "image", "axes": [h['NAXIS%d' % (k + 1)] for k in range(h['NAXIS'])]}
                raw = np.asarray(data)
                extra = None
                if 'BLANK' in h and raw.dtype.kind in 'iu':
                    extra = (raw.ravel() == h['BLANK'])
                d.update(vals(raw * h.get('BSCALE', 1.0) + h.get('BZERO', 0.0), extra)); out.append(d)
            else:
                kind = "bintable" if t == 'BINARY_TBL' else "table"
                data = hdu.read(lower=False)
                cols = []
                for k in range(h['TFIELDS']):
                    tform = h['TFORM%d' % (k + 1)].strip()
                    code = tform.lstrip('0123456789')[:1]
                    if kind == 'table':
                        numeric = code in 'IFED'
                    else:
                        numeric = code in 'BIJKED'
                    if not numeric:
                        continue
                    col = data[data.dtype.names[k]]
                    raw = np.asarray(col)
                    extra = None
                    tnull = h.get('TNULL%d' % (k + 1))
                    if tnull is not None and kind == 'bintable':
                        # fitsio applies TSCAL/TZERO; TNULL names a raw value
                        unscaled = (raw.astype(np.float64) - h.get('TZERO%d' % (k + 1), 0.0)) / h.get('TSCAL%d' % (k + 1), 1.0)
                        extra = (np.round(unscaled) == tnull).ravel()
                    v = vals(raw, extra); v.pop('sum', None)
                    name = h.get('TTYPE%d' % (k + 1))
                    cols.append({"name": name, **v})
                out.append({"index": i, "kind": kind, "rows": h['NAXIS2'], "columns": cols})
    return out

result = {}
for rel in ["astropy/io_fits/lzw.fits.Z", "nom-tam-fits/fits_test/test.fits.Z", "nom-tam-fits/fits_test/rp600245n00_im1.fits.Z"]:
    data = subprocess.run(["gzip", "-dc", root + rel], capture_output=True, check=True).stdout
    result[rel] = {"tool": "gzip -dc + astropy " + astropy.__version__, "hdus": astropy_stats(data)}
# cfitsio/testprog.std and testf77.std are left out: fitsio stops on their complex-valued header keyword.
for rel in ["nom-tam-fits/table_comp/bt12.fits"]:
    result[rel] = {"tool": "fitsio " + fitsio.__version__ + " (cfitsio)", "hdus": fitsio_stats(root + rel)}
print(json.dumps(result, indent=1))
