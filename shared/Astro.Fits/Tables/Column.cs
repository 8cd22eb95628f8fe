namespace Astro.Fits.Tables;

/// <summary>A table column's definition, common to binary and ASCII tables.</summary>
public abstract class Column
{
    private protected Column(int index, string? name, string? unit, double scale, double zero)
    {
        Index = index;
        Name = name;
        Unit = unit;
        Scale = scale;
        Zero = zero;
    }

    /// <summary>0-based position of the column (TTYPE1 is column 0).</summary>
    public int Index { get; }

    /// <summary>TTYPEn, or null when the column is unnamed (legal FITS).</summary>
    public string? Name { get; }

    /// <summary>TUNITn, or null.</summary>
    public string? Unit { get; }

    /// <summary>TSCALn (default 1).</summary>
    public double Scale { get; }

    /// <summary>TZEROn (default 0).</summary>
    public double Zero { get; }

    /// <summary>True when the column holds numbers that <c>ReadColumnAsDouble</c> converts.</summary>
    public abstract bool IsNumeric { get; }

    /// <summary>The name, or "column N" (1-based, as in TTYPEn) when unnamed: for messages.</summary>
    public string DisplayName => Name ?? $"column {Index + 1}";
}

/// <summary>A binary-table column: TFORMn, TNULLn, TDIMn and the field's place in the row.</summary>
public sealed class BinaryColumn : Column
{
    internal BinaryColumn(int index, string? name, string? unit, double scale, double zero, ColumnFormat format, long? nullValue, long[]? dimensions, long offset)
        : base(index, name, unit, scale, zero)
    {
        Format = format;
        NullValue = nullValue;
        Dimensions = dimensions;
        Offset = offset;
    }

    /// <summary>The parsed TFORMn.</summary>
    public ColumnFormat Format { get; }

    /// <summary>TNULLn: the raw integer that marks an undefined value, if any.</summary>
    public long? NullValue { get; }

    /// <summary>TDIMn, fastest-varying first, or null.</summary>
    public IReadOnlyList<long>? Dimensions { get; }

    /// <summary>Byte offset of the field within each row.</summary>
    public long Offset { get; }

    /// <inheritdoc />
    public override bool IsNumeric => Format.IsNumeric;
}

/// <summary>An ASCII-table column: TBCOLn and a Fortran-style TFORMn (Aw, Iw, Fw.d, Ew.d, Dw.d).</summary>
public sealed class AsciiColumn : Column
{
    internal AsciiColumn(int index, string? name, string? unit, double scale, double zero, char typeCode, int start, int width, int decimals, string? nullString)
        : base(index, name, unit, scale, zero)
    {
        TypeCode = typeCode;
        Start = start;
        Width = width;
        Decimals = decimals;
        NullString = nullString;
    }

    /// <summary>'A', 'I', 'F', 'E' or 'D'.</summary>
    public char TypeCode { get; }

    /// <summary>0-based character position of the field in the row (TBCOLn − 1).</summary>
    public int Start { get; }

    /// <summary>Field width in characters.</summary>
    public int Width { get; }

    /// <summary>Digits after an implied decimal point (the d of Fw.d).</summary>
    public int Decimals { get; }

    /// <summary>TNULLn: the field text that marks an undefined value, if any.</summary>
    public string? NullString { get; }

    /// <inheritdoc />
    public override bool IsNumeric => TypeCode != 'A';
}
