using Astro.Imaging.Detection;
using Astro.Imaging.Models;
using Astro.Imaging.Statistics;

namespace Astro.Imaging.StarRemoval;

/// <summary>How <see cref="StarRemover"/> finds and replaces point sources.</summary>
public sealed class StarRemovalOptions
{
    /// <summary>Detection options (FWHM, threshold, sharpness and roundness bounds).</summary>
    /// <value>The default value is a new <see cref="StarFinderOptions"/>: FWHM estimated, 5σ, DAOStarFinder's bounds.</value>
    public StarFinderOptions Finder { get; set; } = new();

    /// <summary>Sigma clipping for the sky level and noise.</summary>
    /// <value>The default value is a new <see cref="SigmaClipOptions"/>: 3σ, 5 iterations.</value>
    public SigmaClipOptions Background { get; set; } = new();

    /// <summary>Whether to detect stars; when false only <see cref="KnownStars"/> are removed.</summary>
    /// <value>The default value is true.</value>
    public bool DetectStars { get; set; } = true;

    /// <summary>
    /// Positions of known stars (a catalogue prior, as paper 003 used), in 0-based pixel coordinates. Each is
    /// matched to a detection within <see cref="CatalogMatchRadius"/>, or else placed on the brightest pixel
    /// there; catalogue stars are removed even when they fail the sharpness, roundness or contrast rules,
    /// but not on the protected galaxy.
    /// </summary>
    /// <value>The default value is null: no catalogue.</value>
    public IReadOnlyList<PixelPosition>? KnownStars { get; set; }

    /// <summary>Search radius in pixels around a catalogue position.</summary>
    /// <value>The default value is 2.</value>
    public double CatalogMatchRadius { get; set; } = ImagingDefaults.CatalogMatchRadius;

    /// <summary>Smallest replacement radius, in FWHM.</summary>
    /// <value>The default value is 2.5 (98% of a Moffat β = 3 star, all of a Gaussian one).</value>
    public double RadiusFwhm { get; set; } = ImagingDefaults.RadiusFwhm;

    /// <summary>Largest replacement radius, in FWHM (bright stars grow until their Gaussian wing falls to <see cref="WingLevelSigma"/>).</summary>
    /// <value>The default value is 8.</value>
    public double MaxRadiusFwhm { get; set; } = ImagingDefaults.MaxRadiusFwhm;

    /// <summary>Bright stars are replaced out to where a Gaussian of their amplitude falls to this many σ of noise.</summary>
    /// <value>The default value is 0.5.</value>
    public double WingLevelSigma { get; set; } = ImagingDefaults.WingLevelSigma;

    /// <summary>Width of the annulus the background surface is fitted on, in FWHM (at least 3 pixels).</summary>
    /// <value>The default value is 1.5.</value>
    public double AnnulusWidthFwhm { get; set; } = ImagingDefaults.AnnulusWidthFwhm;

    /// <summary>Whether candidates on the central galaxy are kept (never eat the galaxy).</summary>
    /// <value>The default value is true.</value>
    public bool ProtectCentralGalaxy { get; set; } = true;

    /// <summary>Candidates closer than this many FWHM to the galaxy centre are kept.</summary>
    /// <value>The default value is 3.</value>
    public double ProtectRadiusFwhm { get; set; } = ImagingDefaults.ProtectRadiusFwhm;

    /// <summary>The galaxy centre is searched within this fraction of the smaller side from the image centre.</summary>
    /// <value>The default value is 0.2.</value>
    public double CentralSearchFraction { get; set; } = ImagingDefaults.CentralSearchFraction;

    /// <summary>
    /// A detection on extended emission (background model above 3σ) is removed only when its amplitude above
    /// that model is at least this fraction of the model: fainter bumps are taken for knots of the galaxy.
    /// </summary>
    /// <value>The default value is 0.5.</value>
    public double MinContrast { get; set; } = ImagingDefaults.MinContrast;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Finder);
        ArgumentNullException.ThrowIfNull(Background);
        Finder.Validate();
        Background.Validate();
        if (!(RadiusFwhm > 0) || !(MaxRadiusFwhm >= RadiusFwhm) || !(AnnulusWidthFwhm > 0) || !(WingLevelSigma > 0)
            || !(CatalogMatchRadius >= 0) || !(ProtectRadiusFwhm >= 0) || !(CentralSearchFraction is >= 0 and <= 0.5) || !(MinContrast >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(RadiusFwhm), "Star removal options out of range: radii and widths must be positive, MaxRadiusFwhm ≥ RadiusFwhm, CentralSearchFraction in [0, 0.5].");
        }
    }
}
