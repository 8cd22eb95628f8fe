namespace Astro.Imaging;

/// <summary>The documented defaults of every options class in Astro.Imaging, in one place.</summary>
internal static class ImagingDefaults
{
    // Sigma clipping (astropy.stats.sigma_clipped_stats defaults).
    public const double ClipSigma = 3.0;
    public const int ClipIterations = 5;

    // Star finding (photutils DAOStarFinder defaults where it has them).
    public const double DetectionThresholdSigma = 5.0;
    public const double SigmaRadius = 1.5;
    public const double SharpLow = 0.2;
    public const double SharpHigh = 1.0;
    public const double RoundLow = -1.0;
    public const double RoundHigh = 1.0;
    public const double FallbackFwhm = 3.0;
    public const double MinFwhm = 1.0;
    public const double MaxFwhm = 20.0;

    // Star removal.
    public const double RadiusFwhm = 2.5;
    public const double MaxRadiusFwhm = 8.0;
    public const double WingLevelSigma = 0.5;
    public const double AnnulusWidthFwhm = 1.5;
    public const int MinAnnulusWidth = 3;
    public const double ProtectRadiusFwhm = 3.0;
    public const double CentralSearchFraction = 0.2;
    public const double MinContrast = 0.5;
    public const double CatalogMatchRadius = 2.0;

    // Log stretch (Dobbels et al. 2019).
    public const double TargetNoiseLevel = 0.2;
    public const double NoiseLevelSigmas = 2.0;
    public const double MinScaleA = 1e-6;
    public const double MaxScaleA = 1e12;
    public const double StretchTolerance = 1e-12;

    // Cosmology (flat ΛCDM used for pixel sizes).
    public const double HubbleConstant = 70.0;
    public const double OmegaMatter = 0.3;
}
