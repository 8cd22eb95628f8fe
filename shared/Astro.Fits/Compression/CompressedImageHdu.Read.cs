namespace Astro.Fits.Compression;

public sealed partial class CompressedImageHdu
{
    /// <inheritdoc />
    public override void ReadPhysical(long firstPixel, Span<double> destination)
    {
        CheckRange(firstPixel, destination.Length);
        throw Error("tile decoding is being wired");
    }

    /// <inheritdoc />
    public override void ReadPhysical(long firstPixel, Span<float> destination)
    {
        CheckRange(firstPixel, destination.Length);
        throw Error("tile decoding is being wired");
    }

    /// <inheritdoc />
    public override Array ReadRaw() => throw Error("tile decoding is being wired");
}
