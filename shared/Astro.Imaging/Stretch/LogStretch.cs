using System.Numerics;
using System.Runtime.Intrinsics;
using Astro.Imaging.Models;
using Astro.Imaging.Statistics;

namespace Astro.Imaging.Stretch;

/// <summary>How <see cref="LogStretch"/> scales an image (Dobbels et al. 2019, section 2.2).</summary>
public sealed class LogStretchOptions
{
    /// <summary>The value the noise level must have after the stretch.</summary>
    /// <value>The default value is 0.2.</value>
    public double TargetNoiseLevel { get; set; } = ImagingDefaults.TargetNoiseLevel;

    /// <summary>The noise level is the sigma-clipped mean plus this many sigma-clipped standard deviations.</summary>
    /// <value>The default value is 2.</value>
    public double NoiseSigmas { get; set; } = ImagingDefaults.NoiseLevelSigmas;

    /// <summary>Sigma clipping used for the noise level.</summary>
    /// <value>The default value is a new <see cref="SigmaClipOptions"/>: 3σ, 5 iterations.</value>
    public SigmaClipOptions Clip { get; set; } = new();

    /// <summary>Smallest scaling value a searched (a → 0 is the linear scaling).</summary>
    /// <value>The default value is 1e-6.</value>
    public double MinScaleA { get; set; } = ImagingDefaults.MinScaleA;

    /// <summary>Largest scaling value a searched.</summary>
    /// <value>The default value is 1e12.</value>
    public double MaxScaleA { get; set; } = ImagingDefaults.MaxScaleA;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Clip);
        Clip.Validate();
        if (!(TargetNoiseLevel is > 0 and < 1) || !(NoiseSigmas >= 0) || !(MinScaleA > 0) || !(MaxScaleA > MinScaleA) || double.IsInfinity(MaxScaleA))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetNoiseLevel), "TargetNoiseLevel must be in (0, 1), NoiseSigmas ≥ 0 and 0 < MinScaleA < MaxScaleA < ∞.");
        }
    }
}

/// <summary>The stretched image and the values that define the stretch.</summary>
/// <param name="Image">Pixels in [0, 1]: F' = log(aF + 1) / log(a + 1) with F = (I − Minimum) / (Maximum − Minimum); NaN inputs become the stretched sigma-clipped median.</param>
/// <param name="ScaleA">The fitted scaling value a.</param>
/// <param name="NoiseLevel">The noise level of the rescaled image before the stretch: (clipped mean + k·clipped σ − min) / (max − min).</param>
/// <param name="StretchedNoiseLevel">The noise level after the stretch: equal to the target when <paramref name="ReachedTarget"/>.</param>
/// <param name="Minimum">Minimum finite input value (maps to 0).</param>
/// <param name="Maximum">Maximum finite input value (maps to 1).</param>
/// <param name="ReachedTarget">False when no a in [MinScaleA, MaxScaleA] reaches the target (the nearest end is used).</param>
public sealed record LogStretchResult(CutoutImage Image, double ScaleA, double NoiseLevel, double StretchedNoiseLevel, double Minimum, double Maximum, bool ReachedTarget);

/// <summary>
/// Paper 003's auto log stretch: rescale to [0, 1], then F' = log(aF + 1) / log(a + 1) with a chosen per
/// image (bisection in log a) so that the noise level — mean + 2σ of the sigma-clipped image — becomes
/// 0.2 after the stretch. Sigma clipping commutes with the linear rescaling, so the noise level is
/// measured once on the input and the equation solved for that one value.
/// </summary>
public static class LogStretch
{
    /// <summary>Stretches an image.</summary>
    /// <param name="image">The image (any units; NaN allowed).</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <returns>The stretched image and a.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ImagingException">No finite pixel, or a constant image.</exception>
    public static LogStretchResult Apply(CutoutImage image, LogStretchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new LogStretchOptions();
        options.Validate();
        return Apply(image, options, null);
    }

    /// <summary>
    /// The stretch with the sigma-clipped statistics of <paramref name="image"/> already known (the
    /// preprocessor needs them for the features too, and clipping is the costliest step).
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="clipped"><see cref="SigmaClip.Compute"/> of the image's pixels with <see cref="LogStretchOptions.Clip"/>, or null to compute it.</param>
    internal static LogStretchResult Apply(CutoutImage image, LogStretchOptions options, SigmaClippedStatistics? clipped)
    {
        double[] pixels = image.Pixels;
        bool allFinite = SigmaClip.AllFinite(pixels);
        double min;
        double max;
        if (allFinite)
        {
            (min, max) = MinMax(pixels);
        }
        else
        {
            min = double.PositiveInfinity;
            max = double.NegativeInfinity;
            foreach (double v in pixels)
            {
                if (double.IsFinite(v))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
            }
        }

        if (double.IsInfinity(min))
        {
            throw new ImagingException("the image has no finite pixel (all NaN)");
        }

        if (!(max > min))
        {
            throw new ImagingException("the image is constant: it cannot be rescaled to [0, 1]");
        }

        SigmaClippedStatistics stats = clipped ?? SigmaClip.Compute(pixels, options.Clip);
        double range = max - min;
        double noise = (stats.Mean + (options.NoiseSigmas * stats.StandardDeviation) - min) / range;
        (double a, bool reached) = FitScale(noise, options.TargetNoiseLevel, options.MinScaleA, options.MaxScaleA);
        double fill = Apply((stats.Median - min) / range, a);
        double[] result = new double[pixels.Length];
        Transform(pixels, result, min, range, a, fill);
        return new LogStretchResult(new CutoutImage(image.Width, image.Height, result), a, noise, Apply(noise, a), min, max, reached);
    }

