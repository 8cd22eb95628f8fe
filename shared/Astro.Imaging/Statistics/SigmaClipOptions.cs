namespace Astro.Imaging.Statistics;

/// <summary>How <see cref="SigmaClip"/> rejects outliers (astropy's <c>sigma_clipped_stats</c> semantics).</summary>
public sealed class SigmaClipOptions
{
    /// <summary>
    /// Values further than this many standard deviations from the median are rejected, on both sides.
    /// </summary>
    /// <value>The default value is 3.</value>
    public double Sigma { get; set; } = ImagingDefaults.ClipSigma;

    /// <summary>Most clipping iterations; clipping stops earlier when an iteration rejects nothing.</summary>
    /// <value>The default value is 5.</value>
    public int MaxIterations { get; set; } = ImagingDefaults.ClipIterations;

    internal void Validate()
    {
        if (!(Sigma > 0) || double.IsInfinity(Sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(Sigma), Sigma, "Sigma must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxIterations);
    }
}
