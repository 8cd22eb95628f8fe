using Astro.Fits.Cards;
using Astro.Fits.Checksums;
using Astro.Fits.Headers;
using Astro.Fits.IO;

namespace Astro.Fits.Hdus;

/// <summary>
/// A header-data unit: the header is parsed when the file is opened; the data is read on demand.
/// </summary>
public abstract class Hdu
{
    private protected Hdu(HduFrame frame)
    {
        Index = frame.Index;
        Header = frame.Header;
        HeaderOffset = frame.HeaderOffset;
        DataOffset = frame.DataOffset;
        DataLength = frame.DataLength;
        Source = frame.Source;
    }

    /// <summary>0-based position in the file.</summary>
    public int Index { get; }

    /// <summary>The parsed header.</summary>
    public Header Header { get; }

    /// <summary>What kind of HDU this is.</summary>
    public abstract HduKind Kind { get; }

    /// <summary>Absolute offset of the header's first byte.</summary>
    public long HeaderOffset { get; }

    /// <summary>Absolute offset of the data's first byte.</summary>
    public long DataOffset { get; }

    /// <summary>Data bytes the header declares (before padding to 2880).</summary>
    public long DataLength { get; }

    /// <summary>Data bytes including the padding to a whole block.</summary>
    public long PaddedDataLength => CardLayout.PadToBlock(DataLength);

    /// <summary>True when the file ends before the data the header declares.</summary>
    public bool IsTruncated => DataLength > 0 && DataOffset + DataLength > Source.Length;

    /// <summary>EXTNAME, or null.</summary>
    public string? Name => Header.Find("EXTNAME")?.Value.AsString?.Trim();

    /// <summary>XTENSION, or null for the primary HDU.</summary>
    public string? Extension => Header.Find("XTENSION")?.Value.AsString?.Trim();

    internal FitsSource Source { get; }

    /// <summary>Verifies DATASUM and CHECKSUM when the header has them.</summary>
    public ChecksumVerification VerifyChecksums()
    {
        ThrowIfTruncated();
        return FitsChecksum.Verify(this);
    }

    /// <summary>Reads bytes of the data unit at an offset relative to its start.</summary>
    internal void ReadData(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > DataLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        ThrowIfTruncated();
        Source.ReadExactly(DataOffset + offset, destination, Index, "data");
    }

    /// <summary>Throws when the data unit is cut short by the end of the file.</summary>
    internal void ThrowIfTruncated()
    {
        if (IsTruncated)
        {
            throw Error($"data is truncated: the header declares {DataLength} bytes, the file holds {Math.Max(0, Source.Length - DataOffset)}");
        }
    }

    /// <summary>Creates an exception located in this HDU.</summary>
    internal FitsException Error(string reason) => new(reason, Index);
}

/// <summary>Where an HDU sits in its file: what the framing pass learned before any data was read.</summary>
internal sealed record HduFrame(int Index, Header Header, long HeaderOffset, long DataOffset, long DataLength, FitsSource Source);
