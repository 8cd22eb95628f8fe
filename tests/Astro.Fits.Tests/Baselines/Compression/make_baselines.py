#!/usr/bin/python3
"""Builds the tile-compression fixtures used by tests/Astro.Fits.Tests/Compression/*.Tests.cs.

Re-run (Debian 12 packages; the reference decoder is the system cfitsio through python3-fitsio):

    apt-get install -y python3-astropy python3-fitsio python3-numpy libcfitsio-bin
    /usr/bin/python3 tests/Astro.Fits.Tests/Baselines/Compression/make_baselines.py

Tool versions the committed fixtures were made with: cfitsio 4.2.0 (libcfitsio10 4.2.0-3), fpack 1.7.0 / cfitsio 4.020, astropy 5.2.1, numpy 1.24.2.
Set FITS_CONFORMANCE to override the data directory (default /work/shared/data/fits-conformance).

For each selected tile (one row of the compressed binary table) a fixture entry records:
  * the raw compressed bytes of the tile, exactly as stored in the heap (read with astropy's
    disable_image_compression=True, i.e. the binary table itself);
  * the tile parameters: codec, ZVALn, bytePix, block size, HCOMPRESS scale/smooth, ZQUANTIZ,
    ZSCALE, ZZERO, ZBLANK, ZDITHER0, the 0-based tile (row) index and the tile shape;
  * the tile's decoded values as cfitsio produces them: the file is decompressed with funpack
    (cfitsio's fits_img_decompress: ZBLANK pixels become NaN) and read back with astropy without
    BSCALE/BZERO scaling, then sliced to the tile; integers are the raw stored integers (for
    HCOMPRESS of 8/16-bit images cfitsio clips to the image type), floats are unquantised values.
    The image is also read directly through cfitsio (python3-fitsio, no null checking, BZERO
    subtracted again); where funpack rejects the file (astropy/io_fits/comp.fits) or disagrees on
    non-null pixels (cfitsio 4.2.0 funpack mangles compressed_with_nan.fits) that direct read is the
    reference ("reference": "fitsio") and the test unquantises without ZBLANK, like cfitsio does then.
  * for fpack-made float images, the original (pre-quantisation) tile values.
Arrays are stored little-endian, gzip-compressed (mtime 0) and base64-encoded to keep the files
small. Synthetic images are made deterministically (numpy seed 20240611) and compressed with fpack.
"""

import base64
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from astropy.io import fits
import fitsio

HERE = os.path.dirname(os.path.abspath(__file__))
LARGE_TILE = 10000
DATA = os.environ.get("FITS_CONFORMANCE", "/work/shared/data/fits-conformance")


def pack(values, dtype):
    arr = np.ascontiguousarray(np.asarray(values).ravel(), dtype=np.dtype(dtype).newbyteorder("<"))
    return base64.b64encode(gzip.compress(arr.tobytes(), mtime=0)).decode("ascii")


def zvals(hdr):
    out = {}
    for i in range(1, 10):
        name = hdr.get(f"ZNAME{i}")
        if name is None:
            break
        out[name.strip().upper()] = hdr.get(f"ZVAL{i}")
    return out


def row_value(table, hdr, column, row):
    if column in table.columns.names:
        return table[column][row].item()
    return hdr.get(column)


def read_with_fitsio(path, hdu):
    """The image through cfitsio's fits_read_pix without null checking (python3-fitsio), BZERO removed again."""
    data = fitsio.read(path, ext=hdu)
    hdr = fitsio.read_header(path, ext=hdu)
    if data.dtype.kind in "iu":
        assert hdr.get("BSCALE", 1.0) == 1.0
        data = data.astype(np.int64) - int(hdr.get("BZERO", 0))
    return data


def reference_image(path, hdu):
    """cfitsio's decompression of the image and where it came from ("funpack" or "fitsio")."""
    direct = read_with_fitsio(path, hdu)
    with tempfile.TemporaryDirectory(prefix="astro-fits-funpack-") as tmp:
        out = os.path.join(tmp, "ref.fits")
        try:
            subprocess.run(["funpack", "-O", out, path], check=True, capture_output=True)
        except subprocess.CalledProcessError:
            print(f"note: funpack rejects {path}; using fitsio", file=sys.stderr)
            return direct, "fitsio"
        with fits.open(out, do_not_scale_image_data=True) as h:
            images = [x for x in h if x.data is not None and x.is_image]
            unpacked = np.array(images[hdu - 1 if len(images) >= hdu else 0].data)
    # funpack turns ZBLANK pixels into NaN; everywhere else it must agree with the direct read.
    # (cfitsio 4.2.0's funpack mangles astropy's compressed_with_nan.fits: then the direct read,
    # which does no null checking, is the reference and the test decodes without ZBLANK.)
    same = (unpacked == direct) | np.isnan(unpacked) if unpacked.dtype.kind == "f" else unpacked == direct
    if unpacked.shape == direct.shape and same.all():
        return unpacked, "funpack"
    print(f"note: funpack and fitsio disagree on {path}; using fitsio (no null checking)", file=sys.stderr)
    return direct, "fitsio"


