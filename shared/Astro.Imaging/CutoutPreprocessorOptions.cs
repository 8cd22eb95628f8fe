using Astro.Imaging.StarRemoval;
using Astro.Imaging.Stretch;

namespace Astro.Imaging;

/// <summary>Options of the whole cutout preprocessing (<see cref="CutoutPreprocessor"/>).</summary>
public sealed class CutoutPreprocessorOptions
{
    /// <summary>Whether stars are removed before the stretch.</summary>
    /// <value>The default value is true.</value>
    public bool RemoveStars { get; set; } = true;

    /// <summary>Star detection and removal.</summary>
    /// <value>The default value is a new <see cref="StarRemovalOptions"/>.</value>
    public StarRemovalOptions StarRemoval { get; set; } = new();

    /// <summary>The log stretch.</summary>
    /// <value>The default value is a new <see cref="LogStretchOptions"/> (noise level 0.2).</value>
    public LogStretchOptions Stretch { get; set; } = new();

    /// <summary>Side of the network input: the stretched image is resampled to this square size (same field of view).</summary>
    /// <value>The default value is null: no resampling.</value>
    public int? OutputSize { get; set; }

    /// <summary>
    /// Band (0-based) stars are detected in; the sources found there are removed from every band. Null
    /// detects on the sum of all bands.
    /// </summary>
    /// <value>The default value is null.</value>
    public int? DetectionBand { get; set; }

    /// <summary>Redshift for the luminosity features.</summary>
    /// <value>The default value is null: the redshift and pixel-size features are NaN.</value>
    public double? Redshift { get; set; }

    /// <summary>Pixel scale in arcseconds for the pixel-size feature; when null, taken from the header (CD/CDELT) if possible.</summary>
    /// <value>The default value is null.</value>
    public double? ArcsecondsPerPixel { get; set; }

    /// <summary>Smallest accepted image side, in pixels.</summary>
    /// <value>The default value is 16.</value>
    public int MinSize { get; set; } = 16;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(StarRemoval);
        ArgumentNullException.ThrowIfNull(Stretch);
        StarRemoval.Validate();
        Stretch.Validate();
        if (OutputSize is int s && s <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OutputSize), s, "The output size must be positive.");
        }

        if (DetectionBand is int b && b < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DetectionBand), b, "The detection band must be ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinSize);
    }
}
