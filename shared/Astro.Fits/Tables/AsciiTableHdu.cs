using System.Globalization;
using System.Text;
using Astro.Fits.Hdus;
using Astro.Fits.Headers;

namespace Astro.Fits.Tables;

/// <summary>
/// An ASCII table (XTENSION = 'TABLE'): rows of characters with fields at TBCOLn in Fortran
/// formats Aw, Iw, Fw.d, Ew.d and Dw.d.
/// </summary>
public sealed class AsciiTableHdu : TableHdu
{
    private readonly AsciiColumn[] _columns;

    internal AsciiTableHdu(HduFrame frame)
        : base(frame)
    {
        Header header = frame.Header;
        if (RowLength < 0 || RowCount < 0)
        {
            throw header.Error(null, "negative NAXIS1 or NAXIS2");
        }

        long fields = header.RequireInt64("TFIELDS");
        if (fields < 0 || fields > 999)
        {
            throw header.Error(header.IndexOf("TFIELDS"), $"TFIELDS = {fields} is outside 0..999");
        }

        _columns = new AsciiColumn[fields];
        for (int i = 0; i < fields; i++)
        {
            string n = (i + 1).ToString(CultureInfo.InvariantCulture);
            string tform = (header.GetString("TFORM" + n) ?? throw header.Error(null, $"missing required keyword TFORM{n}")).Trim();
            long tbcol = header.RequireInt64("TBCOL" + n);
            if (!TryParseFormat(tform, out char code, out int width, out int decimals))
            {
                throw header.Error(header.IndexOf("TFORM" + n), $"TFORM{n} = '{tform}' is not an ASCII-table format");
            }

            if (tbcol < 1 || tbcol - 1 + width > RowLength)
            {
                throw header.Error(header.IndexOf("TBCOL" + n), $"field {n} (TBCOL{n} = {tbcol}, width {width}) does not fit in rows of {RowLength} characters");
            }

            string? name = header.GetString("TTYPE" + n)?.Trim();
            _columns[i] = new AsciiColumn(
                i,
                string.IsNullOrEmpty(name) ? null : name,
                header.GetString("TUNIT" + n)?.Trim(),
                header.GetDouble("TSCAL" + n, 1.0),
                header.GetDouble("TZERO" + n, 0.0),
                code,
                (int)(tbcol - 1),
                width,
                decimals,
                header.GetString("TNULL" + n));
        }
    }

    /// <inheritdoc />
    public override HduKind Kind => HduKind.AsciiTable;

    /// <inheritdoc />
    public override IReadOnlyList<Column> Columns => _columns;

    /// <inheritdoc />
    public override double[] ReadColumnAsDouble(Column column, long firstRow, int rowCount)
    {
        AsciiColumn c = Own(column);
        if (!c.IsNumeric)
        {
            throw Error($"{c.DisplayName} (A{c.Width}) is not numeric");
        }

        byte[] rows = ReadRowBytes(firstRow, rowCount);
        var values = new double[rowCount];
        for (int r = 0; r < rowCount; r++)
        {
            ReadOnlySpan<byte> field = rows.AsSpan((int)((r * RowLength) + c.Start), c.Width);
            values[r] = Parse(c, field, firstRow + r);
        }

        return values;
    }

    /// <inheritdoc />
    public override string[] ReadStrings(Column column)
    {
        AsciiColumn c = Own(column);
        ThrowIfTruncated();
        var result = new string[RowCount];
        int rowsPerChunk = (int)Math.Max(1, FitsDefaults.ChunkBytes / Math.Max(1, RowLength));
        for (long row = 0; row < RowCount; row += rowsPerChunk)
        {
            int n = (int)Math.Min(rowsPerChunk, RowCount - row);
            byte[] rows = ReadRowBytes(row, n);
            for (int r = 0; r < n; r++)
            {
                result[row + r] = Encoding.Latin1.GetString(rows, (int)((r * RowLength) + c.Start), c.Width).TrimEnd();
            }
        }

        return result;
    }

    private double Parse(AsciiColumn c, ReadOnlySpan<byte> field, long row)
    {
        Span<char> text = stackalloc char[field.Length];
        int length = 0;
        bool hasPoint = false;
        bool hasExponent = false;
        foreach (byte b in field)
        {
            char ch = (char)b;
            if (ch == ' ')
            {
                continue; // Fortran input ignores embedded blanks.
            }

            if (ch is 'D' or 'd')
            {
                ch = 'E';
            }

            hasPoint |= ch == '.';
            hasExponent |= ch is 'E' or 'e';
            text[length++] = ch;
        }

        ReadOnlySpan<char> token = text[..length];
        if (c.NullString is string tnull && token.SequenceEqual(tnull.AsSpan().Trim()))
        {
            return double.NaN;
        }

        if (length == 0)
        {
            // A blank numeric field without TNULL reads as zero, the Fortran convention astropy and cfitsio follow.
            return c.Zero;
        }

        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw Error($"{c.DisplayName}, row {row}: '{Encoding.Latin1.GetString(field).Trim()}' is not a number");
        }

        if (c.TypeCode != 'I' && !hasPoint && c.Decimals > 0)
        {
            // Fortran Fw.d input without a decimal point: the last d digits are the fraction.
            int mantissaEnd = hasExponent ? token.IndexOfAny('E', 'e') : token.Length;
            double mantissa = double.Parse(token[..mantissaEnd], NumberStyles.Float, CultureInfo.InvariantCulture) / Math.Pow(10, c.Decimals);
            value = hasExponent
                ? mantissa * Math.Pow(10, int.Parse(token[(mantissaEnd + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))
                : mantissa;
        }

        return c.Scale == 1.0 && c.Zero == 0.0 ? value : c.Zero + (c.Scale * value);
    }

    private AsciiColumn Own(Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column is not AsciiColumn c || column.Index >= _columns.Length || !ReferenceEquals(_columns[column.Index], c))
        {
            throw new ArgumentException("The column does not belong to this table.", nameof(column));
        }

        return c;
    }

    private static bool TryParseFormat(string tform, out char code, out int width, out int decimals)
    {
        code = tform.Length > 0 ? char.ToUpperInvariant(tform[0]) : '\0';
        width = 0;
        decimals = 0;
        if (code is not ('A' or 'I' or 'F' or 'E' or 'D'))
        {
            return false;
        }

        ReadOnlySpan<char> rest = tform.AsSpan(1);
        int dot = rest.IndexOf('.');
        ReadOnlySpan<char> w = dot < 0 ? rest : rest[..dot];
        if (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out width) || width <= 0)
        {
            return false;
        }

        return dot < 0 || int.TryParse(rest[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out decimals);
    }
}
