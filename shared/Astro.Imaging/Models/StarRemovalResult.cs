namespace Astro.Imaging.Models;

/// <summary>What <see cref="StarRemoval.StarRemover"/> did to one image.</summary>
public sealed class StarRemovalResult
{
    internal StarRemovalResult(CutoutImage image, IReadOnlyList<RemovedSource> removed, IReadOnlyList<DetectedSource> candidates,
        SigmaClippedStatistics background, double fwhm, PixelPosition? galaxyCentre, int protectedCount, int lowContrastCount)
    {
        Image = image;
        Removed = removed;
        Candidates = candidates;
        Background = background;
        Fwhm = fwhm;
        GalaxyCentre = galaxyCentre;
        ProtectedCount = protectedCount;
        LowContrastCount = lowContrastCount;
    }

    /// <summary>The image with the stars replaced, in the input's units (NaN pixels stay NaN).</summary>
    public CutoutImage Image { get; }

    /// <summary>The sources replaced, brightest first.</summary>
    public IReadOnlyList<RemovedSource> Removed { get; }

    /// <summary>Every candidate: detections that passed the DAOFIND criteria plus catalogue positions.</summary>
    public IReadOnlyList<DetectedSource> Candidates { get; }

    /// <summary>Sigma-clipped statistics of the input (the sky level and noise).</summary>
    public SigmaClippedStatistics Background { get; }

    /// <summary>The PSF FWHM used, in pixels (given or estimated).</summary>
    public double Fwhm { get; }

    /// <summary>Centre of the protected central galaxy, or null when none was found.</summary>
    public PixelPosition? GalaxyCentre { get; }

    /// <summary>Candidates kept because they lie on the central galaxy.</summary>
    public int ProtectedCount { get; }

    /// <summary>Candidates kept because they barely rise above the extended emission under them (galaxy knots).</summary>
    public int LowContrastCount { get; }
}
