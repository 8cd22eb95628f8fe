using Astro.Catalogs.Models;

namespace Astro.Catalogs.Text;

// Reading rows: lines split sequentially from a growing buffer, parsed in parallel batches, collected into chunks in file order.
internal sealed partial class TextCatalogSource
{
    public IEnumerable<CatalogChunk> ReadChunks(IReadOnlyList<string> numericColumns, IReadOnlyList<string> textColumns, int chunkRows, CatalogReadReport report, CancellationToken cancellationToken)
    {
        report.Layout = Layout;
        int fieldCount = _columns.Length;

        (int[] slots, int lastNeeded) = ResolveSlots(numericColumns, textColumns);
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

                    eof = Refill(stream, ref buffer, ref start, ref end);
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

    /// <summary>Where each field goes: slot ≥ 0 a numeric column index, slot ≤ −2 a text column index (−2 − slot), −1 skipped; and the last field needed.</summary>
    private (int[] Slots, int LastNeeded) ResolveSlots(IReadOnlyList<string> numericColumns, IReadOnlyList<string> textColumns)
    {
        int fieldCount = _columns.Length;
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

        return (slots, lastNeeded);
    }

    /// <summary>Moves the partial line at start..end to the front, grows the buffer when it is full, reads more; true at the end of the stream.</summary>
    private static bool Refill(Stream stream, ref byte[] buffer, ref int start, ref int end)
    {
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
        end += n;
        return n == 0;
    }
}
