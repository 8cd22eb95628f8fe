using Astro.Catalogs.Models;

namespace Astro.Catalogs;

/// <summary>
/// A physical table of rows and named columns: a text file (built in) or, plugged in through
/// <see cref="CatalogReaderOptions.SourceFactory"/>, a FITS binary table or a Parquet file.
/// </summary>
/// <remarks>
/// Implementations read only the requested columns, stream in chunks of at most <c>chunkRows</c> rows, count malformed
/// rows in the report, and build chunks with <see cref="CatalogModelFactory.CatalogChunk"/>.
/// </remarks>
public interface ICatalogSource : IDisposable
{
    /// <summary>The file name or another name for messages.</summary>
    string SourceName { get; }

    /// <summary>The column names, in file order.</summary>
    IReadOnlyList<string> ColumnNames { get; }

    /// <summary>A description of the layout (delimiter, header origin) for reports.</summary>
    string Layout { get; }

    /// <summary>Reads the requested columns in chunks.</summary>
    /// <param name="numericColumns">Columns parsed as <see cref="double"/> (blank = NaN).</param>
    /// <param name="textColumns">Columns kept as trimmed strings.</param>
    /// <param name="chunkRows">The maximum rows per chunk.</param>
    /// <param name="report">Where row counts and problems are recorded.</param>
    /// <param name="cancellationToken">Checked once per chunk.</param>
    /// <returns>The chunks, in file order.</returns>
    IEnumerable<CatalogChunk> ReadChunks(IReadOnlyList<string> numericColumns, IReadOnlyList<string> textColumns, int chunkRows, CatalogReadReport report, CancellationToken cancellationToken);
}
