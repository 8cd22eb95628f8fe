using Astro.Fits.Headers;

namespace Astro.Imaging.Models;

/// <summary>Where a cutout's pixels came from.</summary>
public enum CutoutFormat
{
    /// <summary>A FITS image (one HDU per band, or a cube).</summary>
    Fits = 1,

    /// <summary>An 8-bit JPEG (for example an SDSS gri colour composite, as paper 002 used).</summary>
    Jpeg,

    /// <summary>An 8-bit PNG (for example a Legacy Surveys colour composite).</summary>
    Png,
}

/// <summary>
/// A cutout: one or more bands of the same size. FITS cutouts keep the header of the HDU the first band
/// came from (for its WCS keywords); JPEG/PNG cutouts have bands R, G, B with values 0–255 and rows
/// flipped so that row 0 is the bottom row, as in FITS.
/// </summary>
public sealed class Cutout
{
    /// <summary>Creates a cutout.</summary>
    /// <param name="source">File name or other label for messages.</param>
    /// <param name="format">Where the pixels came from.</param>
    /// <param name="bands">One or more images of one size.</param>
    /// <param name="bandNames">One name per band (EXTNAME, FILTER, "R"/"G"/"B", or "band N").</param>
    /// <param name="header">The header of the first band's HDU, or null.</param>
    /// <exception cref="ArgumentException">No bands, bands of different sizes, or a name count that does not match.</exception>
    public Cutout(string source, CutoutFormat format, IReadOnlyList<CutoutImage> bands, IReadOnlyList<string> bandNames, Header? header = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(bands);
        ArgumentNullException.ThrowIfNull(bandNames);
        if (bands.Count == 0)
        {
            throw new ArgumentException("A cutout needs at least one band.", nameof(bands));
        }

        if (bands.Any(b => b.Width != bands[0].Width || b.Height != bands[0].Height))
        {
            throw new ArgumentException("All bands of a cutout must have the same size.", nameof(bands));
        }

        if (bandNames.Count != bands.Count)
        {
            throw new ArgumentException("One name per band.", nameof(bandNames));
        }

        Source = source;
        Format = format;
        Bands = bands;
        BandNames = bandNames;
        Header = header;
    }

    /// <summary>File name or other label, for messages.</summary>
    public string Source { get; }

    /// <summary>Where the pixels came from.</summary>
    public CutoutFormat Format { get; }

    /// <summary>The bands, all of one size.</summary>
    public IReadOnlyList<CutoutImage> Bands { get; }

    /// <summary>One name per band.</summary>
    public IReadOnlyList<string> BandNames { get; }

    /// <summary>The header of the first band's HDU (FITS only), or null.</summary>
    public Header? Header { get; }

    /// <summary>Pixels per row.</summary>
    public int Width => Bands[0].Width;

    /// <summary>Number of rows.</summary>
    public int Height => Bands[0].Height;
}
