using Astro.Fits.Hdus;

namespace Astro.Fits.Tables;

/// <summary>What binary and ASCII tables share: rows, named columns, numbers as doubles.</summary>
public abstract class TableHdu : Hdu
{
    private protected TableHdu(HduFrame frame)
        : base(frame)
    {
        RowLength = frame.Header.RequireInt64("NAXIS1");
        RowCount = frame.Header.RequireInt64("NAXIS2");
    }

    /// <summary>NAXIS1: bytes per row.</summary>
    public long RowLength { get; }

    /// <summary>NAXIS2: number of rows.</summary>
    public virtual long RowCount { get; }

    /// <summary>The column definitions, in order.</summary>
    public abstract IReadOnlyList<Column> Columns { get; }

    /// <summary>The column with this TTYPE (case-insensitive, as the FITS convention has it).</summary>
    /// <exception cref="FitsException">No column has that name.</exception>
    public Column GetColumn(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (Column column in Columns)
        {
            if (string.Equals(column.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return column;
            }
        }

        throw Error($"no column named '{name}' (columns: {string.Join(", ", Columns.Select(c => c.DisplayName))})");
    }

    /// <summary>True when a column has this name.</summary>
    public bool HasColumn(string name) => Columns.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads a numeric column's physical values (TSCAL/TZERO applied, TNULL and NaN as NaN),
    /// flattened row by row (vectors and variable-length arrays concatenated).
    /// </summary>
    public double[] ReadColumnAsDouble(string name) => ReadColumnAsDouble(GetColumn(name));

    /// <inheritdoc cref="ReadColumnAsDouble(string)"/>
    public double[] ReadColumnAsDouble(Column column)
    {
        var values = new List<double>();
        foreach (double[] chunk in ReadColumnChunks(column))
        {
            values.AddRange(chunk);
        }

        return values.ToArray();
    }

    /// <summary>Reads several numeric columns (physical values, flattened); binary tables read each row chunk once.</summary>
    public virtual IReadOnlyList<double[]> ReadColumnsAsDouble(IReadOnlyList<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return columns.Select(ReadColumnAsDouble).ToArray();
    }

    /// <summary>Reads a column's values for a range of rows (0-based), flattened.</summary>
    public abstract double[] ReadColumnAsDouble(Column column, long firstRow, int rowCount);

    /// <summary>Reads a column's text values (A columns; numbers as written in ASCII tables).</summary>
    public abstract string[] ReadStrings(Column column);

    /// <summary>Reads a column's text values by name.</summary>
    public string[] ReadStrings(string name) => ReadStrings(GetColumn(name));

    /// <summary>Streams a numeric column in chunks of rows, so that large tables never sit in memory at once.</summary>
    public IEnumerable<double[]> ReadColumnChunks(Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (!column.IsNumeric)
        {
            throw Error($"{column.DisplayName} is not numeric");
        }

        ThrowIfTruncated();
        int rowsPerChunk = (int)Math.Max(1, Math.Min(int.MaxValue, FitsDefaults.ChunkBytes / Math.Max(1, RowLength)));
        for (long row = 0; row < RowCount; row += rowsPerChunk)
        {
            int n = (int)Math.Min(rowsPerChunk, RowCount - row);
            yield return ReadColumnAsDouble(column, row, n);
        }
    }

    /// <summary>Reads raw row bytes (0-based rows).</summary>
    internal byte[] ReadRowBytes(long firstRow, int rowCount)
    {
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > RowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"Rows {firstRow}..{firstRow + rowCount} are outside the table of {RowCount} rows.");
        }

        long bytes = RowLength * rowCount;
        if (bytes > Array.MaxLength)
        {
            throw Error($"{rowCount} rows of {RowLength} bytes do not fit in one buffer");
        }

        byte[] buffer = new byte[bytes];
        ReadData(firstRow * RowLength, buffer);
        return buffer;
    }
}
