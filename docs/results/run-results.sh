#!/usr/bin/env bash
# Re-runs every training and evaluation behind docs/results.md (except the three default packages, made by
# scripts/make-default-models.sh, which results.md also uses). Outputs go to $OUT (default /tmp/astro-results):
# one model package per run (metrics.json, plots/) and a log of the command's output.
# Usage: docs/results/run-results.sh [group...]   groups: dustpedia dustpedia-dropout dustpedia-distance boss sdss alhambra plots
# (default: all, in that order; boss and plots need models/ from scripts/make-default-models.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${ASTRO_DATA:-$ROOT/../shared/data/photometry}"
OUT="${OUT:-/tmp/astro-results}"
cd "$ROOT"
mkdir -p "$OUT"
ASTRO=(dotnet trainer/bin/Release/net10.0/astro.dll)
DP="$DATA/dustpedia-cigale/DustPedia_Aperture_Photometry_2.2.csv"
ALH="$DATA/alhambra-cosmos-match/match_alh2.csv"
SDSS="$DATA/sdss-dr14-star-galaxy-qso/Skyserver_SQL2_27_2018_6_51_39_PM.csv"
BOSS="$DATA/annz-boss-dr10/photoZ"

run() { local name="$1"; shift; echo "== $name: astro $*"; "${ASTRO[@]}" "$@" --out "$OUT/$name" > "$OUT/$name.log" 2>&1; tail -n 25 "$OUT/$name.log"; }

dustpedia() {
  # Paper 000's selection (0 < z <= 0.5, M* >= 1e9, no missing or negative flux, >= 6 bands at SNR >= 3) and networks, 5-fold CV.
  run dp-logmstar train --profile profiles/dustpedia.json --catalog "$DP" --target logMstar --arch sm  --folds 5 --ensemble 3
  run dp-logsfr   train --profile profiles/dustpedia.json --catalog "$DP" --target logSFR   --arch sfr --folds 5 --ensemble 3
  run dp-logldust train --profile profiles/dustpedia.json --catalog "$DP" --target logLdust --arch dl  --folds 5 --ensemble 3
}

dustpedia_dropout() {
  # The same, keeping galaxies with missing bands (mask inputs, band dropout 0.1 in training).
  run dp-logmstar-dropout train --profile profiles/dustpedia.json --catalog "$DP" --target logMstar --arch sm  --folds 5 --ensemble 3 --band-dropout 0.1
  run dp-logsfr-dropout   train --profile profiles/dustpedia.json --catalog "$DP" --target logSFR   --arch sfr --folds 5 --ensemble 3 --band-dropout 0.1
  run dp-logldust-dropout train --profile profiles/dustpedia.json --catalog "$DP" --target logLdust --arch dl  --folds 5 --ensemble 3 --band-dropout 0.1
}

dustpedia_distance() {
  # Paper 000's selection and networks with HyperLEDA's distance instead of the recession velocity as the 'redshift' input.
  run dp-logmstar-distance train --profile docs/results/dustpedia-distance.json --catalog "$DP" --target logMstar --arch sm  --folds 5 --ensemble 3
  run dp-logsfr-distance   train --profile docs/results/dustpedia-distance.json --catalog "$DP" --target logSFR   --arch sfr --folds 5 --ensemble 3
  run dp-logldust-distance train --profile docs/results/dustpedia-distance.json --catalog "$DP" --target logLdust --arch dl  --folds 5 --ensemble 3
  run dp-logmstar-distance-dropout train --profile docs/results/dustpedia-distance.json --catalog "$DP" --target logMstar --arch sm --folds 5 --ensemble 3 --band-dropout 0.1
}

