using Astro.Imaging.Models;

namespace Astro.Imaging.Synthetic;

/// <summary>A synthetic cutout and its noise-free parts (the truth the tests measure against).</summary>
public sealed class SyntheticCutout
{
    internal SyntheticCutout(CutoutImage image, CutoutImage galaxy, CutoutImage stars, SyntheticGalaxyOptions options, double noiseSigma)
    {
        Image = image;
        Galaxy = galaxy;
        Stars = stars;
        Options = options;
        NoiseSigma = noiseSigma;
    }

    /// <summary>Sky + galaxy + stars + noise.</summary>
    public CutoutImage Image { get; }

    /// <summary>The galaxy alone, PSF-convolved, noise-free, no sky.</summary>
    public CutoutImage Galaxy { get; }

    /// <summary>The stars alone, noise-free, no sky.</summary>
    public CutoutImage Stars { get; }

    /// <summary>The options the image was drawn from.</summary>
    public SyntheticGalaxyOptions Options { get; }

    /// <summary>The noise standard deviation of the sky: √(sky/gain + read noise²).</summary>
    public double NoiseSigma { get; }
}

/// <summary>
/// Draws synthetic galaxy cutouts: an elliptical Sérsic profile (sub-sampled), convolved with a Gaussian or
/// Moffat PSF, plus point sources drawn from the same PSF at given positions, a flat sky, Poisson and
/// Gaussian noise. Deterministic for a given seed.
/// </summary>
public static class SyntheticGalaxyGenerator
{
    /// <summary>Draws one cutout.</summary>
    /// <param name="options">What to draw.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, radius or FWHM is not positive.</exception>
    public static SyntheticCutout Generate(SyntheticGalaxyOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Width <= 0 || options.Height <= 0 || !(options.EffectiveRadius > 0) || !(options.PsfFwhm > 0) || !(options.SersicIndex > 0)
            || !(options.Ellipticity is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Sizes, radius, FWHM and Sérsic index must be positive and the ellipticity in [0, 1).");
        }

        int w = options.Width;
        int h = options.Height;
        double[] psf = PsfKernel(options, out int pr);
        double[] sersic = RenderSersic(options);
        double[] galaxy = Convolve(sersic, w, h, psf, pr);
        double[] stars = new double[w * h];
        foreach (SyntheticStar star in options.Stars)
        {
            AddStar(stars, w, h, star, options);
        }

        var random = new Random(seed);
        double[] image = new double[w * h];
        for (int i = 0; i < image.Length; i++)
        {
            double expected = options.Sky + galaxy[i] + stars[i];
            double value = options.Gain > 0 ? Poisson(random, Math.Max(0, expected * options.Gain)) / options.Gain : expected;
            image[i] = value + (options.ReadNoise * Gaussian(random));
        }

        double sigma = Math.Sqrt((options.Gain > 0 ? options.Sky / options.Gain : 0) + (options.ReadNoise * options.ReadNoise));
        return new SyntheticCutout(new CutoutImage(w, h, image), new CutoutImage(w, h, galaxy), new CutoutImage(w, h, stars), options, sigma);
    }

