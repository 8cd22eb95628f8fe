namespace Astro.Catalogs.Models;

/// <summary>
/// A block of consecutive catalog rows, column-major: one <see cref="double"/> array per numeric column, one string
/// array per text column, and the source line number of every row. All arrays have exactly <see cref="RowCount"/> elements.
/// </summary>
/// <remarks>Values are the file's raw values (no unit conversion, sentinels kept); an empty field is NaN.</remarks>
public sealed class CatalogChunk
{
    private readonly Dictionary<string, int> _numericIndex;
    private readonly Dictionary<string, int> _textIndex;

    internal CatalogChunk(
        int rowCount,
        long firstRowIndex,
        IReadOnlyList<string> columnNames,
        IReadOnlyList<double[]> columns,
        IReadOnlyList<string> textColumnNames,
        IReadOnlyList<string[]> textColumns,
        string[]? ids,
        long[] lineNumbers)
    {
        RowCount = rowCount;
        FirstRowIndex = firstRowIndex;
        ColumnNames = columnNames;
        Columns = columns;
        TextColumnNames = textColumnNames;
        TextColumns = textColumns;
        Ids = ids;
        LineNumbers = lineNumbers;
        _numericIndex = Index(columnNames);
        _textIndex = Index(textColumnNames);
    }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The 0-based index of the first row among all well-formed rows of the file.</summary>
    public long FirstRowIndex { get; }

    /// <summary>The numeric column names, in the order of <see cref="Columns"/>.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The numeric columns.</summary>
    public IReadOnlyList<double[]> Columns { get; }

    /// <summary>The text column names (class labels, flags), in the order of <see cref="TextColumns"/>.</summary>
    public IReadOnlyList<string> TextColumnNames { get; }

    /// <summary>The text columns (trimmed, unquoted).</summary>
    public IReadOnlyList<string[]> TextColumns { get; }

    /// <summary>Source IDs, or <see langword="null"/> when the profile has no ID column.</summary>
    public string[]? Ids { get; }

    /// <summary>The 1-based line number of each row in the source (the row index + 1 for non-text sources).</summary>
    public long[] LineNumbers { get; }

    /// <summary>Gets a numeric column by name.</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The values.</returns>
    /// <exception cref="KeyNotFoundException">The chunk has no such numeric column.</exception>
    public double[] GetColumn(string name) => _numericIndex.TryGetValue(name, out int i)
        ? Columns[i]
        : throw new KeyNotFoundException($"The chunk has no numeric column '{name}' (it has: {string.Join(", ", ColumnNames)}).");

    /// <summary>Gets a text column by name.</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The values.</returns>
    /// <exception cref="KeyNotFoundException">The chunk has no such text column.</exception>
    public string[] GetTextColumn(string name) => _textIndex.TryGetValue(name, out int i)
        ? TextColumns[i]
        : throw new KeyNotFoundException($"The chunk has no text column '{name}' (it has: {string.Join(", ", TextColumnNames)}).");

    /// <summary>Whether the chunk has a numeric column of that name.</summary>
    /// <param name="name">The column name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool HasColumn(string name) => _numericIndex.ContainsKey(name);

    private static Dictionary<string, int> Index(IReadOnlyList<string> names)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            d.TryAdd(names[i], i);
        }

        return d;
    }
}
