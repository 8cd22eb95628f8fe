namespace Astro.Fits.Writing;

/// <summary>The documented defaults of <see cref="FitsWriterOptions"/> and the writer's fixed choices, in one place.</summary>
internal static class FitsWriterDefaults
{
    public const bool WriteChecksums = true;
    public const bool LeaveOpen = false;

    /// <summary>Bytes encoded per chunk: a multiple of 2880 and of every pixel size, so chunks stay pixel-aligned.</summary>
    public const int ChunkBytes = 2880 * 364;

    /// <summary>The CHECKSUM placeholder written before the sum is known (16 ASCII zeros).</summary>
    public const string ChecksumPlaceholder = "0000000000000000";
}
