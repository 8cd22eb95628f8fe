namespace Astro.Catalogs;

/// <summary>The documented defaults of <see cref="CatalogReaderOptions"/>.</summary>
public static class CatalogDefaults
{
    /// <summary>Rows per chunk: 65,536.</summary>
    public const int ChunkRows = 65_536;

    /// <summary>Read buffer: 1 MiB (grows for longer lines).</summary>
    public const int BufferSize = 1 << 20;

    /// <summary>Malformed rows are dropped and counted.</summary>
    public const MalformedRowHandling MalformedRows = MalformedRowHandling.DropAndCount;

    /// <summary>Line numbers kept per problem in reports: 5.</summary>
    public const int ReportedLineNumbers = 5;

    /// <summary>Lines examined to detect the layout: 200.</summary>
    public const int SniffLines = 200;
}

/// <summary>What to do with a malformed row (wrong field count, unparsable number in a needed column).</summary>
public enum MalformedRowHandling
{
    /// <summary>Drop the row and count it by reason in <see cref="Models.CatalogReadReport"/>.</summary>
    DropAndCount = 1,

    /// <summary>Throw a <see cref="CatalogException"/> naming the line.</summary>
    Fail,
}

/// <summary>Options of <see cref="CatalogReader"/>.</summary>
public sealed class CatalogReaderOptions
{
    /// <summary>Rows per <see cref="Models.CatalogChunk"/>; memory is bounded by about one chunk plus the read buffer.</summary>
    /// <value>The default value is <see cref="CatalogDefaults.ChunkRows"/> (65,536). Range 1 to 16,777,216.</value>
    public int ChunkRows { get; set; } = CatalogDefaults.ChunkRows;

    /// <summary>The initial read buffer size in bytes.</summary>
    /// <value>The default value is <see cref="CatalogDefaults.BufferSize"/> (1 MiB). Range 4 KiB to 256 MiB; it grows for longer lines.</value>
    public int BufferSize { get; set; } = CatalogDefaults.BufferSize;

    /// <summary>What to do with malformed rows.</summary>
    /// <value>The default value is <see cref="MalformedRowHandling.DropAndCount"/>.</value>
    public MalformedRowHandling MalformedRowHandling { get; set; } = CatalogDefaults.MalformedRows;

    /// <summary>
    /// A hook that opens non-text sources (e.g. a FITS binary table reader from Astro.Fits): it returns an
    /// <see cref="ICatalogSource"/> for files it understands and <see langword="null"/> for the rest, which are read as text.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (text only).</value>
    public Func<string, ICatalogSource?>? SourceFactory { get; set; }

    internal void Validate()
    {
        var errors = new List<string>();
        if (ChunkRows is < 1 or > 16_777_216)
        {
            errors.Add($"{nameof(ChunkRows)} = {ChunkRows} is outside 1..16777216");
        }

        if (BufferSize is < 4096 or > (256 << 20))
        {
            errors.Add($"{nameof(BufferSize)} = {BufferSize} is outside 4096..268435456");
        }

        if (!Enum.IsDefined(MalformedRowHandling))
        {
            errors.Add($"{nameof(MalformedRowHandling)} = {(int)MalformedRowHandling} is not a defined value");
        }

        if (errors.Count > 0)
        {
            throw CatalogException.ForErrors("Invalid CatalogReaderOptions", errors, null);
        }
    }
}
