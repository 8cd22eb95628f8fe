using System.Text;

namespace Astro.Catalogs.Text;

// The layout of a file: its delimiter, where its header is and the column names, from the first lines.
internal sealed partial class TextCatalogSource
{
    private static string DelimiterName(byte d) => d switch
    {
        WhitespaceDelimiter => "whitespace",
        (byte)'\t' => "tab",
        _ => $"'{(char)d}'",
    };

    private static byte ParseDelimiter(string? d) => d is null ? (byte)0xFF : d == "whitespace" ? WhitespaceDelimiter : (byte)d[0];

    private void DetectLayout()
    {
        (List<string> lines, List<int> kinds) = SniffLines();
        int lastTypeLine = MarkTypeCodeLines(lines, kinds);
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

            if (headerLineIndex < 0 && _dialect.Header == HeaderMode.LastCommentLine && dataSample.Count > 1 && LooksLikeHeader(dataSample[0], delimiter))
            {
                // No comment line above the data, but a plain header on the first line: read it, and say so.
                headerLineIndex = firstNonComment;
                names = PlainHeaderNames(lines[headerLineIndex], delimiter, rowFields);
                headerOrigin = $"header on line {headerLineIndex + 1} (a plain first line; the profile expects it on a '{_dialect.CommentPrefix}' comment line)";
                _firstDataLine = headerLineIndex + 2;
            }
            else if (headerLineIndex < 0 || (_dialect.Header == HeaderMode.Auto && firstNonComment < 0))
            {
                names = Enumerable.Range(1, Math.Max(rowFields, 1)).Select(i => "col" + i).ToList();
                headerOrigin = "no header found: columns named col1..colN";
                _firstDataLine = firstNonComment + 1;
            }
            else
            {
                names = CommentHeaderNames(lines[headerLineIndex], delimiter, rowFields, out byte hd);
                headerOrigin = $"header on comment line {headerLineIndex + 1}" + (hd != delimiter ? $" ({DelimiterName(hd)}-separated)" : "");
                _firstDataLine = firstNonComment + 1;
            }
        }

        if (lastTypeLine >= 0 && headerLineIndex >= 0 && lastTypeLine > headerLineIndex)
        {
            // Lines of type codes (ANNZ, ROOT: F, D, I, C…) between the header and the data are neither.
            _firstDataLine = Math.Max(_firstDataLine, lastTypeLine + 2);
            headerOrigin += $", type codes on line {lastTypeLine + 1} skipped";
        }

        if (_dialect.StripTypePrefixes)
        {
            names = names.Select(n => n.Length > 2 && n[1] == ':' && char.IsAsciiLetter(n[0]) ? n[2..] : n).ToList();
        }

        _columns = [.. names];
        Layout = $"delimiter {DelimiterName(delimiter)}, {headerOrigin}, {_columns.Length} columns";
    }

    /// <summary>
    /// Marks (kind 3) the lines of type codes that follow a header line before the first data line, comment or not:
    /// every field a ROOT/ANNZ type letter (F, D, I, L, S, C, B, O, U, UL…) and as many fields as the line above.
    /// </summary>
    /// <returns>The index of the last such line, or -1.</returns>
    private int MarkTypeCodeLines(List<string> lines, List<int> kinds)
    {
        int last = -1;
        int previous = -1;
        for (int i = 0; i < lines.Count; i++)
        {
            if (kinds[i] == 0)
            {
                continue;
            }

            string text = kinds[i] == 1 ? WithoutCommentPrefix(lines[i]) : lines[i];
            if (previous >= 0 && IsTypeCodeLine(text, kinds[previous] == 1 ? WithoutCommentPrefix(lines[previous]) : lines[previous]))
            {
                kinds[i] = 3;
                last = i;
                continue;
            }

            if (kinds[i] == 2 && previous >= 0 && kinds[previous] == 2)
            {
                break; // past the header: two data lines in a row
            }

            previous = i;
        }

        return last;
    }

    private string WithoutCommentPrefix(string line)
    {
        string t = line.TrimStart();
        return t.StartsWith(_dialect.CommentPrefix, StringComparison.Ordinal) ? t[_dialect.CommentPrefix.Length..] : t;
    }

    private static bool IsTypeCodeLine(string text, string above)
    {
        foreach (byte d in new[] { (byte)',', (byte)';', (byte)'\t', (byte)'|', WhitespaceDelimiter })
        {
            List<string> fields = SplitFields(text, d);
            if (fields.Count >= 1 && fields.TrueForAll(IsTypeCode) && fields.Count == SplitFields(above, d).Count && (fields.Count > 1 || text.Trim().Length > 0))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTypeCode(string field) => field.ToUpperInvariant() is "F" or "D" or "I" or "L" or "S" or "C" or "B" or "O" or "U" or "UL" or "US" or "UI" or "UB";

    /// <summary>The names on a plain header line: split by the header delimiter when that gives the rows' field count, else by the rows' delimiter.</summary>
    private List<string> PlainHeaderNames(string line, byte delimiter, int rowFields)
    {
        byte hd = ParseDelimiter(_dialect.HeaderDelimiter);
        if (hd != 0xFF)
        {
            List<string> byHeader = SplitFields(line, hd);
            if (byHeader.Count == rowFields)
            {
                return byHeader;
            }
        }

        return SplitFields(line, delimiter);
    }

    /// <summary>Reads the first lines (up to <see cref="CatalogDefaults.SniffLines"/> data lines) as text, with their kinds: 0 blank, 1 comment, 2 data.</summary>
    private (List<string> Lines, List<int> Kinds) SniffLines()
    {
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

        return (lines, kinds);
    }

    /// <summary>The names on a comment header line; without a header delimiter in the dialect, the first candidate that gives as many names as the rows have fields.</summary>
    private List<string> CommentHeaderNames(string line, byte delimiter, int rowFields, out byte headerDelimiter)
    {
        string text = line.TrimStart();
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

        headerDelimiter = hd;
        return SplitFields(text, hd);
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
}
