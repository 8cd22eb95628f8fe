namespace Astro.Catalogs.Models;

/// <summary>Builds model instances for tests and for <see cref="ICatalogSource"/> implementations outside this assembly.</summary>
public static class CatalogModelFactory
{
    /// <summary>Creates a chunk. Every array must have <paramref name="rowCount"/> elements.</summary>
    /// <param name="rowCount">The number of rows.</param>
    /// <param name="columnNames">Numeric column names.</param>
    /// <param name="columns">Numeric columns.</param>
    /// <param name="textColumnNames">Text column names (may be empty).</param>
    /// <param name="textColumns">Text columns.</param>
    /// <param name="ids">Source IDs, or <see langword="null"/>.</param>
    /// <param name="lineNumbers">Source line numbers, or <see langword="null"/> for 1..rowCount after <paramref name="firstRowIndex"/>.</param>
    /// <param name="firstRowIndex">The 0-based index of the first row.</param>
    /// <returns>The chunk.</returns>
    /// <exception cref="ArgumentException">Array lengths or name counts do not match.</exception>
    public static CatalogChunk CatalogChunk(
        int rowCount,
        IReadOnlyList<string> columnNames,
        IReadOnlyList<double[]> columns,
        IReadOnlyList<string>? textColumnNames = null,
        IReadOnlyList<string[]>? textColumns = null,
        string[]? ids = null,
        long[]? lineNumbers = null,
        long firstRowIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentNullException.ThrowIfNull(columnNames);
        ArgumentNullException.ThrowIfNull(columns);
        textColumnNames ??= [];
        textColumns ??= [];
        if (columnNames.Count != columns.Count || textColumnNames.Count != textColumns.Count)
        {
            throw new ArgumentException("Each column needs exactly one name.");
        }

        if (columns.Any(c => c.Length != rowCount) || textColumns.Any(c => c.Length != rowCount) || (ids is not null && ids.Length != rowCount) || (lineNumbers is not null && lineNumbers.Length != rowCount))
        {
            throw new ArgumentException($"Every column must have {rowCount} elements.");
        }

        if (lineNumbers is null)
        {
            lineNumbers = new long[rowCount];
            for (int i = 0; i < rowCount; i++)
            {
                lineNumbers[i] = firstRowIndex + i + 1;
            }
        }

        return new CatalogChunk(rowCount, firstRowIndex, columnNames, columns, textColumnNames, textColumns, ids, lineNumbers);
    }
}
