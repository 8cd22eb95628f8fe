using System.Runtime.CompilerServices;
using System.Text;

namespace Astro.Catalogs.Text;

// One line into one row: fields split by the delimiter (quotes honoured), the needed ones parsed in place.
internal sealed partial class TextCatalogSource
{
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
                field = CountRemainingFields(line[pos..], d, field, fieldCount, ref trailingEmptyOnly);
                break;
            }

            int next = NextField(line, pos, d, whitespace, out ReadOnlySpan<byte> value, out bool quoted);

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

    /// <summary>The field starting at <paramref name="pos"/>: its value (trimmed, without its quotes) and the position of the delimiter after it (-1 at the end of the line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextField(ReadOnlySpan<byte> line, int pos, byte d, bool whitespace, out ReadOnlySpan<byte> value, out bool quoted)
    {
        int next;
        byte lead = pos < line.Length ? line[pos] : (byte)' ';
        bool plain = lead is not (Quote or (byte)' ' or (byte)'\t');
        ReadOnlySpan<byte> trimmedStart = plain ? default : line[pos..].TrimStart(" \t"u8);
        quoted = !plain && trimmedStart.Length > 0 && trimmedStart[0] == Quote;
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

        return next;
    }

    /// <summary>The field count after the unsplit rest of a line (no quotes in it); clears <paramref name="trailingEmptyOnly"/> when fields beyond the header's are not all empty.</summary>
    private static int CountRemainingFields(ReadOnlySpan<byte> rest, byte d, int field, int fieldCount, ref bool trailingEmptyOnly)
    {
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

        return field + remaining;
    }
}
