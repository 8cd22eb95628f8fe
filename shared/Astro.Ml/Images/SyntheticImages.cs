using Astro.Contract.Packaging;

namespace Astro.Ml.Images;

/// <summary>
/// Synthetic galaxies for tests and benchmarks: elliptical exponential discs at random orientation with noise, already at
/// network size and in [0, 1]. The regression target is log10 of the scale length in pixels (learnable, rotation invariant).
/// </summary>
public static class SyntheticImages
{
    /// <summary>Renders one galaxy, <c>bands × size × size</c>.</summary>
    public static float[] Galaxy(int bands, int size, double scale, double axisRatio, double angle, double noise, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var image = new float[bands * size * size];
        double c = (size - 1) / 2.0;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (int b = 0; b < bands; b++)
        {
            double amplitude = 0.6 + (0.15 * b);
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    double u = ((x - c) * cos) + ((y - c) * sin);
                    double v = (-(x - c) * sin) + ((y - c) * cos);
                    double r = Math.Sqrt((u * u) + (v * v / (axisRatio * axisRatio)));
                    double value = (amplitude * Math.Exp(-r / scale)) + 0.1 + (noise * Gaussian(random));
                    image[(b * size * size) + (y * size) + x] = (float)value;
                }
            }
        }

        return image;
    }

    /// <summary>A labelled dataset of <paramref name="count"/> galaxies (no files; luminosity features are the image sums).</summary>
    public static ImageDataset Dataset(int count, int bands, int size, int seed)
    {
        var random = new Random(seed);
        var samples = new List<ImageSample>();
        int sampleSize = bands * size * size;
        var pixels = new float[count * sampleSize];
        var luminosity = new float[count * 3];
        for (int i = 0; i < count; i++)
        {
            double scale = 2 + (random.NextDouble() * 8);
            float[] g = Galaxy(bands, size, scale, 0.3 + (0.7 * random.NextDouble()), random.NextDouble() * Math.PI, 0.02, random);
            g.CopyTo(pixels, i * sampleSize);
            luminosity[i * 3] = g.Sum();
            luminosity[(i * 3) + 1] = float.NaN;
            luminosity[(i * 3) + 2] = float.NaN;
            double target = Math.Log10(scale);
            samples.Add(new ImageSample($"synthetic-{i}", string.Empty, [target], [0.05], double.NaN, ImageSplit.Unassigned));
        }

        string[] names = [.. Enumerable.Range(0, bands).Select(b => $"b{b}")];
        var input = new ImageInputInfo(size, names, ImagePreprocessing.Rgb8, 0.2, 2, false, ImagePreprocessing.Resampling, false, 1);
        return ImageDataset.Create(samples, ImageTarget.Regression("log_scale", null, 0.05), input, pixels, luminosity, ["b0:sum", "redshift", "kpc_per_pixel"]);
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
