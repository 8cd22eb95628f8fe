#!/usr/bin/python3
"""Manual cross-check: astropy reads every file our FitsWriter makes, with valid checksums.

    ASTRO_FITS_WRITER_SAMPLES=/tmp/writer-samples dotnet test tests/Astro.Fits.Tests --filter "FullyQualifiedName~Fitsverify"
    /usr/bin/python3 tests/Astro.Fits.Tests/Baselines/Writing/check_with_astropy.py /tmp/writer-samples

Exits 1 when astropy warns (checksum failures are warnings) or fails on any file or HDU.
"""

import glob
import os
import sys
import warnings

from astropy.io import fits

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/writer-samples"
failed = 0
for path in sorted(glob.glob(os.path.join(folder, "*.fits"))):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with fits.open(path, checksum=True, uint=True) as hdus:
                hdus.verify("exception")
                summary = []
                for hdu in hdus:
                    data = hdu.data
                    if isinstance(hdu, fits.BinTableHDU):
                        for name in hdu.columns.names or []:
                            _ = data[name] if data is not None else None
                    summary.append(f"{type(hdu).__name__}{'' if data is None else getattr(data, 'shape', '')}")
                problems = [str(w.message).strip() for w in caught if "unclosed" not in str(w.message)]
        except Exception as e:  # noqa: BLE001
            problems = [f"{type(e).__name__}: {e}"]
            summary = []
    status = "OK" if not problems else "FAILED"
    failed += bool(problems)
    print(f"{status}: {os.path.basename(path)} {' '.join(summary)} {'; '.join(problems)}")
sys.exit(1 if failed else 0)
