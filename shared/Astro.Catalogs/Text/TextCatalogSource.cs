using System.IO.Compression;
using System.Text;
using Astro.Catalogs.Models;

namespace Astro.Catalogs.Text;

/// <summary>
/// Delimited or whitespace-separated text (optionally gzip-compressed), with the header on the first line or on a
/// comment line, possibly split by another delimiter than the rows.
/// </summary>
internal sealed class TextCatalogSource : ICatalogSource
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

    private static string DelimiterName(byte d) => d switch
    {
        WhitespaceDelimiter => "whitespace",
        (byte)'\t' => "tab",
        _ => $"'{(char)d}'",
    };

    private static byte ParseDelimiter(string? d) => d is null ? (byte)0xFF : d == "whitespace" ? WhitespaceDelimiter : (byte)d[0];

    private bool IsComment(ReadOnlySpan<byte> line) => line.TrimStart(" \t"u8).StartsWith(_comment);

    private void DetectLayout()
    {
        // Read the first lines as text.
        var lines = new List<string>();
        var kinds = new List<int>(); // 0 blank, 1 comment, 2 data
        using (Stream s = OpenStream())
        using (var reader = new StreamReader(s, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            int data = 0;
            string? line;
            while (data < CatalogDefaults.SniffLines && (line = reader.ReadLine()) is not null)
            {
                lines.Add(line);
                byte[] bytes = Encoding.UTF8.GetBytes(line);
                int kind = line.Trim().Length == 0 ? 0 : IsComment(bytes) ? 1 : 2;
                kinds.Add(kind);
                if (kind == 2)
                {
                    data++;
                }
            }
        }

        int firstNonComment = kinds.IndexOf(2);
        if (firstNonComment < 0 && _dialect.Header != HeaderMode.None)
        {
            // Header-only or empty file: the header may still be on the first line.
            int lastComment = kinds.LastIndexOf(1);
            if (lastComment < 0)
            {
                throw new CatalogException($"Catalog '{_path}' has no header and no rows.", [$"'{_path}' is empty"], _path);
            }
        }

        List<string> dataSample = [];
        for (int i = 0; i < lines.Count; i++)
        {
            if (kinds[i] == 2)
            {
                dataSample.Add(lines[i]);
            }
        }

        // Delimiter of the rows.
        byte delimiter = ParseDelimiter(_dialect.Delimiter);
        bool firstLineIsHeader = _dialect.Header == HeaderMode.FirstLine
            || (_dialect.Header == HeaderMode.Auto && dataSample.Count > 0 && LooksLikeHeader(dataSample[0], delimiter));
        List<string> rowsForDetection = firstLineIsHeader ? dataSample.Skip(1).ToList() : dataSample;
        if (rowsForDetection.Count == 0)
        {
            rowsForDetection = dataSample;
        }

        if (delimiter == 0xFF)
        {
            delimiter = DetectDelimiter(rowsForDetection);
            if (_dialect.Header == HeaderMode.Auto && dataSample.Count > 0)
            {
                firstLineIsHeader = LooksLikeHeader(dataSample[0], delimiter);
            }
        }

        _delimiter = delimiter;
        int rowFields = rowsForDetection.Count == 0 ? 0 : Mode(rowsForDetection.Skip(firstLineIsHeader && rowsForDetection == dataSample ? 1 : 0).Select(l => SplitFields(l, delimiter).Count));
        string headerOrigin;
        List<string> names;
        int headerLineIndex;
        if (_dialect.Header == HeaderMode.None)
        {
            names = [.. _dialect.ColumnNames!];
            headerOrigin = "names from the profile";
            _firstDataLine = firstNonComment + 1;
            headerLineIndex = -1;
        }
        else if (firstLineIsHeader)
        {
            headerLineIndex = firstNonComment;
            byte hd = ParseDelimiter(_dialect.HeaderDelimiter);
            names = hd == 0xFF ? SplitFields(lines[headerLineIndex], delimiter) : SplitFields(lines[headerLineIndex], hd);
            headerOrigin = $"header on line {headerLineIndex + 1}";
            _firstDataLine = headerLineIndex + 2;
        }
        else
        {
            // The header is the last comment line above the first data line.
            headerLineIndex = -1;
            for (int i = firstNonComment - 1; i >= 0; i--)
            {
                if (kinds[i] == 1)
                {
                    headerLineIndex = i;
                    break;
                }
            }

            if (headerLineIndex < 0 || (_dialect.Header == HeaderMode.Auto && firstNonComment < 0))
            {
                names = Enumerable.Range(1, Math.Max(rowFields, 1)).Select(i => "col" + i).ToList();
                headerOrigin = "no header found: columns named col1..colN";
                _firstDataLine = firstNonComment + 1;
            }
            else
            {
                string text = lines[headerLineIndex].TrimStart();
                text = text[_dialect.CommentPrefix.Length..];
                byte hd = ParseDelimiter(_dialect.HeaderDelimiter);
                if (hd == 0xFF)
                {
                    hd = delimiter;
                    foreach (byte candidate in new[] { delimiter, (byte)';', (byte)',', (byte)'\t', (byte)'|', WhitespaceDelimiter })
                    {
                        if (SplitFields(text, candidate).Count == rowFields)
                        {
                            hd = candidate;
                            break;
                        }
                    }
                }

                names = SplitFields(text, hd);
                headerOrigin = $"header on comment line {headerLineIndex + 1}" + (hd != delimiter ? $" ({DelimiterName(hd)}-separated)" : "");
                _firstDataLine = firstNonComment + 1;
            }
        }

        if (_dialect.StripTypePrefixes)
        {
            names = names.Select(n => n.Length > 2 && n[1] == ':' && char.IsAsciiLetter(n[0]) ? n[2..] : n).ToList();
        }

        _columns = [.. names];
        Layout = $"delimiter {DelimiterName(delimiter)}, {headerOrigin}, {_columns.Length} columns";
    }

    private static int Mode(IEnumerable<int> values)
    {
        List<int> list = values.ToList();
        return list.Count == 0 ? 0 : list.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
    }

    private static bool LooksLikeHeader(string line, byte delimiter)
    {
        byte d = delimiter == 0xFF ? DetectDelimiter([line]) : delimiter;
        List<string> fields = SplitFields(line, d);
        foreach (string f in fields)
        {
            if (f.Length > 0 && FastDoubleParser.TryParse(Encoding.UTF8.GetBytes(f), out _))
            {
                return false;
            }
        }

        return fields.Any(f => f.Length > 0);
    }

    private static byte DetectDelimiter(List<string> rows)
    {
        // The candidate giving the most fields wins, provided at least half of the rows agree on that count (one more
        // empty trailing field allowed); whitespace only wins when it gives strictly more fields and agrees as well.
        byte best = WhitespaceDelimiter;
        int bestFields = 1;
        double bestAgree = 0;
        foreach (byte candidate in new[] { (byte)',', (byte)'\t', (byte)';', (byte)'|', WhitespaceDelimiter })
        {
            List<int> counts = rows.Select(r => SplitFields(r, candidate).Count).ToList();
            if (counts.Count == 0)
            {
                continue;
            }

            int mode = Mode(counts);
            double agree = counts.Count(c => c == mode || c == mode + 1) / (double)counts.Count;
            bool better = candidate == WhitespaceDelimiter ? mode > bestFields && agree >= bestAgree : mode > bestFields;
            if (agree >= 0.5 && better)
            {
                best = candidate;
                bestFields = mode;
                bestAgree = agree;
            }
        }

        return best;
    }

    /// <summary>Splits one line (slow path, for the header and for detection), honouring quotes; fields are trimmed and unquoted.</summary>
    internal static List<string> SplitFields(string line, byte delimiter)
    {
        var fields = new List<string>();
        if (delimiter == WhitespaceDelimiter)
        {
            fields.AddRange(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Unquote));
            return fields;
        }

        char d = (char)delimiter;
        var sb = new StringBuilder();
        bool inQuotes = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        sb.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    sb.Append(ch);
                }
            }
            else if (ch == '"' && sb.ToString().Trim().Length == 0)
            {
                sb.Clear();
                inQuotes = true;
            }
            else if (ch == d)
            {
                fields.Add(sb.ToString().Trim());
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }

        fields.Add(sb.ToString().Trim());
        return fields;
    }

    private static string Unquote(string s)
    {
        s = s.Trim();
        return s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : s;
    }

    public IEnumerable<CatalogChunk> ReadChunks(IReadOnlyList<string> numericColumns, IReadOnlyList<string> textColumns, int chunkRows, CatalogReadReport report, CancellationToken cancellationToken)
    {
        report.Layout = Layout;
        int fieldCount = _columns.Length;

        // slot >= 0: numeric column index; slot <= -2: text column index (-2 - slot); -1: skipped.
        int[] slots = new int[fieldCount];
        Array.Fill(slots, -1);
        int lastNeeded = -1;
        for (int i = 0; i < numericColumns.Count; i++)
        {
            int f = Array.IndexOf(_columns, numericColumns[i]);
            if (f < 0)
            {
                throw new CatalogException($"Catalog '{_path}' has no column '{numericColumns[i]}'.", [numericColumns[i]], _path);
            }

            slots[f] = i;
            lastNeeded = Math.Max(lastNeeded, f);
        }

        for (int i = 0; i < textColumns.Count; i++)
        {
            int f = Array.IndexOf(_columns, textColumns[i]);
            if (f < 0)
            {
                throw new CatalogException($"Catalog '{_path}' has no column '{textColumns[i]}'.", [textColumns[i]], _path);
            }

            if (slots[f] >= 0)
            {
                throw new CatalogException($"Catalog '{_path}': column '{textColumns[i]}' is requested both as a number and as text.", [textColumns[i]], _path);
            }

            slots[f] = -2 - i;
            lastNeeded = Math.Max(lastNeeded, f);
        }

        var state = new ChunkBuilder(numericColumns, textColumns, chunkRows);
        using Stream stream = OpenStream();
        byte[] buffer = new byte[_bufferSize];
        int start = 0;
        int end = 0;
        long lineNumber = 0;
        bool eof = false;
        bool first = true;
        bool parallel = _malformed != MalformedRowHandling.Fail && Environment.ProcessorCount > 1;
        int[] pendingStart = parallel ? new int[chunkRows] : [];
        int[] pendingLength = parallel ? new int[chunkRows] : [];
        long[] pendingLine = parallel ? new long[chunkRows] : [];
        LineOutcome[] pendingOutcome = parallel ? new LineOutcome[chunkRows] : [];
        int pending = 0;
        while (true)
        {
            int nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            int lineOffset = start;
            if (nl < 0)
            {
                if (!eof)
                {
                    // Pending lines point into the buffer: parse them before it moves.
                    if (pending > 0)
                    {
                        ParsePending(buffer, pendingStart, pendingLength, pendingLine, pendingOutcome, pending, slots, lastNeeded, fieldCount, state, report);
                        pending = 0;
                        if (state.Count == chunkRows)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            report.RowsRead += state.Count;
                            yield return state.Build();
                        }
                    }

                    // Move the partial line to the front, grow if it fills the buffer, read more.
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }

                    if (end == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    int n = stream.Read(buffer, end, buffer.Length - end);
                    if (n == 0)
                    {
                        eof = true;
                    }

                    end += n;
                    continue;
                }

                if (start == end)
                {
                    break;
                }

                line = buffer.AsSpan(start, end - start);
                start = end;
            }
            else
            {
                line = buffer.AsSpan(start, nl);
                start += nl + 1;
            }

            lineNumber++;
            if (first)
            {
                first = false;
                if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    line = line[3..];
                    lineOffset += 3;
                }
            }

            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (lineNumber < _firstDataLine)
            {
                continue;
            }

            if (line.IsEmpty || line.TrimStart(" \t"u8).IsEmpty)
            {
                report.BlankLines++;
                continue;
            }

            if (IsComment(line))
            {
                report.CommentLines++;
                continue;
            }

            report.DataLines++;
            if (parallel)
            {
                pendingStart[pending] = lineOffset;
                pendingLength[pending] = line.Length;
                pendingLine[pending] = lineNumber;
                pending++;
                if (pending < chunkRows - state.Count)
                {
                    continue;
                }

                ParsePending(buffer, pendingStart, pendingLength, pendingLine, pendingOutcome, pending, slots, lastNeeded, fieldCount, state, report);
                pending = 0;
            }
            else if (Apply(ParseLine(line, lineNumber, state.Count, slots, lastNeeded, fieldCount, state), lineNumber, report))
            {
                state.Count++;
            }

            if (state.Count == chunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                report.RowsRead += state.Count;
                yield return state.Build();
            }
        }

        if (pending > 0)
        {
            ParsePending(buffer, pendingStart, pendingLength, pendingLine, pendingOutcome, pending, slots, lastNeeded, fieldCount, state, report);
        }

        if (state.Count > 0)
        {
            report.RowsRead += state.Count;
            yield return state.Build();
        }
    }

    /// <summary>
    /// Parses buffered lines into rows state.Count + i in parallel, then, in line order, reports malformed and tolerated
    /// lines and closes the gaps malformed lines left (the same rows and report as parsing them one by one).
    /// </summary>
    private void ParsePending(byte[] buffer, int[] starts, int[] lengths, long[] lines, LineOutcome[] outcomes, int count, int[] slots, int lastNeeded, int fieldCount, ChunkBuilder state, CatalogReadReport report)
    {
        int baseRow = state.Count;
        if (count < MinParallelLines)
        {
            for (int i = 0; i < count; i++)
            {
                outcomes[i] = ParseLine(buffer.AsSpan(starts[i], lengths[i]), lines[i], baseRow + i, slots, lastNeeded, fieldCount, state);
            }
        }
        else
        {
            int parts = Math.Min(Environment.ProcessorCount * 2, count / (MinParallelLines / 2));
            Parallel.For(0, parts, part =>
            {
                int from = (int)((long)count * part / parts);
                int to = (int)((long)count * (part + 1) / parts);
                for (int i = from; i < to; i++)
                {
                    outcomes[i] = ParseLine(buffer.AsSpan(starts[i], lengths[i]), lines[i], baseRow + i, slots, lastNeeded, fieldCount, state);
                }
            });
        }

        int row = baseRow;
        for (int i = 0; i < count; i++)
        {
            if (Apply(outcomes[i], lines[i], report))
            {
                if (row != baseRow + i)
                {
                    state.MoveRow(baseRow + i, row);
                }

                row++;
            }
        }

        state.Count = row;
    }

    /// <summary>Reports a parsed line's problem; true when it became a row.</summary>
    private bool Apply(LineOutcome outcome, long lineNumber, CatalogReadReport report)
    {
        if (!outcome.IsRow)
        {
            Malformed(report, outcome.Reason!, lineNumber, outcome.Message!);
            return false;
        }

        if (outcome.Reason is not null)
        {
            report.AddTolerated(outcome.Reason, lineNumber, outcome.Message!);
        }

        return true;
    }

    /// <summary>Parses one line into row <paramref name="row"/> (thread-safe for distinct rows; the report is left to <see cref="Apply"/>).</summary>
    private LineOutcome ParseLine(ReadOnlySpan<byte> line, long lineNumber, int row, int[] slots, int lastNeeded, int fieldCount, ChunkBuilder state)
    {
        int field = 0;
        int pos = 0;
        byte d = _delimiter;
        bool whitespace = d == WhitespaceDelimiter;
        bool trailingEmptyOnly = true;
        while (true)
        {
            if (whitespace)
            {
                while (pos < line.Length && (line[pos] == (byte)' ' || line[pos] == (byte)'\t'))
                {
                    pos++;
                }

                if (pos >= line.Length)
                {
                    break;
                }
            }

            // Past the last needed column and no quotes ahead: count the remaining fields without splitting them.
            if (field > lastNeeded && !whitespace && line[pos..].IndexOf(Quote) < 0)
            {
                ReadOnlySpan<byte> rest = line[pos..];
                int remaining = rest.Count(d) + 1;
                if (field + remaining > fieldCount)
                {
                    // Only tolerated when every extra field is empty (trailing delimiters).
                    ReadOnlySpan<byte> tail = rest;
                    int keep = fieldCount - field;
                    for (int k = 0; k < keep; k++)
                    {
                        int idx = tail.IndexOf(d);
                        tail = idx < 0 ? [] : tail[(idx + 1)..];
                    }

                    trailingEmptyOnly = tail.IndexOfAnyExcept(d, (byte)' ', (byte)'\t') < 0;
                }

                field += remaining;
                break;
            }

            ReadOnlySpan<byte> value;
            int next;
            byte lead = pos < line.Length ? line[pos] : (byte)' ';
            bool plain = lead is not (Quote or (byte)' ' or (byte)'\t');
            ReadOnlySpan<byte> trimmedStart = plain ? default : line[pos..].TrimStart(" \t"u8);
            bool quoted = !plain && trimmedStart.Length > 0 && trimmedStart[0] == Quote;
            if (quoted)
            {
                int q = line.Length - trimmedStart.Length + 1;
                int close = q;
                while (true)
                {
                    int idx = line[close..].IndexOf(Quote);
                    if (idx < 0)
                    {
                        close = line.Length;
                        break;
                    }

                    close += idx;
                    if (close + 1 < line.Length && line[close + 1] == Quote)
                    {
                        close += 2;
                        continue;
                    }

                    break;
                }

                value = line[q..Math.Min(close, line.Length)];
                int after = Math.Min(close + 1, line.Length);
                int idx2 = whitespace ? line[after..].IndexOfAny((byte)' ', (byte)'\t') : line[after..].IndexOf(d);
                next = idx2 < 0 ? -1 : after + idx2;
            }
            else if (plain)
            {
                // The common case: an unquoted field that starts with its value (only its end can need trimming).
                int idx = whitespace ? line[pos..].IndexOfAny((byte)' ', (byte)'\t') : line[pos..].IndexOf(d);
                next = idx < 0 ? -1 : pos + idx;
                value = next < 0 ? line[pos..] : line[pos..next];
                if (value.Length > 0 && value[^1] is (byte)' ' or (byte)'\t')
                {
                    value = value.TrimEnd(" \t"u8);
                }
            }
            else
            {
                int idx = whitespace ? line[pos..].IndexOfAny((byte)' ', (byte)'\t') : line[pos..].IndexOf(d);
                next = idx < 0 ? -1 : pos + idx;
                value = (next < 0 ? line[pos..] : line[pos..next]).Trim(" \t"u8);
            }

            if (field < fieldCount)
            {
                int slot = slots[field];
                if (slot >= 0)
                {
                    double x;
                    if (value.IsEmpty)
                    {
                        x = double.NaN;
                    }
                    else if (!FastDoubleParser.TryParse(value, out x))
                    {
                        string text = Encoding.UTF8.GetString(value);
                        return new LineOutcome(false, "unparsableNumber", $"line {lineNumber}: column '{_columns[field]}' value '{Truncate(text)}' is not a number");
                    }

                    state.Numeric[slot][row] = x;
                }
                else if (slot <= -2)
                {
                    string text = quoted ? Encoding.UTF8.GetString(value).Replace("\"\"", "\"", StringComparison.Ordinal) : Encoding.UTF8.GetString(value);
                    state.Text[-2 - slot][row] = text;
                }
            }
            else if (!value.IsEmpty)
            {
                trailingEmptyOnly = false;
            }

            field++;
            if (next < 0)
            {
                break;
            }

            pos = next + 1;
            if (!whitespace && pos == line.Length)
            {
                // A delimiter at the very end: one more, empty field.
                field++;
                break;
            }
        }

        if (field < fieldCount || (field > fieldCount && !trailingEmptyOnly))
        {
            return new LineOutcome(false, "fieldCount", $"line {lineNumber}: {field} fields, the header has {fieldCount}");
        }

        state.LineNumbers[row] = lineNumber;
        return field > fieldCount
            ? new LineOutcome(true, "trailingDelimiter", $"line {lineNumber}: {field - fieldCount} empty trailing field(s) ignored")
            : new LineOutcome(true, null, null);
    }

    private void Malformed(CatalogReadReport report, string reason, long lineNumber, string message)
    {
        report.AddMalformed(reason, lineNumber, message);
        if (_malformed == MalformedRowHandling.Fail)
        {
            throw new CatalogException($"Catalog '{_path}', {message}.", [message], _path, lineNumber);
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private sealed class ChunkBuilder
    {
        private readonly IReadOnlyList<string> _numericNames;
        private readonly IReadOnlyList<string> _textNames;
        private readonly int _capacity;
        private long _rowsBefore;

        public ChunkBuilder(IReadOnlyList<string> numericNames, IReadOnlyList<string> textNames, int capacity)
        {
            _numericNames = numericNames;
            _textNames = textNames;
            _capacity = capacity;
            Allocate();
        }

        public double[][] Numeric { get; private set; } = [];

        public string[][] Text { get; private set; } = [];

        public long[] LineNumbers { get; private set; } = [];

        public int Count { get; set; }

        private void Allocate()
        {
            Numeric = _numericNames.Select(_ => new double[_capacity]).ToArray();
            Text = _textNames.Select(_ => new string[_capacity]).ToArray();
            LineNumbers = new long[_capacity];
        }

        /// <summary>Copies row <paramref name="from"/> to row <paramref name="to"/>.</summary>
        public void MoveRow(int from, int to)
        {
            foreach (double[] column in Numeric)
            {
                column[to] = column[from];
            }

            foreach (string[] column in Text)
            {
                column[to] = column[from];
            }

            LineNumbers[to] = LineNumbers[from];
        }

        public CatalogChunk Build()
        {
            int n = Count;
            double[][] numeric = Numeric;
            string[][] text = Text;
            long[] lines = LineNumbers;
            if (n < _capacity)
            {
                for (int i = 0; i < numeric.Length; i++)
                {
                    Array.Resize(ref numeric[i], n);
                }

                for (int i = 0; i < text.Length; i++)
                {
                    Array.Resize(ref text[i], n);
                }

                Array.Resize(ref lines, n);
            }

            var chunk = new CatalogChunk(n, _rowsBefore, _numericNames, numeric, _textNames, text, null, lines);
            _rowsBefore += n;
            Count = 0;
            Allocate();
            return chunk;
        }
    }
}

/// <summary>What parsing one line gave: a row (possibly with a tolerated problem) or a malformed line, with the report's reason and message.</summary>
internal readonly record struct LineOutcome(bool IsRow, string? Reason, string? Message);
