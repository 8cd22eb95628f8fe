using System.Buffers.Binary;
using System.Globalization;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Hdus;
using Astro.Fits.IO;
using Astro.Fits.Tables;
using Microsoft.Win32.SafeHandles;

namespace Astro.Catalogs.Fits;

/// <summary>
/// A FITS binary table as an <see cref="ICatalogSource"/>: the first BINTABLE HDU (or the one named), scalar columns by
/// TTYPE, read in chunks of rows with only the requested columns decoded (TSCAL/TZERO applied, TNULL and NaN as NaN).
/// </summary>
/// <remarks>
/// Uncompressed files are read in place, one block of rows per chunk, each requested column decoded from it; gzip and other
/// whole-file compressions are expanded in memory by <see cref="FitsFile"/>. Row numbers (1-based) stand in for line numbers.
/// Plug it into a <see cref="CatalogReader"/> with <c>new CatalogReaderOptions { SourceFactory = FitsCatalogSource.TryOpen }</c>.
/// </remarks>
public sealed class FitsCatalogSource : ICatalogSource
{
    private readonly FitsFile _file;
    private readonly BinaryTableHdu _table;
    private readonly SafeFileHandle? _handle;
    private readonly Dictionary<string, BinaryColumn> _byName = new(StringComparer.Ordinal);

