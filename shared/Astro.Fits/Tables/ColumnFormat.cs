using System.Globalization;

namespace Astro.Fits.Tables;

/// <summary>The data type of a binary-table field (TFORMn type code).</summary>
public enum ColumnType
{
    /// <summary>L: logical, one byte 'T', 'F' or 0 (undefined).</summary>
    Logical = 'L',

    /// <summary>X: bits, packed 8 to a byte.</summary>
    Bit = 'X',

    /// <summary>B: unsigned byte.</summary>
    Byte = 'B',

    /// <summary>I: 16-bit integer.</summary>
    Int16 = 'I',

    /// <summary>J: 32-bit integer.</summary>
    Int32 = 'J',

    /// <summary>K: 64-bit integer.</summary>
    Int64 = 'K',

    /// <summary>A: character.</summary>
    Char = 'A',

    /// <summary>E: IEEE single.</summary>
    Float32 = 'E',

    /// <summary>D: IEEE double.</summary>
    Float64 = 'D',

    /// <summary>C: single-precision complex.</summary>
    Complex64 = 'C',

    /// <summary>M: double-precision complex.</summary>
    Complex128 = 'M',
}

/// <summary>
/// A parsed binary-table TFORMn: <c>rT</c> for fixed fields, <c>rPt(max)</c> / <c>rQt(max)</c>
/// for variable-length arrays stored in the heap.
/// </summary>
public sealed record ColumnFormat
{
    private ColumnFormat(ColumnType type, long repeat, char descriptor, long maxLength, string text)
    {
        Type = type;
        Repeat = repeat;
        Descriptor = descriptor;
        MaxLength = maxLength;
        Text = text;
    }

    /// <summary>The element type (for variable-length arrays, of the heap elements).</summary>
    public ColumnType Type { get; }

    /// <summary>Elements per row for fixed fields (bits for X); 0 or 1 for descriptors.</summary>
    public long Repeat { get; }

    /// <summary>'P' (32-bit descriptors), 'Q' (64-bit), or '\0' for fixed fields.</summary>
    public char Descriptor { get; }

    /// <summary>True for P and Q variable-length arrays.</summary>
    public bool IsVariableLength => Descriptor != '\0';

    /// <summary>The declared maximum length of a variable-length array (the "(max)" part), or 0.</summary>
    public long MaxLength { get; }

    /// <summary>The TFORM text as read.</summary>
    public string Text { get; }

    /// <summary>Bytes of one element of <see cref="Type"/> (bits count as one byte per 8).</summary>
    public int ElementSize => ElementSizeOf(Type);

    /// <summary>Bytes the field occupies in each row.</summary>
    public long FieldWidth => Descriptor switch
    {
        'P' => Repeat == 0 ? 0 : 8,
        'Q' => Repeat == 0 ? 0 : 16,
        _ => Type == ColumnType.Bit ? (Repeat + 7) / 8 : Repeat * ElementSize,
    };

    /// <summary>True for types whose values are numbers (B, I, J, K, E, D).</summary>
    public bool IsNumeric => Type is ColumnType.Byte or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 or ColumnType.Float32 or ColumnType.Float64;

    /// <summary>Parses a TFORM value; null when it is not a binary-table format.</summary>
    public static ColumnFormat? TryParse(string tform)
    {
        ArgumentNullException.ThrowIfNull(tform);
        ReadOnlySpan<char> text = tform.AsSpan().Trim();
        int i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        long repeat = 1;
        if (i > 0 && !long.TryParse(text[..i], NumberStyles.None, CultureInfo.InvariantCulture, out repeat))
        {
            return null;
        }

        if (i >= text.Length)
        {
            return null;
        }

        char code = char.ToUpperInvariant(text[i]);
        if (code is 'P' or 'Q')
        {
            if (i + 1 >= text.Length || !IsType(char.ToUpperInvariant(text[i + 1])))
            {
                return null;
            }

            var type = (ColumnType)char.ToUpperInvariant(text[i + 1]);
            long max = 0;
            int open = text.IndexOf('(');
            int close = text.IndexOf(')');
            if (open > 0 && close > open)
            {
                _ = long.TryParse(text[(open + 1)..close], NumberStyles.None, CultureInfo.InvariantCulture, out max);
            }

            if (repeat > 1)
            {
                return null;
            }

            return new ColumnFormat(type, repeat, code, max, tform.Trim());
        }

        return IsType(code) ? new ColumnFormat((ColumnType)code, repeat, '\0', 0, tform.Trim()) : null;
    }

    /// <summary>Creates a fixed-width format.</summary>
    public static ColumnFormat Fixed(ColumnType type, long repeat = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(repeat);
        return new ColumnFormat(type, repeat, '\0', 0, string.Create(CultureInfo.InvariantCulture, $"{repeat}{(char)type}"));
    }

    /// <summary>Creates a variable-length format (P descriptors).</summary>
    public static ColumnFormat VariableLength(ColumnType type, long maxLength, bool longDescriptors = false)
    {
        char d = longDescriptors ? 'Q' : 'P';
        return new ColumnFormat(type, 1, d, maxLength, string.Create(CultureInfo.InvariantCulture, $"1{d}{(char)type}({maxLength})"));
    }

    internal static int ElementSizeOf(ColumnType type) => type switch
    {
        ColumnType.Logical or ColumnType.Bit or ColumnType.Byte or ColumnType.Char => 1,
        ColumnType.Int16 => 2,
        ColumnType.Int32 or ColumnType.Float32 => 4,
        ColumnType.Int64 or ColumnType.Float64 or ColumnType.Complex64 => 8,
        ColumnType.Complex128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static bool IsType(char c) => c is 'L' or 'X' or 'B' or 'I' or 'J' or 'K' or 'A' or 'E' or 'D' or 'C' or 'M';
}