    /// <summary>
    /// Random test scenes: a Sérsic galaxy (n 0.5–4, r_e 4–12 px, ellipticity 0–0.6, any PA, centre
    /// within 2 px of the image centre) and 1–6 stars whose peak signal-to-noise is log-uniform in 20–500,
    /// placed at least 5 FWHM from the galaxy centre and 2 FWHM from the border (so some sit on the
    /// galaxy's outskirts); Gaussian or Moffat (β = 3) PSF with FWHM 2.5–4 px.
    /// </summary>
    /// <param name="seed">Seed of the scene and of its noise.</param>
    /// <param name="size">Image side in pixels.</param>
    public static SyntheticGalaxyOptions RandomScene(int seed, int size = 128)
    {
        var random = new Random(seed);
        double fwhm = 2.5 + (1.5 * random.NextDouble());
        var options = new SyntheticGalaxyOptions
        {
            Width = size,
            Height = size,
            CentreX = ((size - 1) / 2.0) + ((random.NextDouble() * 4) - 2),
            CentreY = ((size - 1) / 2.0) + ((random.NextDouble() * 4) - 2),
            SersicIndex = 0.5 + (3.5 * random.NextDouble()),
            EffectiveRadius = 4 + (8 * random.NextDouble()),
            Ellipticity = 0.6 * random.NextDouble(),
            PositionAngle = 180 * random.NextDouble(),
            Psf = random.NextDouble() < 0.5 ? PsfShape.Gaussian : PsfShape.Moffat,
            PsfFwhm = fwhm,
            GalaxyFlux = 5e4 * Math.Pow(10, random.NextDouble() * 1.3),
        };

        double noise = Math.Sqrt(options.Sky + (options.ReadNoise * options.ReadNoise));

        // Peak of a unit-flux star: 1 / (2π σ²) for a Gaussian; close enough for a Moffat β = 3 too.
        double s = fwhm / 2.3548;
        double peakPerFlux = 1 / (2 * Math.PI * s * s);
        int count = 1 + random.Next(6);
        var stars = new List<SyntheticStar>();
        double cx = options.CentreX.Value;
        double cy = options.CentreY.Value;
        while (stars.Count < count)
        {
            double x = (2 * fwhm) + (random.NextDouble() * (size - 1 - (4 * fwhm)));
            double y = (2 * fwhm) + (random.NextDouble() * (size - 1 - (4 * fwhm)));
            if (Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) < 5 * fwhm)
            {
                continue;
            }

            double snr = 20 * Math.Pow(25, random.NextDouble());
            stars.Add(new SyntheticStar(x, y, snr * noise / peakPerFlux));
        }

