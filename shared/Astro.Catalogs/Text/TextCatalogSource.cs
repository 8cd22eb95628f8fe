using System.IO.Compression;
using System.Text;
using Astro.Catalogs.Models;

namespace Astro.Catalogs.Text;

/// <summary>
/// Delimited or whitespace-separated text (optionally gzip-compressed), with the header on the first line or on a
/// comment line, possibly split by another delimiter than the rows.
/// </summary>
internal sealed partial class TextCatalogSource : ICatalogSource
{
    private const byte Quote = (byte)'"';
    private const byte WhitespaceDelimiter = 0;

    // Lines are split sequentially and parsed in parallel in batches of at least this many (a 1 MiB buffer holds ~5,000 typical rows).
    private const int MinParallelLines = 1024;

    private readonly string _path;
    private readonly CsvDialect _dialect;
    private readonly int _bufferSize;
    private readonly MalformedRowHandling _malformed;
    private readonly byte[] _comment;
    private byte _delimiter;
    private long _firstDataLine;
    private string[] _columns = [];

    public TextCatalogSource(string path, CsvDialect dialect, int bufferSize, MalformedRowHandling malformed)
    {
        _path = path;
        _dialect = dialect;
        _bufferSize = bufferSize;
        _malformed = malformed;
        _comment = Encoding.UTF8.GetBytes(dialect.CommentPrefix);
        DetectLayout();
    }

    public string SourceName => _path;

    public IReadOnlyList<string> ColumnNames => _columns;

    public string Layout { get; private set; } = "";

    public void Dispose()
    {
    }

    private Stream OpenStream()
    {
        var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        int got = fs.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        fs.Position = 0;
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return new GZipStream(fs, CompressionMode.Decompress);
        }

        return fs;
    }

    private bool IsComment(ReadOnlySpan<byte> line) => line.TrimStart(" \t"u8).StartsWith(_comment);

    private void Malformed(CatalogReadReport report, string reason, long lineNumber, string message)
    {
        report.AddMalformed(reason, lineNumber, message);
        if (_malformed == MalformedRowHandling.Fail)
        {
            throw new CatalogException($"Catalog '{_path}', {message}.", [message], _path, lineNumber);
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
