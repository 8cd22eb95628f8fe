namespace Astro.Imaging.Synthetic;

/// <summary>The PSF shape of synthetic images.</summary>
public enum PsfShape
{
    /// <summary>A circular Gaussian.</summary>
    Gaussian = 1,

    /// <summary>A circular Moffat profile (1 + r²/α²)^−β.</summary>
    Moffat,
}

/// <summary>A star to inject: position (0-based pixels) and total flux (counts).</summary>
/// <param name="X">Column.</param>
/// <param name="Y">Row.</param>
/// <param name="Flux">Total flux.</param>
public readonly record struct SyntheticStar(double X, double Y, double Flux);

/// <summary>What <see cref="SyntheticGalaxyGenerator"/> draws. Units are counts (photo-electrons with <see cref="Gain"/> = 1).</summary>
public sealed class SyntheticGalaxyOptions
{
    /// <summary>Image columns.</summary>
    /// <value>The default value is 128.</value>
    public int Width { get; set; } = 128;

    /// <summary>Image rows.</summary>
    /// <value>The default value is 128.</value>
    public int Height { get; set; } = 128;

    /// <summary>Galaxy centre column, or null for the image centre.</summary>
    /// <value>The default value is null.</value>
    public double? CentreX { get; set; }

    /// <summary>Galaxy centre row, or null for the image centre.</summary>
    /// <value>The default value is null.</value>
    public double? CentreY { get; set; }

    /// <summary>Total galaxy flux before the PSF (counts; the part inside the image).</summary>
    /// <value>The default value is 200,000.</value>
    public double GalaxyFlux { get; set; } = 200_000;

    /// <summary>Sérsic index n.</summary>
    /// <value>The default value is 1 (exponential disk).</value>
    public double SersicIndex { get; set; } = 1.0;

    /// <summary>Effective (half-light) radius along the major axis, in pixels.</summary>
    /// <value>The default value is 8.</value>
    public double EffectiveRadius { get; set; } = 8.0;

    /// <summary>Ellipticity 1 − b/a.</summary>
    /// <value>The default value is 0.3.</value>
    public double Ellipticity { get; set; } = 0.3;

    /// <summary>Position angle of the major axis, degrees counter-clockwise from +x.</summary>
    /// <value>The default value is 30.</value>
    public double PositionAngle { get; set; } = 30.0;

    /// <summary>PSF shape.</summary>
    /// <value>The default value is <see cref="PsfShape.Gaussian"/>.</value>
    public PsfShape Psf { get; set; } = PsfShape.Gaussian;

    /// <summary>PSF FWHM in pixels.</summary>
    /// <value>The default value is 3.</value>
    public double PsfFwhm { get; set; } = 3.0;

    /// <summary>Moffat β (ignored for a Gaussian PSF).</summary>
    /// <value>The default value is 3.</value>
    public double MoffatBeta { get; set; } = 3.0;

    /// <summary>Sky level per pixel (counts).</summary>
    /// <value>The default value is 100.</value>
    public double Sky { get; set; } = 100.0;

    /// <summary>Gain (electrons per count) for the Poisson noise; 0 turns Poisson noise off.</summary>
    /// <value>The default value is 1.</value>
    public double Gain { get; set; } = 1.0;

    /// <summary>Gaussian read noise per pixel (counts).</summary>
    /// <value>The default value is 5.</value>
    public double ReadNoise { get; set; } = 5.0;

    /// <summary>Stars to inject.</summary>
    /// <value>The default value is an empty list.</value>
    public IReadOnlyList<SyntheticStar> Stars { get; set; } = [];
}
