using System.Buffers;
using System.Globalization;
using System.Text;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;

namespace Astro.Inference.Output;

/// <summary>
/// Prediction rows as UTF-8 CSV in the one prediction-row schema (<see cref="PredictionCsv"/>: <c>row, id, model, version,
/// target, unit, prediction, uncertainty, class, probability, probabilities, flags, reason, input, etag</c>; docs/outputs.md),
/// formatted in parallel slices into pooled buffers and written in order. The bytes are those of
/// <see cref="PredictionCsv.WriteRows"/> over <see cref="PredictionRows.FromBatch(PredictionBatch, PredictionOutputInfo)"/>.
/// </summary>
/// <remarks>
/// For a merge on the server side, <see cref="WriteHeader(Stream)"/> writes the header alone and a writer made with
/// <c>writeHeader: false</c> writes a part: rows only, so header + parts concatenated is the whole file.
/// </remarks>
public sealed class PredictionCsvWriter : PredictionWriter
{
    private const int SliceRows = 16_384;
    private static readonly byte[] s_header = Encoding.UTF8.GetBytes(PredictionCsv.Header + "\n");
    private readonly Stream _stream;
    private readonly PredictionOutputInfo _info;
    private readonly byte[] _modelFields;
    private readonly byte[] _suffix;
    private readonly bool _leaveOpen;
    private bool _completed;

    /// <summary>Creates a writer and writes the header line unless <paramref name="writeHeader"/> is false.</summary>
    /// <param name="stream">The output; disposed with the writer unless <paramref name="leaveOpen"/>.</param>
    /// <param name="info">What the rows come from (model, target, input and its version).</param>
    /// <param name="leaveOpen">Keep the stream open on dispose.</param>
    /// <param name="writeHeader">Write the header line first (false for the parts of a merged output).</param>
    public PredictionCsvWriter(Stream stream, PredictionOutputInfo info, bool leaveOpen = false, bool writeHeader = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(info);
        _stream = stream;
        _info = info;
        _leaveOpen = leaveOpen;
        _modelFields = Encoding.UTF8.GetBytes($",{PredictionCsv.Text(info.ModelName)},{PredictionCsv.Text(info.ModelVersion)},{PredictionCsv.Text(info.TargetName ?? "")},{PredictionCsv.Text(info.TargetUnit ?? "")},");
        _suffix = Encoding.UTF8.GetBytes($",{PredictionCsv.Text(info.InputName ?? "")},{PredictionCsv.Text(info.ETag)}\n");
        if (writeHeader)
        {
            WriteHeader(_stream);
        }
    }

    /// <summary>Writes the header line alone (the first block of a merged output).</summary>
    /// <param name="stream">The output.</param>
    public static void WriteHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(s_header);
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
        int fixedBytes = _modelFields.Length + _suffix.Length + 128 + (classification ? (classes * 48) + 64 : 0);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (end - start) * (fixedBytes + 24)));
        int at = 0;
        for (int r = start; r < end; r++)
        {
            string id = b.Ids[r];
            int ci = classification ? b.ClassIndices![r] : -1;
            int need = fixedBytes + (id.Length * 6) + 2 + (ci >= 0 ? b.Classes.Sum(c => c.Length * 6) + (b.Classes[ci].Length * 6) : 0);
            if (buffer.Length - at < need)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, at + need));
                buffer.AsSpan(0, at).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            Span<byte> d = buffer.AsSpan();
            (b.FirstRowIndex + r).TryFormat(d[at..], out int w, default, CultureInfo.InvariantCulture);
            at += w;
            d[at++] = (byte)',';
            at += WriteText(id, d[at..]);
            _modelFields.CopyTo(d[at..]);
            at += _modelFields.Length;
            if (classification)
            {
                // prediction (none), uncertainty, class, probability, probabilities "class=p;…"
                d[at++] = (byte)',';
                at += WriteFloat(b.Sigmas[r], d[at..]);
                d[at++] = (byte)',';
                if (ci >= 0)
                {
                    at += WriteText(b.Classes[ci], d[at..]);
                    d[at++] = (byte)',';
                    at += WriteFloat(b.Values[r], d[at..]);
                    d[at++] = (byte)',';
                    at += WriteText(Probabilities(b, r, classes), d[at..]);
                }
                else
                {
                    d[at++] = (byte)',';
                    d[at++] = (byte)',';
                }
            }
            else
            {
                at += WriteFloat(b.Values[r], d[at..]);
                d[at++] = (byte)',';
                at += WriteFloat(b.Sigmas[r], d[at..]);
                d[at++] = (byte)',';
                d[at++] = (byte)',';
                d[at++] = (byte)',';
            }

            d[at++] = (byte)',';
            ((int)b.Flags[r]).TryFormat(d[at..], out w, default, CultureInfo.InvariantCulture);
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

    private static string Probabilities(PredictionBatch b, int r, int classes)
    {
        var sb = new StringBuilder();
        for (int c = 0; c < classes; c++)
        {
            sb.Append(c == 0 ? "" : ";").Append(b.Classes[c]).Append('=').Append(PredictionCsv.Float(b.Probabilities![(r * classes) + c]));
        }

        return sb.ToString();
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
        // Plain text is written as is; anything else goes through the schema's quoting (PredictionCsv.Text).
        if (s.Length == 0 || (s.AsSpan().IndexOfAny(",\"\r\n") < 0 && s[0] != ' ' && s[^1] != ' '))
        {
            return Encoding.UTF8.GetBytes(s, d);
        }

        return Encoding.UTF8.GetBytes(PredictionCsv.Text(s), d);
    }
}
