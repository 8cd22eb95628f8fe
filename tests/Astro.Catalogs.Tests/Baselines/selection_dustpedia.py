#!/usr/bin/env python3
"""Paper 000's selection on DustPedia, written independently of the C# code with Python's csv module.

Reads the three DustPedia files of shared/data/photometry/dustpedia-cigale, joins them on the galaxy name as
profiles/dustpedia.json describes (CIGALE fits: id -> Mstar__Msol, SFR__Msol_per_yr, Ldust__Lsol; HyperLEDA/NED:
objname -> ned_v_helio; the first row of a repeated ID is used), and applies the cuts in the order of paper 000 and
of SelectionOptions' defaults:

  1. redshift z = ned_v_helio / 299792.458: missing, else 0 < z <= 0.5
  2. stellar mass: log10(M*) missing (absent, nan, <= 0), else >= 9
  3. labels (log10 M*, SFR, L_dust) all finite
  4. the 19 bands (Jy -> uJy): any blank band -> missingFlux; any negative flux -> negativeFlux;
     fewer than 6 bands with flux / error >= 3 -> tooFewHighSnrBands

Blank bands are counted per band over every row. Writes selection_dustpedia.json beside this script (or to argv[2]).
Usage: python3 selection_dustpedia.py [DATA_DIR (default ../../../../shared/data/photometry/dustpedia-cigale)] [OUT]
"""
import csv
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "photometry", "dustpedia-cigale")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "selection_dustpedia.json")
C_KM_S = 299792.458
BANDS = [("FUV", "GALEX_FUV"), ("NUV", "GALEX_NUV"), ("u", "SDSS_u"), ("g", "SDSS_g"), ("r", "SDSS_r"), ("i", "SDSS_i"),
         ("z", "SDSS_z"), ("J", "2MASS_J"), ("H", "2MASS_H"), ("Ks", "2MASS_Ks"), ("W1", "WISE_3.4"), ("W2", "WISE_4.6"),
         ("W3", "WISE_12"), ("W4", "WISE_22"), ("P100", "PACS_100"), ("P160", "PACS_160"), ("S250", "SPIRE_250"),
         ("S350", "SPIRE_350"), ("S500", "SPIRE_500")]


def number(text):
    text = (text or "").strip()
    if text == "":
        return math.nan
    return float(text)  # 'nan' parses to NaN


def log10(x):
    return math.log10(x) if math.isfinite(x) and x > 0 else math.nan


def table(name, key):
    rows = {}
    with open(os.path.join(DATA, name), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row[key], row)
    return rows


def main():
    cigale = table("dustpedia_cigale_results_final_version.csv", "id")
    leda = table("DustPedia_HyperLEDA_Herschel.csv", "objname")
    reasons = dict.fromkeys(["redshiftMissing", "redshiftOutOfRange", "stellarMassMissing", "stellarMassBelowMinimum",
                             "labelMissing", "missingFlux", "negativeFlux", "tooFewHighSnrBands"], 0)
    missing_by_band = dict.fromkeys([b for b, _ in BANDS], 0)
    rows_in = kept = 0
    first = None
    with open(os.path.join(DATA, "DustPedia_Aperture_Photometry_2.2.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows_in += 1
            name = row["name"]
            z = number(leda[name]["ned_v_helio"]) / C_KM_S if name in leda else math.nan
            c = cigale.get(name, {})
            log_m = log10(number(c.get("Mstar__Msol")))
            labels = [log_m, log10(number(c.get("SFR__Msol_per_yr"))), log10(number(c.get("Ldust__Lsol")))]
            status = None
            if not math.isfinite(z):
                status = "redshiftMissing"
            elif not (0 < z <= 0.5):
                status = "redshiftOutOfRange"
            elif not math.isfinite(log_m):
                status = "stellarMassMissing"
            elif log_m < 9.0:
                status = "stellarMassBelowMinimum"
            elif not all(math.isfinite(v) for v in labels):
                status = "labelMissing"
            fluxes = []
            missing = 0
            negative = False
            high_snr = 0
            for band, column in BANDS:
                flux = number(row[column]) * 1e6
                err = number(row[column + "_err"]) * 1e6
                if not math.isfinite(flux):
                    missing += 1
                    missing_by_band[band] += 1
                    continue
                negative |= flux < 0
                if flux > 0 and err > 0 and flux / err >= 3.0:
                    high_snr += 1
                fluxes.append(flux)
            if status is None:
                if missing > 0:
                    status = "missingFlux"
                elif negative:
                    status = "negativeFlux"
                elif high_snr < 6:
                    status = "tooFewHighSnrBands"
            if status is None:
                kept += 1
                if first is None:
                    first = {"id": name, "z": z, "logMstar": log_m, "fuvMicroJansky": fluxes[0]}
            else:
                reasons[status] += 1
    result = {"rowsIn": rows_in, "rowsKept": kept, "droppedByReason": reasons, "missingByBand": missing_by_band, "firstKept": first,
              "made_by": f"selection_dustpedia.py, Python {sys.version.split()[0]}, csv module"}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
