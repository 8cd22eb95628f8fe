using System.Numerics;
using Astro.Imaging.Models;
using Astro.Imaging.Statistics;
using Astro.Imaging.Stretch;

namespace Astro.Imaging.Features;

/// <summary>
/// Paper 003's luminosity features of one band: statistics of the star-removed, sky-subtracted image
/// and of the stretched image, the image size, the scaling value a, the redshift and the pixel size.
/// NaN pixels are ignored.
/// </summary>
public sealed record LuminosityFeatures
{
    /// <summary>The feature names, in the order of <see cref="ToArray"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "sum", "mean", "max", "min", "std", "centre", "centre_5x5",
        "scaled_sum", "scaled_mean", "scaled_max", "scaled_min", "scaled_std", "scaled_centre", "scaled_centre_5x5",
        "size", "scale_a", "redshift", "kpc_per_pixel",
    ];

    /// <summary>Statistics of the sky-subtracted image (input units).</summary>
    public required ImageStatistics Linear { get; init; }

    /// <summary>Statistics of the stretched image ([0, 1]).</summary>
    public required ImageStatistics Scaled { get; init; }

    /// <summary>Image size: the larger side in pixels.</summary>
    public required int Size { get; init; }

    /// <summary>The stretch's scaling value a.</summary>
    public required double ScaleA { get; init; }

    /// <summary>Redshift, or NaN when unknown.</summary>
    public required double Redshift { get; init; }

    /// <summary>Proper pixel size in kpc (flat ΛCDM, H0 = 70, Ωm = 0.3), or NaN when the redshift or pixel scale is unknown.</summary>
    public required double KpcPerPixel { get; init; }

    /// <summary>The features as a vector in the order of <see cref="Names"/>.</summary>
    public double[] ToArray() =>
    [
        Linear.Sum, Linear.Mean, Linear.Max, Linear.Min, Linear.Std, Linear.Centre, Linear.Centre5x5,
        Scaled.Sum, Scaled.Mean, Scaled.Max, Scaled.Min, Scaled.Std, Scaled.Centre, Scaled.Centre5x5,
        Size, ScaleA, Redshift, KpcPerPixel,
    ];

    /// <summary>Computes the features.</summary>
    /// <param name="skySubtracted">The star-removed image with the sky subtracted.</param>
    /// <param name="stretch">The stretch of the same image.</param>
    /// <param name="redshift">Redshift, or null.</param>
    /// <param name="arcsecondsPerPixel">Pixel scale, or null.</param>
    /// <param name="cosmology">Cosmology for the pixel size, or null for H0 = 70, Ωm = 0.3.</param>
    /// <exception cref="ArgumentNullException">An image is null.</exception>
    public static LuminosityFeatures Compute(CutoutImage skySubtracted, LogStretchResult stretch, double? redshift = null, double? arcsecondsPerPixel = null, FlatLambdaCdm? cosmology = null)
    {
        ArgumentNullException.ThrowIfNull(skySubtracted);
        ArgumentNullException.ThrowIfNull(stretch);
        return Compute(skySubtracted, 0, stretch, redshift, arcsecondsPerPixel, cosmology);
    }

    /// <summary>The features of <paramref name="image"/> − <paramref name="sky"/>, without building that image.</summary>
    internal static LuminosityFeatures Compute(CutoutImage image, double sky, LogStretchResult stretch, double? redshift, double? arcsecondsPerPixel, FlatLambdaCdm? cosmology = null)
    {
        double kpc = redshift is double z && arcsecondsPerPixel is double scale && z >= 0 && scale > 0
            ? (cosmology ?? new FlatLambdaCdm()).KpcPerPixel(z, scale)
            : double.NaN;
        return new LuminosityFeatures
        {
            Linear = ImageStatistics.Compute(image, sky),
            Scaled = ImageStatistics.Compute(stretch.Image, 0),
            Size = Math.Max(image.Width, image.Height),
            ScaleA = stretch.ScaleA,
            Redshift = redshift ?? double.NaN,
            KpcPerPixel = kpc,
        };
    }
}

