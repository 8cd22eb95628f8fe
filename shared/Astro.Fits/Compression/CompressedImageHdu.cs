using Astro.Fits.Hdus;
using Astro.Fits.Tables;

namespace Astro.Fits.Compression;

/// <summary>
/// A tile-compressed image (a BINTABLE with ZIMAGE = T): reads as the image it holds, at its own HDU index,
/// with ZBITPIX and ZNAXISn as its BITPIX and axes.
/// </summary>
public sealed partial class CompressedImageHdu : ImageHdu
{
    private readonly BinaryTableHdu _table;

    internal CompressedImageHdu(HduFrame frame)
        : base(
            frame,
            (int)frame.Header.RequireInt64("ZBITPIX"),
            HduFactory.ReadAxes(frame.Header, "ZNAXIS"),
            frame.Header.GetDouble("BSCALE", 1.0),
            frame.Header.GetDouble("BZERO", 0.0),
            frame.Header.TryGetInt64("BLANK", out long blank) ? blank : null)
    {
        _table = new BinaryTableHdu(frame);
        if (!Images.PixelConverter.IsValidBitPix(BitPix))
        {
            throw Error($"unknown ZBITPIX {BitPix}");
        }

        Parameters = TileParameters.Read(frame.Header, Axes);
    }

    /// <inheritdoc />
    public override bool IsCompressed => true;

    /// <summary>The compression algorithm, tiling and quantisation parameters.</summary>
    public TileParameters Parameters { get; }

    /// <summary>The binary table that stores the compressed tiles.</summary>
    public BinaryTableHdu Table => _table;
}
