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
        double kpc = redshift is double z && arcsecondsPerPixel is double scale && z >= 0 && scale > 0
            ? (cosmology ?? new FlatLambdaCdm()).KpcPerPixel(z, scale)
            : double.NaN;
        return new LuminosityFeatures
        {
            Linear = ImageStatistics.Compute(skySubtracted),
            Scaled = ImageStatistics.Compute(stretch.Image),
            Size = Math.Max(skySubtracted.Width, skySubtracted.Height),
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
        var finite = image.Pixels.Where(double.IsFinite).ToArray();
        (double mean, double std) = finite.Length > 0 ? SigmaClip.MeanStd(finite) : (double.NaN, double.NaN);
        int cx = image.Width / 2;
        int cy = image.Height / 2;
        double centreSum = 0;
        int centreCount = 0;
        for (int y = Math.Max(0, cy - 2); y <= Math.Min(image.Height - 1, cy + 2); y++)
        {
            for (int x = Math.Max(0, cx - 2); x <= Math.Min(image.Width - 1, cx + 2); x++)
            {
                double v = image[x, y];
                if (double.IsFinite(v))
                {
                    centreSum += v;
                    centreCount++;
                }
            }
        }

        return new ImageStatistics(
            finite.Sum(),
            mean,
            finite.Length > 0 ? finite.Max() : double.NaN,
            finite.Length > 0 ? finite.Min() : double.NaN,
            std,
            image[cx, cy],
            centreCount > 0 ? centreSum / centreCount : double.NaN);
    }
}