/// <summary>Plain statistics of an image (NaN ignored).</summary>
/// <param name="Sum">Sum of the pixels.</param>
/// <param name="Mean">Mean.</param>
/// <param name="Max">Maximum.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Std">Population standard deviation.</param>
/// <param name="Centre">The pixel at (⌊W/2⌋, ⌊H/2⌋) (the centre for odd sizes).</param>
/// <param name="Centre5x5">Mean of the 5 × 5 pixels around that pixel.</param>
public sealed record ImageStatistics(double Sum, double Mean, double Max, double Min, double Std, double Centre, double Centre5x5)
{
    /// <summary>Computes the statistics.</summary>
    /// <param name="image">The image.</param>
    public static ImageStatistics Compute(CutoutImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Compute(image, 0);
    }

    /// <summary>The statistics of the image minus <paramref name="offset"/> (each pixel as v − offset).</summary>
    internal static ImageStatistics Compute(CutoutImage image, double offset)
    {
        double[] pixels = image.Pixels;
        double sum;
        double min;
        double max;
        int count;
        double mean;
        double std;
        if (SigmaClip.AllFinite(pixels))
        {
            // The usual case: vectorised passes, no copy of the finite values.
            (sum, min, max) = SumMinMax(pixels, offset);
            count = pixels.Length;
            mean = sum / count;
            std = Math.Sqrt(SigmaClip.SumOfSquares(pixels, mean + offset) / count);
        }
        else
        {
            sum = 0;
            min = double.PositiveInfinity;
            max = double.NegativeInfinity;
            count = 0;
            foreach (double p in pixels)
            {
                if (double.IsFinite(p))
                {
                    double v = p - offset;
                    sum += v;
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                    count++;
                }
            }

            mean = sum / count;
            double squares = 0;
            foreach (double p in pixels)
            {
                if (double.IsFinite(p))
                {
                    double d = p - offset - mean;
                    squares += d * d;
                }
            }

            std = Math.Sqrt(squares / count);
        }

        int cx = image.Width / 2;
        int cy = image.Height / 2;
        double centreSum = 0;
        int centreCount = 0;
        for (int y = Math.Max(0, cy - 2); y <= Math.Min(image.Height - 1, cy + 2); y++)
        {
            for (int x = Math.Max(0, cx - 2); x <= Math.Min(image.Width - 1, cx + 2); x++)
            {
                double v = image[x, y] - offset;
                if (double.IsFinite(v))
                {
                    centreSum += v;
                    centreCount++;
                }
            }
        }

        bool any = count > 0;
        return new ImageStatistics(
            sum,
            any ? mean : double.NaN,
            any ? max : double.NaN,
            any ? min : double.NaN,
            any ? std : double.NaN,
            image[cx, cy] - offset,
            centreCount > 0 ? centreSum / centreCount : double.NaN);
    }

    /// <summary>Σ (v − offset), min and max of v − offset over finite values, vectorised.</summary>
    private static (double Sum, double Min, double Max) SumMinMax(ReadOnlySpan<double> values, double offset)
    {
        int i = 0;
        double sum = 0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        if (values.Length >= Vector<double>.Count)
        {
            var off = new Vector<double>(offset);
            var first = new Vector<double>(values) - off;
            var vSum = first;
            var vMin = first;
            var vMax = first;
            for (i = Vector<double>.Count; i <= values.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var v = new Vector<double>(values[i..]) - off;
                vSum += v;
                vMin = Vector.Min(vMin, v);
                vMax = Vector.Max(vMax, v);
            }

            sum = Vector.Sum(vSum);
            for (int k = 0; k < Vector<double>.Count; k++)
            {
                min = Math.Min(min, vMin[k]);
                max = Math.Max(max, vMax[k]);
            }
        }

        for (; i < values.Length; i++)
        {
            double v = values[i] - offset;
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return (sum, min, max);
    }
}
