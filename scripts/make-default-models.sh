#!/usr/bin/env bash
# Re-creates models/: the small default model packages the function app serves, trained on the shared data
# (../shared/data/photometry, see each SOURCE.txt). Deterministic from --seed (default 42) on one torch thread.
# Usage: scripts/make-default-models.sh [DATA_DIR]     (run from anywhere; takes ~10–20 min on 2 busy cores)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:-${ASTRO_DATA:-$ROOT/../shared/data/photometry}}"
cd "$ROOT"
[ "${ASTRO_SKIP_BUILD:-0}" = 1 ] || dotnet build trainer -c Release -v quiet -nologo   # ASTRO_SKIP_BUILD=1: use the existing build
ASTRO=(dotnet trainer/bin/Release/net10.0/astro.dll)
mkdir -p models

# Photometric redshift, SDSS BOSS DR10 (ANNz2 example set): ugriz magnitudes -> spec-z; paper 000's stellar-mass network shape.
rm -rf models/sdss-boss-dr10-zspec
"${ASTRO[@]}" train --profile profiles/sdss-boss-dr10.json \
  --catalog "$DATA/annz-boss-dr10/photoZ/train/boss_dr10_0.csv" \
  --target zSpec --selection none --arch sm --ensemble 3 \
  --name sdss-boss-dr10-zspec --out models/sdss-boss-dr10-zspec

# Star / galaxy / QSO, SDSS DR14: ugriz -> class; paper 001's classifier shape, trained longer than its 20 epochs.
# --selection none: paper 000's 0 < z <= 0.5 cut is a galaxy-sample cut and would remove the stars (z ~ 0) and most QSOs.
rm -rf models/sdss-dr14-class
"${ASTRO[@]}" train --profile profiles/sdss-dr14-star-galaxy-qso.json \
  --catalog "$DATA/sdss-dr14-star-galaxy-qso/Skyserver_SQL2_27_2018_6_51_39_PM.csv" \
  --target class --selection none --arch class001 --epochs 300 --patience 30 --ensemble 3 \
  --name sdss-dr14-class --out models/sdss-dr14-class

# Stellar mass, DustPedia (19 of paper 000's 21 bands + z, CIGALE labels): paper 000 selection and network, with band
# dropout so galaxies with missing bands get (flagged) predictions too.
rm -rf models/dustpedia-logmstar
"${ASTRO[@]}" train --profile profiles/dustpedia.json \
  --catalog "$DATA/dustpedia-cigale/DustPedia_Aperture_Photometry_2.2.csv" \
  --target logMstar --arch sm --band-dropout 0.1 --ensemble 3 \
  --name dustpedia-logmstar --out models/dustpedia-logmstar

du -sh models/*