boss() {
  # The package is models/sdss-boss-dr10-zspec (scripts/make-default-models.sh); score it on the two disjoint eval files.
  # (eval0 has no newline after its last row: add one before appending eval1's rows without its header.)
  { cat "$BOSS/eval/boss_dr10_eval0.csv"; [ -n "$(tail -c 1 "$BOSS/eval/boss_dr10_eval0.csv")" ] && echo; tail -n +2 "$BOSS/eval/boss_dr10_eval1.csv"; } > "$OUT/boss_dr10_eval01.csv"
  echo "== boss-eval: astro evaluate --model models/sdss-boss-dr10-zspec --catalog boss_dr10_eval0.csv + eval1.csv (2,500 rows)"
  "${ASTRO[@]}" evaluate --model models/sdss-boss-dr10-zspec --catalog "$OUT/boss_dr10_eval01.csv" --out "$OUT/boss-eval" | tee "$OUT/boss-eval.log"
}

sdss() {
  # Paper 001's classifier as published (20 epochs); models/sdss-dr14-class is the same network trained for up to 300.
  run sdss-class001-preset train --profile profiles/sdss-dr14-star-galaxy-qso.json --catalog "$SDSS" --target class --selection none --arch class001 --ensemble 3
}

alhambra() {
  # Paper 001's four networks with its clipping selection and the slope correction (degree 1, fitted on validation), 5-fold CV.
  # First with the thesis' epoch counts, then trained to early stopping (817 rows need far more than the thesis' 7-80 epochs).
  run alh-zphot-preset    train --profile profiles/alhambra.json --catalog "$ALH" --target zPhot        --arch z001      --selection paper001 --folds 5 --ensemble 3
  run alh-logmstar-preset train --profile profiles/alhambra.json --catalog "$ALH" --target logMstar     --arch mass001   --selection paper001 --folds 5 --ensemble 3
  run alh-sptype-preset   train --profile profiles/alhambra.json --catalog "$ALH" --target spectralType --arch sptype001 --selection paper001 --folds 5 --ensemble 3
  run alh-starflag-preset train --profile docs/results/alhambra-starflag.json --catalog "$ALH" --target Starflag --arch class001 --selection paper001 --folds 5 --ensemble 3
  run alh-zphot    train --profile profiles/alhambra.json --catalog "$ALH" --target zPhot        --arch z001      --selection paper001 --folds 5 --ensemble 3 --epochs 3000 --patience 200
  run alh-logmstar train --profile profiles/alhambra.json --catalog "$ALH" --target logMstar     --arch mass001   --selection paper001 --folds 5 --ensemble 3 --epochs 3000 --patience 200
  run alh-sptype   train --profile profiles/alhambra.json --catalog "$ALH" --target spectralType --arch sptype001 --selection paper001 --folds 5 --ensemble 3 --epochs 3000 --patience 200
  run alh-starflag train --profile docs/results/alhambra-starflag.json --catalog "$ALH" --target Starflag --arch class001 --selection paper001 --folds 5 --ensemble 3 --epochs 1000 --patience 100
}

plots() {
  # Copies the plots docs/results.md shows (fold 1's test rows for k-fold runs) from the packages into docs/results/.
  local dest="$ROOT/docs/results"
  cp_plot() { mkdir -p "$dest/$2"; cp "$1/$3.png" "$dest/$2/$3.png"; }
  for r in dp-logmstar dp-logsfr dp-logldust dp-logmstar-distance; do
    for p in predicted_vs_true residual_vs_true calibration; do cp_plot "$OUT/$r/plots" "$r" "$p"; done
  done
  cp_plot "$OUT/dp-logmstar-dropout/plots" dp-logmstar-dropout predicted_vs_true
  for p in predicted_vs_true residual_vs_true calibration; do cp_plot "$OUT/boss-eval" boss-eval "$p"; done
  cp_plot "$ROOT/models/sdss-dr14-class/plots" sdss-dr14-class confusion_matrix
  cp_plot "$OUT/sdss-class001-preset/plots" sdss-class001-preset confusion_matrix
  for r in alh-zphot alh-logmstar alh-sptype; do
    for p in predicted_vs_true calibration; do cp_plot "$OUT/$r/plots" "$r" "$p"; done
  done
  cp_plot "$OUT/alh-starflag/plots" alh-starflag confusion_matrix
}

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(dustpedia dustpedia-dropout dustpedia-distance boss sdss alhambra plots)
for g in "${groups[@]}"; do "${g//-/_}"; done
