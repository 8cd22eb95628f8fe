#!/usr/bin/python3
"""Reference outputs for Astro.Imaging.Tests, made with trusted tools.

Run from this folder with Debian's python (astropy 5.2.1, photutils 1.6, numpy):
    /usr/bin/python3 make_baselines.py
(photutils: `apt-get install -y python3-photutils`). Writes:
  sigma_clip.fits / sigma_clip.json   astropy.stats.sigma_clipped_stats (sigma=3, maxiters=5, default median centre)
                                       on 6 arrays (one per HDU) with outliers and NaNs
  daofind_synthetic.fits              a 160x160 synthetic image: exponential galaxy + 12 Gaussian stars (FWHM 3 px) + noise
  daofind.json                        photutils.detection.DAOStarFinder(fwhm, threshold=5*std) on (data - median) of
                                       daofind_synthetic.fits and of the real KiDS cutout G266035fitim.fits (FWHM 3.5 px)
  cosmology.json                      astropy.cosmology.FlatLambdaCDM(H0=70, Om0=0.3) distances
"""
import json
import os

import astropy
import numpy as np
import photutils
from astropy.cosmology import FlatLambdaCDM
from astropy.io import fits
from astropy.stats import sigma_clipped_stats
from photutils.detection import DAOStarFinder

HERE = os.path.dirname(os.path.abspath(__file__))
KIDS = os.path.join(HERE, '../../../../shared/data/images/profound-gama-cutouts/KiDS/G266035fitim.fits')
versions = {'astropy': astropy.__version__, 'photutils': photutils.__version__, 'numpy': np.__version__}

# --- sigma clipping ---------------------------------------------------------------------------
rng = np.random.default_rng(20261123)
arrays = [
    rng.normal(100, 5, 4000),
    np.concatenate([rng.normal(0, 1, 3000), rng.uniform(5, 50, 300)]),          # one-sided outliers
    np.concatenate([rng.normal(10, 2, 2001), [np.nan] * 50, [1e6, -1e6]]),       # NaN and extremes
    rng.exponential(3.0, 5000),                                                    # skewed
    np.concatenate([rng.normal(0, 1, 64 * 64 - 40), rng.normal(30, 3, 40)]),      # sky + a star
    np.array([1.0, 2.0, 3.0, 4.0, 100.0, 2.5]),                                    # tiny, even count
]
hdus = [fits.PrimaryHDU(arrays[0])] + [fits.ImageHDU(a) for a in arrays[1:]]
fits.HDUList(hdus).writeto(os.path.join(HERE, 'sigma_clip.fits'), overwrite=True)
clip = []
for a in arrays:
    mean, median, std = sigma_clipped_stats(a, sigma=3.0, maxiters=5)
    clip.append({'mean': float(mean), 'median': float(median), 'std': float(std)})
with open(os.path.join(HERE, 'sigma_clip.json'), 'w') as f:
    json.dump({'tool': 'astropy.stats.sigma_clipped_stats(sigma=3, maxiters=5)', 'versions': versions, 'hdus': clip}, f, indent=1)

# --- DAOStarFinder ------------------------------------------------------------------------------
n = 160
yy, xx = np.mgrid[0:n, 0:n].astype(float)
sky, noise = 50.0, 3.0
fwhm = 3.0
sigma_psf = fwhm / 2.3548200450309493
r = np.hypot((xx - 80.3) / 1.0, (yy - 79.6) / 0.7)
image = sky + 400.0 * np.exp(-r / 7.0)                     # an elongated exponential galaxy
stars = [(20.2, 30.7, 300), (45.5, 120.1, 150), (130.8, 25.3, 80), (140.1, 140.9, 500), (70.4, 20.2, 40),
         (100.6, 110.3, 60), (15.9, 80.4, 25), (110.2, 60.7, 200), (60.3, 95.5, 120), (150.0, 80.2, 35),
         (88.8, 150.1, 90), (30.5, 150.6, 20)]
for x, y, peak in stars:
    image += peak * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma_psf ** 2))
image += rng.normal(0, noise, image.shape)
fits.PrimaryHDU(image.astype(np.float64)).writeto(os.path.join(HERE, 'daofind_synthetic.fits'), overwrite=True)


def run(data, fwhm):
    mean, median, std = sigma_clipped_stats(data, sigma=3.0, maxiters=5)
    finder = DAOStarFinder(fwhm=fwhm, threshold=5.0 * std)
    table = finder(data - median)
    rows = []
    if table is not None:
        for row in table:
            rows.append({k: float(row[k]) for k in ('xcentroid', 'ycentroid', 'sharpness', 'roundness1', 'roundness2', 'peak', 'flux')})
    return {'fwhm': fwhm, 'median': float(median), 'std': float(std), 'threshold': 5.0 * float(std), 'sources': rows}


result = {'tool': 'photutils.detection.DAOStarFinder(fwhm, threshold=5*std) on data - median (sigma_clipped_stats)',
          'versions': versions,
          'synthetic': run(image, fwhm),
          'injected': [{'x': x, 'y': y, 'peak': p} for x, y, p in stars]}
if os.path.exists(KIDS):
    result['kids_G266035'] = run(fits.getdata(KIDS).astype(np.float64), 3.5)
with open(os.path.join(HERE, 'daofind.json'), 'w') as f:
    json.dump(result, f, indent=1)

# --- cosmology ----------------------------------------------------------------------------------
cosmo = FlatLambdaCDM(H0=70, Om0=0.3)
zs = [0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
with open(os.path.join(HERE, 'cosmology.json'), 'w') as f:
    json.dump({'tool': 'astropy.cosmology.FlatLambdaCDM(H0=70, Om0=0.3)', 'versions': versions,
               'rows': [{'z': z, 'comoving_mpc': cosmo.comoving_distance(z).value,
                         'angular_diameter_mpc': cosmo.angular_diameter_distance(z).value,
                         'kpc_per_arcsec': (1 / cosmo.arcsec_per_kpc_proper(z)).value} for z in zs]}, f, indent=1)
print('baselines written')
