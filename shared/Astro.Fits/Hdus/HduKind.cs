namespace Astro.Fits.Hdus;

/// <summary>The kinds of header-data unit, as <c>fits stats</c> names them.</summary>
public enum HduKind
{
    /// <summary>A primary array or IMAGE extension with data, tile-compressed or not.</summary>
    Image = 1,

    /// <summary>A primary array or IMAGE extension with NAXIS = 0: header only.</summary>
    Empty,

    /// <summary>A binary table (XTENSION = 'BINTABLE'), including tile-compressed tables.</summary>
    BinaryTable,

    /// <summary>An ASCII table (XTENSION = 'TABLE').</summary>
    AsciiTable,

    /// <summary>A random-groups primary array (NAXIS1 = 0, GROUPS = T).</summary>
    RandomGroups,

    /// <summary>A non-standard or unrecognised HDU (SIMPLE = F, XTENSION = 'DUMP', …), kept as raw bytes.</summary>
    Other,
}