    /// <summary>Opens the first binary table of a FITS file, or the one whose EXTNAME is <paramref name="extensionName"/>.</summary>
    /// <param name="path">The FITS file (possibly gzip-compressed).</param>
    /// <param name="extensionName">The EXTNAME of the table, or <see langword="null"/> for the first binary table.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FitsException">The file is not valid FITS.</exception>
    /// <exception cref="CatalogException">The file has no (such) binary table, or the table has a tile-compressed layout.</exception>
    public FitsCatalogSource(string path, string? extensionName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SourceName = path;
        _file = FitsFile.Open(path);
        try
        {
            Hdu? hdu = extensionName is null ? _file.FirstOrDefault(h => h is BinaryTableHdu) : _file.Find(extensionName);
            if (hdu is not BinaryTableHdu table)
            {
                throw new CatalogException(
                    extensionName is null
                        ? $"FITS catalog '{path}' has no binary table (HDUs: {string.Join(", ", _file.Select(h => h.Kind.ToString()))})."
                        : $"FITS catalog '{path}' has no binary table named '{extensionName}'.",
                    [],
                    path);
            }

            if (table.IsCompressedTable)
            {
                throw new CatalogException($"FITS catalog '{path}': HDU {table.Index} is a tile-compressed table, which catalogs do not support; uncompress it (funpack).", [], path);
            }

            _table = table;
            foreach (BinaryColumn c in table.BinaryColumns)
            {
                if (c.Name is string name)
                {
                    _byName.TryAdd(name, c);
                }
            }

            ColumnNames = [.. _byName.Keys];
            Layout = $"FITS binary table HDU {table.Index}{(table.Name is string n ? $" '{n}'" : "")}, {table.RowCount} rows, {table.Columns.Count} columns";
            if (_file.Compression == FileCompression.None)
            {
                _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            }
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string SourceName { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <inheritdoc/>
    public string Layout { get; }

    /// <summary>The number of rows of the table.</summary>
    public long RowCount => _table.RowCount;

    /// <summary>Opens <paramref name="path"/> when it is a FITS file (by its first bytes, after gzip if compressed), else returns <see langword="null"/>.</summary>
    /// <param name="path">A catalog file.</param>
    /// <returns>The source, or <see langword="null"/> for a file that is not FITS.</returns>
    /// <exception cref="FitsException">The file starts like FITS but is not valid.</exception>
    public static ICatalogSource? TryOpen(string path) => IsFits(path) ? new FitsCatalogSource(path) : null;

    /// <summary>Whether a file starts with <c>SIMPLE  =</c> (directly or inside gzip).</summary>
    /// <param name="path">The file.</param>
    /// <returns><see langword="true"/> for FITS.</returns>
    public static bool IsFits(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[9];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            stream.Position = 0;
            using var gzip = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
            n = gzip.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        return n == 9 && head.SequenceEqual("SIMPLE  ="u8);
    }

    /// <inheritdoc/>
    public IEnumerable<CatalogChunk> ReadChunks(IReadOnlyList<string> numericColumns, IReadOnlyList<string> textColumns, int chunkRows, CatalogReadReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numericColumns);
        ArgumentNullException.ThrowIfNull(textColumns);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        BinaryColumn[] numeric = [.. numericColumns.Select(c => Column(c, text: false))];
        BinaryColumn[] text = [.. textColumns.Select(c => Column(c, text: true))];
        report.Layout = Layout;
        return Iterate(numericColumns, numeric, textColumns, text, chunkRows, report, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _handle?.Dispose();
        _file.Dispose();
    }

    private IEnumerable<CatalogChunk> Iterate(IReadOnlyList<string> numericNames, BinaryColumn[] numeric, IReadOnlyList<string> textNames, BinaryColumn[] text, int chunkRows, CatalogReadReport report, CancellationToken cancellationToken)
    {
        long rows = _table.RowCount;
        long rowLength = _table.RowLength;
        if (rows > 0 && _table.IsTruncated)
        {
            throw new CatalogException($"FITS catalog '{SourceName}': the table data is truncated (the header declares {_table.DataLength} bytes).", [], SourceName);
        }

        int perChunk = (int)Math.Max(1, Math.Min(chunkRows, Array.MaxLength / Math.Max(1, rowLength)));
        byte[]? buffer = null;
        string[][]? allText = _handle is null ? [.. text.Select(c => _table.ReadStrings(c))] : null;
        for (long first = 0; first < rows; first += perChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = (int)Math.Min(perChunk, rows - first);
            var columns = new double[numeric.Length][];
            var texts = new string[text.Length][];
            if (_handle is not null)
            {
                int bytes = checked((int)(n * rowLength));
                buffer ??= new byte[checked((int)(perChunk * rowLength))];
                ReadExactly(_table.DataOffset + (first * rowLength), buffer.AsSpan(0, bytes));
                for (int i = 0; i < numeric.Length; i++)
                {
                    columns[i] = Decode(numeric[i], buffer, n, (int)rowLength);
                }

                for (int i = 0; i < text.Length; i++)
                {
                    texts[i] = DecodeText(text[i], buffer, n, (int)rowLength);
                }
            }
            else
            {
                for (int i = 0; i < numeric.Length; i++)
                {
                    columns[i] = _table.ReadColumnAsDouble(numeric[i], first, n);
                }

                for (int i = 0; i < text.Length; i++)
                {
                    texts[i] = allText![i].AsSpan((int)first, n).ToArray();
                }
            }

            var lines = new long[n];
            for (int r = 0; r < n; r++)
            {
                lines[r] = first + r + 1;
            }

            report.DataLines += n;
            report.RowsRead += n;
            yield return CatalogModelFactory.CatalogChunk(n, numericNames, columns, textNames, texts, null, lines, first);
        }
    }

    private BinaryColumn Column(string name, bool text)
    {
        if (!_byName.TryGetValue(name, out BinaryColumn? c))
        {
            throw new CatalogException($"FITS catalog '{SourceName}' has no column '{name}'.", [], SourceName);
        }

        if (c.Format.IsVariableLength || (c.Format.Type != ColumnType.Char && c.Format.Repeat != 1))
        {
            throw new CatalogException($"FITS catalog '{SourceName}': column '{name}' ({c.Format.Text}) is an array; catalog columns must be scalars.", [], SourceName);
        }

        if (!text && !c.IsNumeric)
        {
            throw new CatalogException($"FITS catalog '{SourceName}': column '{name}' ({c.Format.Text}) is not numeric.", [], SourceName);
        }

        if (text && !c.IsNumeric && c.Format.Type != ColumnType.Char)
        {
            throw new CatalogException($"FITS catalog '{SourceName}': column '{name}' ({c.Format.Text}) cannot be read as text.", [], SourceName);
        }

        return c;
    }

    private void ReadExactly(long offset, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(_handle!, destination[total..], offset + total);
            if (n <= 0)
            {
                throw new CatalogException($"FITS catalog '{SourceName}' ends inside the table data (byte {offset + total}).", [], SourceName);
            }

            total += n;
        }
    }

    private static double[] Decode(BinaryColumn c, byte[] rows, int n, int rowLength)
    {
        var values = new double[n];
        int at = (int)c.Offset;
        double scale = c.Scale;
        double zero = c.Zero;
        bool identity = scale == 1.0 && zero == 0.0;
        long nullValue = c.NullValue ?? long.MinValue;
        bool hasNull = c.NullValue is not null;
        ReadOnlySpan<byte> data = rows;
        switch (c.Format.Type)
        {
            case ColumnType.Float32:
                for (int r = 0; r < n; r++, at += rowLength)
                {
                    double v = BinaryPrimitives.ReadSingleBigEndian(data.Slice(at, 4));
                    values[r] = identity ? v : zero + (scale * v);
                }

                break;
            case ColumnType.Float64:
                for (int r = 0; r < n; r++, at += rowLength)
                {
                    double v = BinaryPrimitives.ReadDoubleBigEndian(data.Slice(at, 8));
                    values[r] = identity ? v : zero + (scale * v);
                }

                break;
            default:
                for (int r = 0; r < n; r++, at += rowLength)
                {
                    long raw = c.Format.Type switch
                    {
                        ColumnType.Byte => data[at],
                        ColumnType.Int16 => BinaryPrimitives.ReadInt16BigEndian(data.Slice(at, 2)),
                        ColumnType.Int32 => BinaryPrimitives.ReadInt32BigEndian(data.Slice(at, 4)),
                        _ => BinaryPrimitives.ReadInt64BigEndian(data.Slice(at, 8)),
                    };
                    values[r] = hasNull && raw == nullValue ? double.NaN : identity ? raw : zero + (scale * raw);
                }

                break;
        }

        return values;
    }

    private static string[] DecodeText(BinaryColumn c, byte[] rows, int n, int rowLength)
    {
        var values = new string[n];
        if (c.IsNumeric)
        {
            double[] numbers = Decode(c, rows, n, rowLength);
            for (int r = 0; r < n; r++)
            {
                values[r] = double.IsNaN(numbers[r]) ? "" : numbers[r].ToString("R", CultureInfo.InvariantCulture);
            }

            return values;
        }

        int width = (int)c.Format.Repeat;
        for (int r = 0, at = (int)c.Offset; r < n; r++, at += rowLength)
        {
            ReadOnlySpan<byte> field = rows.AsSpan(at, width);
            int nul = field.IndexOf((byte)0);
            if (nul >= 0)
            {
                field = field[..nul];
            }

            values[r] = System.Text.Encoding.Latin1.GetString(field).Trim();
        }

        return values;
    }
}
