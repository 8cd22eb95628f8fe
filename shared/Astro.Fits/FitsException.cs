namespace Astro.Fits;

/// <summary>
/// The one error type of the FITS library: malformed, truncated or unsupported content.
/// </summary>
/// <remarks>
/// The message is a single line that says where the problem is: the HDU index (0-based, as
/// <c>fits info</c> lists it), the card index within that header (0-based) and the absolute byte
/// offset in the file, whichever are known, followed by the problem. I/O failures of the
/// underlying stream are not wrapped.
/// </remarks>
public sealed class FitsException : Exception
{
    /// <summary>Creates an exception for a problem at an optional location.</summary>
    public FitsException(string reason, int? hduIndex = null, int? cardIndex = null, long? byteOffset = null, Exception? innerException = null)
        : base(Compose(reason, hduIndex, cardIndex, byteOffset), innerException)
    {
        Reason = reason;
        HduIndex = hduIndex;
        CardIndex = cardIndex;
        ByteOffset = byteOffset;
    }

    /// <summary>The problem, without its location.</summary>
    public string Reason { get; }

    /// <summary>0-based index of the HDU where the problem is, when known.</summary>
    public int? HduIndex { get; }

    /// <summary>0-based index of the card within the HDU's header, when known.</summary>
    public int? CardIndex { get; }

    /// <summary>Absolute byte offset in the (decompressed) file, when known.</summary>
    public long? ByteOffset { get; }

    /// <summary>Returns a copy of this exception located in the given HDU (when it had no HDU yet).</summary>
    public FitsException InHdu(int hduIndex) =>
        HduIndex is null ? new FitsException(Reason, hduIndex, CardIndex, ByteOffset, InnerException) : this;

    private static string Compose(string reason, int? hdu, int? card, long? offset)
    {
        var where = new List<string>(2);
        if (hdu is int h)
        {
            where.Add($"HDU {h}");
        }

        if (card is int c)
        {
            where.Add($"card {c}");
        }

        string location = string.Join(", ", where);
        if (offset is long o)
        {
            location = location.Length == 0 ? $"byte {o}" : $"{location} (byte {o})";
        }

        // One line, always: reasons built from file content may carry control characters.
        string text = location.Length == 0 ? reason : $"{location}: {reason}";
        return text.ReplaceLineEndings(" ");
    }
}
