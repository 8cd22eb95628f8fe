#!/usr/bin/env bash
# The demo on the shipped sample data. Until the function app lands, it shows the FITS library on a
# real KiDS cutout: the HDU listing and the statistics of its pixels.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build trainer -c Release --nologo -v quiet >/dev/null
astro() { dotnet trainer/bin/Release/net10.0/astro.dll "$@"; }
echo "== astro fits info samples/cutouts/G266033fitim.fits"
astro fits info samples/cutouts/G266033fitim.fits
echo "== astro fits stats samples/cutouts/G266033fitim.fits"
astro fits stats samples/cutouts/G266033fitim.fits