        options.Stars = stars;
        return options;
    }

    /// <summary>The PSF value (unnormalised) at radius r.</summary>
    internal static double PsfProfile(double r2, SyntheticGalaxyOptions o)
    {
        if (o.Psf == PsfShape.Gaussian)
        {
            double s = o.PsfFwhm / (2 * Math.Sqrt(2 * Math.Log(2)));
            return Math.Exp(-r2 / (2 * s * s));
        }

        double alpha = o.PsfFwhm / (2 * Math.Sqrt(Math.Pow(2, 1 / o.MoffatBeta) - 1));
        return Math.Pow(1 + (r2 / (alpha * alpha)), -o.MoffatBeta);
    }

    private static int PsfRadius(SyntheticGalaxyOptions o) => (int)Math.Ceiling((o.Psf == PsfShape.Gaussian ? 2.5 : 5.0) * o.PsfFwhm);

    /// <summary>The PSF, 5 × 5 sub-sampled per pixel, normalised to sum 1.</summary>
    private static double[] PsfKernel(SyntheticGalaxyOptions o, out int radius)
    {
        radius = PsfRadius(o);
        int n = (2 * radius) + 1;
        double[] k = new double[n * n];
        double sum = 0;
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                double v = 0;
                for (int sy = 0; sy < 5; sy++)
                {
                    for (int sx = 0; sx < 5; sx++)
                    {
                        double dx = x - radius + ((sx - 2) / 5.0);
                        double dy = y - radius + ((sy - 2) / 5.0);
                        v += PsfProfile((dx * dx) + (dy * dy), o);
                    }
                }

                k[(y * n) + x] = v;
                sum += v;
            }
        }

        for (int i = 0; i < k.Length; i++)
        {
            k[i] /= sum;
        }

        return k;
    }

    private static void AddStar(double[] image, int w, int h, SyntheticStar star, SyntheticGalaxyOptions o)
    {
        int r = PsfRadius(o);
        int x0 = (int)Math.Round(star.X) - r;
        int y0 = (int)Math.Round(star.Y) - r;
        int n = (2 * r) + 1;
        double[] values = new double[n * n];
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double v = 0;
                for (int sy = 0; sy < 5; sy++)
                {
                    for (int sx = 0; sx < 5; sx++)
                    {
                        double dx = x0 + i + ((sx - 2) / 5.0) - star.X;
                        double dy = y0 + j + ((sy - 2) / 5.0) - star.Y;
                        v += PsfProfile((dx * dx) + (dy * dy), o);
                    }
                }

                values[(j * n) + i] = v;
                sum += v;
            }
        }

        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                int x = x0 + i;
                int y = y0 + j;
                if (x >= 0 && y >= 0 && x < w && y < h)
                {
                    image[(y * w) + x] += star.Flux * values[(j * n) + i] / sum;
                }
            }
        }
    }

    /// <summary>Sérsic profile I ∝ exp(−b_n ((r/r_e)^(1/n) − 1)), elliptical, sub-sampled, normalised to <see cref="SyntheticGalaxyOptions.GalaxyFlux"/>.</summary>
    private static double[] RenderSersic(SyntheticGalaxyOptions o)
    {
        int w = o.Width;
        int h = o.Height;
        double n = o.SersicIndex;
        double b = (2 * n) - (1.0 / 3) + (4.0 / (405 * n)) + (46.0 / (25515 * n * n));
        double q = 1 - o.Ellipticity;
        double theta = o.PositionAngle * Math.PI / 180;
        double cos = Math.Cos(theta);
        double sin = Math.Sin(theta);
        double cx = o.CentreX ?? ((w - 1) / 2.0);
        double cy = o.CentreY ?? ((h - 1) / 2.0);
        double[] image = new double[w * h];
        double sum = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double dx0 = x - cx;
                double dy0 = y - cy;
                bool near = (dx0 * dx0) + (dy0 * dy0) < 9 * o.EffectiveRadius * o.EffectiveRadius / 4 + 16;
                int sub = near ? 9 : 3;
                double v = 0;
                for (int sy = 0; sy < sub; sy++)
                {
                    for (int sx = 0; sx < sub; sx++)
                    {
                        double dx = dx0 + ((sx + 0.5) / sub) - 0.5;
                        double dy = dy0 + ((sy + 0.5) / sub) - 0.5;
                        double u = (dx * cos) + (dy * sin);
                        double t = ((-dx * sin) + (dy * cos)) / q;
                        double r = Math.Sqrt((u * u) + (t * t)) / o.EffectiveRadius;
                        v += Math.Exp(-b * (Math.Pow(r, 1 / n) - 1));
                    }
                }

                image[(y * w) + x] = v / (sub * sub);
                sum += image[(y * w) + x];
            }
        }

        for (int i = 0; i < image.Length; i++)
        {
            image[i] *= o.GalaxyFlux / sum;
        }

        return image;
    }

    private static double[] Convolve(double[] image, int w, int h, double[] kernel, int r)
    {
        int n = (2 * r) + 1;
        double[] result = new double[image.Length];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double v = image[(y * w) + x];
                if (v == 0)
                {
                    continue;
                }

                // Scatter: keeps the flux that lands inside the image.
                for (int j = Math.Max(0, r - y); j < Math.Min(n, h - y + r); j++)
                {
                    int row = (y + j - r) * w;
                    int krow = j * n;
                    for (int i = Math.Max(0, r - x); i < Math.Min(n, w - x + r); i++)
                    {
                        result[row + x + i - r] += v * kernel[krow + i];
                    }
                }
            }
        }

        return result;
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static double Poisson(Random random, double lambda)
    {
        if (lambda > 50)
        {
            return Math.Max(0, Math.Round(lambda + (Math.Sqrt(lambda) * Gaussian(random))));
        }

        double l = Math.Exp(-lambda);
        int k = 0;
        double p = 1;
        do
        {
            k++;
            p *= random.NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
