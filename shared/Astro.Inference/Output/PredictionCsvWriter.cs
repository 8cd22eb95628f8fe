using System.Buffers;
using System.Globalization;
using System.Text;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;

namespace Astro.Inference.Output;

/// <summary>
/// Prediction rows as UTF-8 CSV (invariant culture, shortest round-trip float32 text, RFC 4180 quoting of IDs), formatted in
/// parallel slices into pooled buffers and written in order.
/// </summary>
public sealed class PredictionCsvWriter : PredictionWriter
{
    private const int SliceRows = 16_384;
    private readonly Stream _stream;
    private readonly PredictionOutputInfo _info;
    private readonly byte[] _suffix;
    private readonly bool _leaveOpen;
    private bool _completed;

    /// <summary>Creates a writer and writes the header line.</summary>
    /// <param name="stream">The output; disposed with the writer unless <paramref name="leaveOpen"/>.</param>
    /// <param name="info">What the rows come from.</param>
    /// <param name="leaveOpen">Keep the stream open on dispose.</param>
    public PredictionCsvWriter(Stream stream, PredictionOutputInfo info, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(info);
        _stream = stream;
        _info = info;
        _leaveOpen = leaveOpen;
        _suffix = Encoding.UTF8.GetBytes($",{Quote(info.ModelName)},{Quote(info.ModelVersion)}\n");
        string header = info.Task == ModelTask.Classification
            ? $"id,class,probability,{string.Join(",", info.Classes.Select(c => Quote("p_" + c)))},flags,reason,model,version\n"
            : "id,prediction,uncertainty,flags,reason,model,version\n";
        _stream.Write(Encoding.UTF8.GetBytes(header));
    }

    /// <inheritdoc/>
    public override void Write(PredictionBatch batch)
    {
        CheckBatch(batch, _info);
        ObjectDisposedException.ThrowIf(_completed, this);
        int n = batch.RowCount;
        int slices = (n + SliceRows - 1) / SliceRows;
        var parts = new (byte[] Buffer, int Length)[slices];
        try
        {
            if (slices <= 1)
            {
                for (int s = 0; s < slices; s++)
                {
                    parts[s] = Format(batch, 0, n);
                }
            }
            else
            {
                Parallel.For(0, slices, s => parts[s] = Format(batch, s * SliceRows, Math.Min(n, (s + 1) * SliceRows)));
            }

            foreach ((byte[] buffer, int length) in parts)
            {
                _stream.Write(buffer, 0, length);
            }
        }
        finally
        {
            foreach ((byte[] buffer, _) in parts)
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        RowsWritten += n;
    }

    /// <inheritdoc/>
    public override void Complete()
    {
        if (!_completed)
        {
            _completed = true;
            _stream.Flush();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private (byte[] Buffer, int Length) Format(PredictionBatch b, int start, int end)
    {
        bool classification = b.Task == ModelTask.Classification;
        int classes = b.Classes.Count;
        int fixedBytes = _suffix.Length + 64 + (classification ? (classes * 16) + 64 : 0);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (end - start) * (fixedBytes + 24)));
        int at = 0;
        for (int r = start; r < end; r++)
        {
            string id = b.Ids[r];
            int need = fixedBytes + (id.Length * 6) + 2 + (classification && b.ClassIndices![r] >= 0 ? b.Classes[b.ClassIndices[r]].Length * 6 : 0);
            if (buffer.Length - at < need)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, at + need));
                buffer.AsSpan(0, at).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            Span<byte> d = buffer.AsSpan();
            at += WriteText(id, d[at..]);
            d[at++] = (byte)',';
            if (classification)
            {
                int ci = b.ClassIndices![r];
                if (ci >= 0)
                {
                    at += WriteText(b.Classes[ci], d[at..]);
                }

                d[at++] = (byte)',';
                at += WriteFloat(b.Values[r], d[at..]);
                for (int c = 0; c < classes; c++)
                {
                    d[at++] = (byte)',';
                    at += WriteFloat(b.Probabilities![(r * classes) + c], d[at..]);
                }
            }
            else
            {
                at += WriteFloat(b.Values[r], d[at..]);
                d[at++] = (byte)',';
                at += WriteFloat(b.Sigmas[r], d[at..]);
            }

            d[at++] = (byte)',';
            ((int)b.Flags[r]).TryFormat(d[at..], out int w, default, CultureInfo.InvariantCulture);
            at += w;
            d[at++] = (byte)',';
            if ((b.Flags[r] & PredictionFlags.NotPredicted) != 0)
            {
                at += Encoding.ASCII.GetBytes(b.Reason(r), d[at..]);
            }

            _suffix.CopyTo(d[at..]);
            at += _suffix.Length;
        }

        return (buffer, at);
    }

    private static int WriteFloat(float v, Span<byte> d)
    {
        if (float.IsNaN(v))
        {
            return 0;
        }

        // The default format of float is the shortest text that round-trips to the same float32.
        v.TryFormat(d, out int w, default, CultureInfo.InvariantCulture);
        return w;
    }

    private static int WriteText(string s, Span<byte> d)
    {
        if (s.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return Encoding.UTF8.GetBytes(s, d);
        }

        return Encoding.UTF8.GetBytes(Quote(s), d);
    }

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
