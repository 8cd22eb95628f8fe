#!/usr/bin/python3
"""Builds the astropy baselines used by tests/Astro.Fits.Tests/Writing/FitsWriter.Astropy.Tests.cs and
tests/Astro.Fits.Tests/Checksums/FitsChecksum.Tests.cs.

Re-run (Debian 12 packages):

    apt-get install -y python3-astropy python3-numpy
    /usr/bin/python3 tests/Astro.Fits.Tests/Baselines/Writing/make_baselines.py

Tool versions the committed files were made with: astropy 5.2.1, numpy 1.24.2.

Outputs (data units are deterministic; astropy stamps the CHECKSUM/DATASUM comments with the time of writing):
  * astropy_image_i16.fits   primary int16 image, 4 x 3 (NAXIS1 = 4), values (i * 1000) - 5000, checksum=True
  * astropy_image_f32.fits   primary float32 image, 5 x 2, values i / 4 with pixel 3 NaN, checksum=True
  * astropy_image_u16.fits   primary uint16 image (BZERO = 32768), 6 pixels, values i * 10000, checksum=True
  * astropy_table.fits       empty primary + BINTABLE of 5 rows: ID (J), FLUX (D), MAG (E), FLAG (L), NAME (A8),
                             VEC (3I), checksum=True; values as in the C# test
  * astropy_vla.fits         empty primary + BINTABLE of 4 rows: ARR (PJ), row i = [0, 1, ..., i-1] * 7, checksum=True
  * checksum_vectors.json    {"sum": "encoded"} for FitsChecksum.Encode(sum, complement: false), from astropy's
                             _ValidHDU._char_encode (the CHECKSUM card holds _char_encode(~sum))
The C# tests write the same values with our FitsWriter and require the data units (rows, heap, padding) to be
byte-identical to astropy's, and our reader to find astropy's DATASUM and CHECKSUM valid.
"""

import json
import os
import random

import numpy as np
from astropy.io import fits

here = os.path.dirname(os.path.abspath(__file__))


def write(name, hdus):
    fits.HDUList(hdus).writeto(os.path.join(here, name), overwrite=True, checksum=True)


write("astropy_image_i16.fits", [fits.PrimaryHDU(np.array([(i * 1000) - 5000 for i in range(12)], dtype=">i2").reshape(3, 4))])
f32 = np.array([i / 4 for i in range(10)], dtype=">f4")
f32[3] = np.nan
write("astropy_image_f32.fits", [fits.PrimaryHDU(f32.reshape(2, 5))])
write("astropy_image_u16.fits", [fits.PrimaryHDU(np.array([i * 10000 for i in range(6)], dtype=np.uint16))])

rows = 5
cols = [
    fits.Column(name="ID", format="J", array=np.array([i * 3 - 4 for i in range(rows)], dtype=np.int32)),
    fits.Column(name="FLUX", format="D", array=np.array([i * 1.25 + 0.1 for i in range(rows)])),
    fits.Column(name="MAG", format="E", array=np.array([20.5 - i for i in range(rows)], dtype=np.float32)),
    fits.Column(name="FLAG", format="L", array=np.array([i % 2 == 0 for i in range(rows)])),
    fits.Column(name="NAME", format="8A", array=np.array(["src" + str(i) for i in range(rows)])),
    fits.Column(name="VEC", format="3I", array=np.array([[i, -i, i * i] for i in range(rows)], dtype=np.int16)),
]
write("astropy_table.fits", [fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols)])

vla = np.array([np.array([k * 7 for k in range(i)], dtype=np.int32) for i in range(4)], dtype=object)
write("astropy_vla.fits", [fits.PrimaryHDU(), fits.BinTableHDU.from_columns([fits.Column(name="ARR", format="PJ()", array=vla)])])

rng = random.Random(20240611)
sums = [0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000000, 0x7FFFFFFF, 0x12345678, 0xDEADBEEF, 0x30303030, 0x3A3A3A3A, 0x5B5B5B5B, 0x60606060]
sums += [rng.getrandbits(32) for _ in range(40)]
encoder = fits.PrimaryHDU()
vectors = {str(s): encoder._char_encode(s) for s in sums}
with open(os.path.join(here, "checksum_vectors.json"), "w") as f:
    json.dump(vectors, f, indent=1, sort_keys=True)
