namespace Astro.Fits.Cards;

/// <summary>
/// Byte layout of FITS header records (FITS 4.0, section 4.1), shared by the reader and the writer.
/// </summary>
public static class CardLayout
{
    /// <summary>Bytes in one header card.</summary>
    public const int CardLength = 80;

    /// <summary>Bytes of the keyword field (columns 1–8).</summary>
    public const int KeywordLength = 8;

    /// <summary>Offset of the value indicator <c>"= "</c> (columns 9–10).</summary>
    public const int ValueIndicatorOffset = KeywordLength;

    /// <summary>Offset where a value starts (column 11).</summary>
    public const int ValueOffset = ValueIndicatorOffset + 2;

    /// <summary>Bytes in one FITS logical record; headers and data are padded to a multiple of it.</summary>
    public const int BlockSize = 2880;

    /// <summary>Header cards in one block.</summary>
    public const int CardsPerBlock = BlockSize / CardLength;

    /// <summary>Column (0-based) where fixed-format values end: numbers are right-justified to column 30.</summary>
    public const int FixedValueEnd = 30;

    /// <summary>Rounds a byte count up to a whole number of blocks.</summary>
    public static long PadToBlock(long length) => (length + BlockSize - 1) / BlockSize * BlockSize;
}
