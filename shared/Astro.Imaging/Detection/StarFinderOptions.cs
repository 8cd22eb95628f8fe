namespace Astro.Imaging.Detection;

/// <summary>How <see cref="StarFinder"/> finds point sources (photutils DAOStarFinder's parameters and defaults).</summary>
public sealed class StarFinderOptions
{
    /// <summary>FWHM of the PSF in pixels, or null to estimate it from the image (<see cref="StarFinder.EstimateFwhm"/>).</summary>
    /// <value>The default value is null: estimated.</value>
    public double? Fwhm { get; set; }

    /// <summary>Detection threshold in units of the background standard deviation (DAOStarFinder's <c>threshold</c> = this × σ).</summary>
    /// <value>The default value is 5.</value>
    public double ThresholdSigma { get; set; } = ImagingDefaults.DetectionThresholdSigma;

    /// <summary>Kernel truncation radius in Gaussian σ.</summary>
    /// <value>The default value is 1.5 (as DAOStarFinder).</value>
    public double SigmaRadius { get; set; } = ImagingDefaults.SigmaRadius;

    /// <summary>Lower bound (exclusive) on sharpness.</summary>
    /// <value>The default value is 0.2.</value>
    public double SharpLow { get; set; } = ImagingDefaults.SharpLow;

    /// <summary>Upper bound (exclusive) on sharpness.</summary>
    /// <value>The default value is 1.0.</value>
    public double SharpHigh { get; set; } = ImagingDefaults.SharpHigh;

    /// <summary>Lower bound (exclusive) on both roundness measures.</summary>
    /// <value>The default value is −1.</value>
    public double RoundLow { get; set; } = ImagingDefaults.RoundLow;

    /// <summary>Upper bound (exclusive) on both roundness measures.</summary>
    /// <value>The default value is 1.</value>
    public double RoundHigh { get; set; } = ImagingDefaults.RoundHigh;

    /// <summary>Whether peaks within half a kernel of the border are ignored.</summary>
    /// <value>The default value is false (as DAOFIND).</value>
    public bool ExcludeBorder { get; set; }

    internal void Validate()
    {
        if (Fwhm is double f && !(f > 0 && double.IsFinite(f)))
        {
            throw new ArgumentOutOfRangeException(nameof(Fwhm), f, "The FWHM must be positive and finite.");
        }

        if (!(ThresholdSigma > 0) || !(SigmaRadius > 0) || !(SharpHigh > SharpLow) || !(RoundHigh > RoundLow))
        {
            throw new ArgumentOutOfRangeException(nameof(ThresholdSigma), "Threshold and sigma radius must be positive, and each low bound below its high bound.");
        }
    }
}
