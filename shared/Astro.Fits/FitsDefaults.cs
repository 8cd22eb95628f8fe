namespace Astro.Fits;

/// <summary>The documented defaults of the FITS library's options, in one place.</summary>
internal static class FitsDefaults
{
    public const int MaxHeaderCards = 1_000_000;
    public const int MaxHdus = 100_000;
    public static readonly long MaxDecompressedLength = Array.MaxLength;

    /// <summary>Bytes read per chunk when streaming data (statistics, conversions).</summary>
    public const int ChunkBytes = 1 << 22;
}