    /// <summary>
    /// result = log(a·(v − min)/range + 1) / log(a + 1), or <paramref name="fill"/> for non-finite v. The
    /// logarithm is the vectorised one, four at a time (with the scalar Math.Log the stretch took a quarter of
    /// the preprocessing time); log(a + 1) comes from the same routine so that max maps to exactly 1.
    /// </summary>
    private static void Transform(ReadOnlySpan<double> pixels, Span<double> result, double min, double range, double a, double fill)
    {
        var logA1 = Vector256.Log(Vector256.Create(a + 1));
        var vMin = Vector256.Create(min);
        var vRange = Vector256.Create(range);
        var vA = Vector256.Create(a);
        var vFill = Vector256.Create(fill);
        var one = Vector256.Create(1.0);
        int i = 0;
        for (; i <= pixels.Length - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            var v = Vector256.Create(pixels[i..]);
            Vector256<double> stretched = Vector256.Log((vA * ((v - vMin) / vRange)) + one) / logA1;

            // v − v is 0 for finite v and NaN for NaN or ±∞.
            Vector256.ConditionalSelect(Vector256.Equals(v - v, Vector256<double>.Zero), stretched, vFill).CopyTo(result[i..]);
        }

        double logA1Scalar = logA1.GetElement(0);
        for (; i < pixels.Length; i++)
        {
            double v = pixels[i];
            result[i] = double.IsFinite(v) ? Vector256.Log(Vector256.Create((a * ((v - min) / range)) + 1)).GetElement(0) / logA1Scalar : fill;
        }
    }

    private static (double Min, double Max) MinMax(ReadOnlySpan<double> values)
    {
        int i = 0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        if (values.Length >= Vector<double>.Count)
        {
            var vMin = new Vector<double>(values);
            var vMax = vMin;
            for (i = Vector<double>.Count; i <= values.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var v = new Vector<double>(values[i..]);
                vMin = Vector.Min(vMin, v);
                vMax = Vector.Max(vMax, v);
            }

            for (int k = 0; k < Vector<double>.Count; k++)
            {
                min = Math.Min(min, vMin[k]);
                max = Math.Max(max, vMax[k]);
            }
        }

        for (; i < values.Length; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }

        return (min, max);
    }

    /// <summary>The stretch of one rescaled value: log(a·f + 1) / log(a + 1), computed with log1p.</summary>
    /// <param name="f">A value in [0, 1].</param>
    /// <param name="a">The scaling value (&gt; 0).</param>
    public static double Apply(double f, double a) => LogOnePlus(a * f) / LogOnePlus(a);

    /// <summary>
    /// Solves log(a·n + 1) / log(a + 1) = target for a by bisection in log a (the left side grows with a,
    /// from n as a → 0 towards 1).
    /// </summary>
    /// <param name="noiseLevel">The rescaled noise level n in (0, 1).</param>
    /// <param name="target">The wanted stretched level.</param>
    /// <param name="minA">Lower end of the search.</param>
    /// <param name="maxA">Upper end of the search.</param>
    /// <returns>a, and whether the target was reached inside the range (otherwise the nearer end).</returns>
    public static (double ScaleA, bool ReachedTarget) FitScale(double noiseLevel, double target, double minA, double maxA)
    {
        if (!(noiseLevel > 0) || noiseLevel >= target)
        {
            // Noise at or above the target (or no positive noise level): the stretch can only raise it.
            return (noiseLevel >= target ? minA : maxA, false);
        }

        if (Apply(noiseLevel, maxA) < target)
        {
            return (maxA, false);
        }

        if (Apply(noiseLevel, minA) > target)
        {
            return (minA, false);
        }

        double lo = Math.Log(minA);
        double hi = Math.Log(maxA);
        for (int i = 0; i < 200 && hi - lo > 1e-15 * Math.Max(1.0, Math.Abs(hi)); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Apply(noiseLevel, Math.Exp(mid)) < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (Math.Exp(0.5 * (lo + hi)), true);
    }

    private static double LogOnePlus(double x) => Math.Abs(x) < 1e-4 ? x * (1 - (x * (0.5 - (x / 3)))) : Math.Log(1 + x);
}