def extract(path, label, rows=None, hdu=1, original=None):
    """Returns the fixture document for the chosen tiles of one compressed image HDU."""
    with fits.open(path, disable_image_compression=True) as h:
        hdr = h[hdu].header.copy()
        table = h[hdu].data
        raw_rows = [np.asarray(r) for r in table["COMPRESSED_DATA"]]
        columns = table.columns
        extra = {c: np.array(table[c]) for c in ("ZSCALE", "ZZERO", "ZBLANK") if c in columns.names}

    image, reference = reference_image(path, hdu)
    zbitpix = hdr["ZBITPIX"]
    zcmptype = hdr["ZCMPTYPE"].strip()
    codec = "RICE_1" if zcmptype == "RICE_ONE" else zcmptype   # cfitsio writes RICE_ONE for dither 2
    values = zvals(hdr)
    naxis = hdr["ZNAXIS"]
    n1 = hdr["ZNAXIS1"]
    n2 = hdr["ZNAXIS2"] if naxis > 1 else 1
    t1 = hdr.get("ZTILE1", n1)
    t2 = hdr.get("ZTILE2", 1) if naxis > 1 else 1
    image = image.reshape(n2, n1)
    ntx = -(-n1 // t1)
    quantiz = hdr.get("ZQUANTIZ")
    quantized = zbitpix < 0 and "ZSCALE" in extra
    if zbitpix < 0 and quantiz is None and quantized:
        quantiz = "NO_DITHER"
    if quantized and quantiz is None:
        quantiz = "NO_DITHER"

    if rows is None:
        count = len(raw_rows)
        rows = sorted({0, 1 % count, count // 2, count - 1})

    tiles = []
    for r in rows:
        raw = raw_rows[r]
        if raw.size == 0:
            continue
        tx, ty = r % ntx, r // ntx
        x0, y0 = tx * t1, ty * t2
        w, hgt = min(t1, n1 - x0), min(t2, n2 - y0)
        expected = image[y0:y0 + hgt, x0:x0 + w]
        raw_bytes = raw.astype(raw.dtype.newbyteorder(">")).tobytes()
        tile = {
            "tileIndex": r,
            "reference": reference,
            "width": int(w),
            "height": int(hgt),
            "compressed": base64.b64encode(raw_bytes).decode("ascii"),
        }
        if codec == "RICE_1":
            tile["bytePix"] = int(values.get("BYTEPIX", 4))   # cfitsio's default when ZNAMEn BYTEPIX is absent
            tile["blockSize"] = int(values.get("BLOCKSIZE", 32))
        elif codec == "HCOMPRESS_1":
            tile["scale"] = int(values.get("SCALE", 0))
            tile["smooth"] = int(values.get("SMOOTH", 0))
            tile["bytePix"] = 8 if abs(zbitpix) == 64 and not quantized else 4
        elif codec.startswith("GZIP"):
            inflated = len(gzip.decompress(raw_bytes))
            tile["bytePix"] = inflated // (w * hgt)
        elif codec == "PLIO_1":
            tile["bytePix"] = 4
        if quantized:
            tile["quantize"] = quantiz.strip()
            tile["zscale"] = float(extra["ZSCALE"][r])
            tile["zzero"] = float(extra["ZZERO"][r])
            zb = extra["ZBLANK"][r] if "ZBLANK" in extra else hdr.get("ZBLANK")
            tile["zblank"] = None if zb is None else int(zb)
            tile["zdither0"] = int(hdr.get("ZDITHER0", 0))
        kind = {-32: "f4", -64: "f8", 64: "i8"}.get(zbitpix, "i4")
        tile["expectedType"] = kind
        if expected.size > LARGE_TILE:
            # Large tiles keep only a digest of the little-endian values (size budget).
            # NaNs are canonicalised (0x7FC00000 / 0x7FF8000000000000) before hashing: their payload is not compared.
            le = np.ascontiguousarray(expected.ravel(), dtype=np.dtype(kind).newbyteorder("<")).copy()
            if kind[0] == "f":
                le[np.isnan(le)] = np.nan
            tile["expectedSha256"] = hashlib.sha256(le.tobytes()).hexdigest()
        else:
            tile["expected"] = pack(expected, kind)
        if original is not None and expected.size <= LARGE_TILE:
            tile["original"] = pack(original.reshape(n2, n1)[y0:y0 + hgt, x0:x0 + w], original.dtype.str[1:])
        tiles.append(tile)

    return {
        "label": label,
        "source": os.path.relpath(path, DATA) if path.startswith(DATA) else os.path.basename(path),
        "codec": codec,
        "zcmptype": zcmptype,
        "zbitpix": zbitpix,
        "zvals": values,
        "tiles": tiles,
    }


def synthetic_images():
    rng = np.random.default_rng(20240611)
    ny, nx = 60, 100
    y, x = np.mgrid[0:ny, 0:nx]
    blob = 900.0 * np.exp(-((x - 37.3) ** 2 + (y - 21.7) ** 2) / 60.0)

    u8 = np.clip(40 + blob / 6 + rng.normal(0, 3, (ny, nx)), 0, 255).astype(np.uint8)
    u8[5, :] = 17                                     # constant row: low-entropy blocks
    u8[6, :] = rng.integers(0, 256, nx)               # high-entropy row

    i16 = (blob + rng.normal(0, 12, (ny, nx)) - 300).astype(np.int16)
    i16[7, :] = -1234
    i16[8, :] = rng.integers(-32768, 32768, nx)
    i16[9, :50] = 32767
    i16[9, 50:] = -32768

    i32 = (blob * 5000 + rng.normal(0, 4000, (ny, nx))).astype(np.int32)
    i32[3, :] = 123456789
    i32[4, :] = rng.integers(-2**31, 2**31, nx, dtype=np.int64).astype(np.int32)
    i32[5, ::2] = 2**31 - 1
    i32[5, 1::2] = -2**31

    plio = np.zeros((ny, nx), dtype=np.int16)
    plio[(x - 50) ** 2 + (y - 30) ** 2 < 200] = 3
    plio[10:20, 5:60] = 7
    plio[30:32, :] = 5000                            # > 4095: needs the 'set high value' opcode
    plio[40, ::3] = 1
    plio[45:50, 70:71] = 12000

    f32 = (blob + rng.normal(100.0, 7.5, (ny, nx))).astype(np.float32)
    f32[12, 10:20] = np.nan
    f32[13, :] = np.nan
    f32[20:22, 30:60] = 0.0                          # exact zeros (kept exact by SUBTRACTIVE_DITHER_2)
    f64 = (blob * 1.0e-3 + rng.normal(5.0, 0.01, (ny, nx))).astype(np.float64)
    f64[2, 3] = np.nan

    big = (rng.normal(250.0, 20.0, (100, 120))).astype(np.float32)   # one 12000-pixel tile: crosses the
    big[50, 60] = np.nan                                               # end of the 10000-value random table
    i64 = (blob * 1.0e9).astype(np.int64) + rng.integers(-1000, 1000, (ny, nx))
    return {"u8": u8, "i16": i16, "i32": i32, "plio": plio, "f32": f32, "f64": f64, "i64": i64, "big": big}


def fpack(src, flags, work, tag):
    dst = os.path.join(work, f"{tag}.fits.fz")
    subprocess.run(["fpack", *flags, "-O", dst, src], check=True, capture_output=True)
    return dst


def set_smooth(path):
    with fits.open(path, mode="update", disable_image_compression=True) as h:
        hdr = h[1].header
        for i in range(1, 10):
            if hdr.get(f"ZNAME{i}", "").strip().upper() == "SMOOTH":
                hdr[f"ZVAL{i}"] = 1
                return
        raise RuntimeError("no SMOOTH parameter")


def main():
    out = HERE
    docs = {}
    real = [
        ("real_m13_rice", "nom-tam-fits/image_provided/m13_rice.fits", None),
        ("real_m13_gzip", "nom-tam-fits/image_provided/m13_gzip.fits", None),
        ("real_m13_plio", "nom-tam-fits/image_provided/m13_plio.fits", None),
        ("real_m13_hcomp", "nom-tam-fits/image_provided/m13_hcomp.fits", None),
        ("real_m13real_rice_nodither", "nom-tam-fits/image_provided/m13real_rice.fits", None),
        ("real_comp_rice_i16", "astropy/io_fits/comp.fits", None),
        ("real_compressed_float_bzero", "astropy/io_fits/compressed_float_bzero.fits", None),
        ("real_compressed_with_nan", "astropy/io_fits_hdu_compressed/compressed_with_nan.fits", None),
        ("real_gzip2_f64", "fitsio/test_gzip_compressed_image.fits.fz", None),
        ("real_rice_dither2_seed42", "fitsio/test_rice_dither2_seed42.fits.fz", [0, 1, 57, 99]),
        ("real_galsim_testUS", "galsim/Image_comparison_images/testUS.fits.fz", None),
        ("real_galsim_testI", "galsim/Image_comparison_images/testI.fits.fz", None),
    ]
    for label, rel, rows in real:
        docs[label] = extract(os.path.join(DATA, rel), label, rows)

    work = tempfile.mkdtemp(prefix="astro-fits-baselines-")
    try:
        images = synthetic_images()
        paths = {}
        for name, arr in images.items():
            p = os.path.join(work, f"{name}.fits")
            fits.PrimaryHDU(arr).writeto(p)
            paths[name] = p

        jobs = [
            ("fpack_rice_u8", "u8", ["-r"]),
            ("fpack_rice_i16", "i16", ["-r"]),
            ("fpack_rice_i32", "i32", ["-r"]),
            ("fpack_rice_i32_whole", "i32", ["-r", "-w"]),
            ("fpack_gzip1_i16", "i16", ["-g"]),
            ("fpack_gzip1_u8", "u8", ["-g"]),
            ("fpack_gzip2_i32", "i32", ["-g2"]),
            ("fpack_gzip2_i16", "i16", ["-g2"]),
            ("fpack_gzip2_f32_lossless", "f32", ["-g2", "-q", "0"]),
            ("fpack_gzip1_f64_lossless", "f64", ["-g", "-q", "0"]),
            ("fpack_hcomp_i16", "i16", ["-h", "-t", "45,13"]),
            ("fpack_hcomp_i32", "i32", ["-h", "-t", "64,16"]),
            ("fpack_hcomp_i16_scale8", "i16", ["-h", "-s", "-8", "-t", "45,13"]),
            ("fpack_hcomp_i16_scale8_smooth", "i16", ["-h", "-s", "-8", "-t", "45,13"]),
            ("fpack_hcomp_u8", "u8", ["-h", "-t", "32,32"]),
            ("fpack_hcomp_i64", "i64", ["-h", "-t", "50,20"]),
            ("fpack_plio_i16", "plio", ["-p"]),
            ("fpack_rice_f32_dither1", "f32", ["-r", "-qt", "4"]),
            ("fpack_rice_f32_dither2", "f32", ["-r", "-qzt", "4"]),
            ("fpack_rice_f32_nodither", "f32", ["-r", "-q0", "4"]),
            ("fpack_gzip1_f32_dither1", "f32", ["-g", "-qt", "2"]),
            ("fpack_hcomp_f32_dither1", "f32", ["-h", "-qt", "4", "-t", "50,12"]),
            ("fpack_rice_f64_dither1", "f64", ["-r", "-qt", "4"]),
            ("fpack_rice_f32_absolute", "f32", ["-r", "-qt", "-0.25"]),
            ("fpack_rice_f32_whole_dither1", "big", ["-r", "-w", "-q9999", "4"]),
        ]
        for label, src, flags in jobs:
            try:
                p = fpack(paths[src], flags, work, label)
            except subprocess.CalledProcessError as e:
                print(f"skip {label}: fpack failed: {e.stderr.decode(errors='replace').strip()}", file=sys.stderr)
                continue
            if label.endswith("_smooth"):
                set_smooth(p)
            with fits.open(p, disable_image_compression=True) as h:
                if len(h) < 2 or "ZCMPTYPE" not in h[1].header:
                    print(f"skip {label}: fpack did not tile-compress", file=sys.stderr)
                    continue
            original = images[src] if images[src].dtype.kind == "f" else None
            try:
                rows = [0, 12, 13, 59] if src == "f32" and "-t" not in flags else None   # rows 12, 13 hold NaNs
                docs[label] = extract(p, label, rows, original=original)
            except Exception as e:  # noqa: BLE001 - report and keep going
                print(f"skip {label}: {e}", file=sys.stderr)
    finally:
        shutil.rmtree(work)

    for old in os.listdir(out):
        if old.endswith(".json"):
            os.remove(os.path.join(out, old))
    total = 0
    for label, doc in docs.items():
        path = os.path.join(out, f"{label}.json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        total += os.path.getsize(path)
        print(f"{label}: {doc['codec']} zbitpix={doc['zbitpix']} tiles={len(doc['tiles'])}")
    print(f"{len(docs)} fixture files, {total} bytes")


if __name__ == "__main__":
    main()
