namespace Astro.Fits.Compression;

/// <summary>Tile-compression algorithms of the FITS tiled image convention (ZCMPTYPE).</summary>
public enum TileCompressionType
{
    /// <summary>RICE_1 (also written RICE_ONE).</summary>
    Rice1 = 1,

    /// <summary>GZIP_1: gzip of the big-endian tile bytes.</summary>
    Gzip1,

    /// <summary>GZIP_2: gzip after shuffling the bytes by significance.</summary>
    Gzip2,

    /// <summary>PLIO_1: IRAF pixel-list run-length coding (non-negative integers up to 2^24).</summary>
    Plio1,

    /// <summary>HCOMPRESS_1: H-transform with quadtree coding, optionally lossy (SCALE) and smoothed (SMOOTH).</summary>
    HCompress1,

    /// <summary>NOCOMPRESS: tiles stored as raw bytes.</summary>
    None,
}

/// <summary>How floating-point tiles were quantised to integers (ZQUANTIZ).</summary>
public enum QuantizationMethod
{
    /// <summary>No quantisation (integer images, or floats stored losslessly).</summary>
    None = 0,

    /// <summary>NO_DITHER: value = integer × ZSCALE + ZZERO.</summary>
    NoDither,

    /// <summary>SUBTRACTIVE_DITHER_1: cfitsio's random dither subtracted on decoding.</summary>
    SubtractiveDither1,

    /// <summary>SUBTRACTIVE_DITHER_2: as 1, and exact zeros preserved.</summary>
    SubtractiveDither2,
}
