namespace Astro.Fits.Hdus;

/// <summary>
/// An HDU the standard does not define (XTENSION = 'DUMP', a primary with SIMPLE = F, …):
/// listed, its raw bytes available, never a reason to fail the file.
/// </summary>
public sealed class UnknownHdu : Hdu
{
    internal UnknownHdu(HduFrame frame)
        : base(frame)
    {
    }

    /// <inheritdoc />
    public override HduKind Kind => HduKind.Other;

    /// <summary>The raw data bytes (unpadded).</summary>
    public byte[] ReadRawData()
    {
        if (DataLength > Array.MaxLength)
        {
            throw Error($"data of {DataLength} bytes is too large to read into one array");
        }

        byte[] bytes = new byte[DataLength];
        ReadData(0, bytes);
        return bytes;
    }
}
