using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Fits.Cards;
using Astro.Fits.Headers;
using Astro.Fits.Writing;
using Astro.Inference.Models;

namespace Astro.Inference.Output;

/// <summary>
/// Prediction rows as a FITS binary table (EXTNAME = 'PREDICTIONS'), streamed: the header comes from Astro.Fits'
/// <see cref="FitsWriter"/> (same column layout as a table written in one go), rows are encoded big-endian as batches arrive,
/// and <see cref="Complete"/> pads the data and sets NAXIS2. The header carries MODEL, MODELVER, INPUT, TARGET.
/// </summary>
/// <remarks>
/// Columns: ID (A, <see cref="DefaultIdWidth"/> characters unless given), PREDICTION and UNCERTAINTY (E; TUNIT = target unit)
/// or CLASS (A), PROBABILITY and P_&lt;CLASS&gt; (E); FLAGS (I); REASON (A); MODEL, VERSION (A). No CHECKSUM/DATASUM (the
/// header is written before the data). The stream must be seekable. IDs must be printable ASCII and fit the ID width.
/// </remarks>
public sealed class PredictionFitsWriter : PredictionWriter
{
    /// <summary>The ID column's width when none is given: 32 characters.</summary>
    public const int DefaultIdWidth = 32;

    private static readonly int s_reasonWidth = Enum.GetValues<RowStatus>().Max(s => SelectionReport.ReasonName(s).Length);

    private readonly Stream _stream;
    private readonly PredictionOutputInfo _info;
    private readonly bool _leaveOpen;
    private readonly int _idWidth;
    private readonly int _classWidth;
    private readonly int _rowLength;
    private readonly long _naxis2Offset;
    private readonly long _dataStart;
    private readonly byte[] _modelField;
    private readonly byte[] _versionField;
    private readonly byte[][] _reasonFields;
    private bool _completed;

    /// <summary>Creates a writer and writes the primary HDU and the table header.</summary>
    /// <param name="stream">A writable, seekable stream positioned at its start; disposed with the writer unless <paramref name="leaveOpen"/>.</param>
    /// <param name="info">What the rows come from.</param>
    /// <param name="idWidth">The ID column's width in characters.</param>
    /// <param name="leaveOpen">Keep the stream open on dispose.</param>
    /// <exception cref="ArgumentException">The stream is not writable and seekable.</exception>
    public PredictionFitsWriter(Stream stream, PredictionOutputInfo info, int idWidth = DefaultIdWidth, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(idWidth);
        if (!stream.CanWrite || !stream.CanSeek)
        {
            throw new ArgumentException("A FITS prediction output needs a writable, seekable stream.", nameof(stream));
        }

        _stream = stream;
        _info = info;
        _leaveOpen = leaveOpen;
        _idWidth = idWidth;
        _classWidth = Math.Max(1, info.Classes.Count == 0 ? 1 : info.Classes.Max(c => c.Length));
        _modelField = Ascii(info.ModelName, "model name");
        _versionField = Ascii(info.ModelVersion, "model version");
        _reasonFields = new byte[Enum.GetValues<RowStatus>().Max(s => (int)s) + 1][];
        foreach (RowStatus s in Enum.GetValues<RowStatus>())
        {
            _reasonFields[(int)s] = Encoding.ASCII.GetBytes(SelectionReport.ReasonName(s));
        }

        // The header: Astro.Fits' writer lays out a zero-row table with the same columns; NAXIS2 is fixed in Complete().
        List<TableColumn> columns = Columns(info);
        var header = new Header();
        header.Add("EXTNAME", "PREDICTIONS", "model predictions");
        foreach (Card c in Card.CreateLongString("MODEL", info.ModelName, "model name"))
        {
            header.Add(c);
        }

        foreach (Card c in Card.CreateLongString("MODELVER", info.ModelVersion, "model version"))
        {
            header.Add(c);
        }

        if (info.InputName is not null)
        {
            foreach (Card c in Card.CreateLongString("INPUT", Printable(Path.GetFileName(info.InputName)), "input catalog"))
            {
                header.Add(c);
            }
        }

        if (info.TargetName is not null)
        {
            header.Add("TARGET", Printable(info.TargetName), "predicted quantity");
        }

        header.Add("TASK", info.Task == ModelTask.Classification ? "classification" : "regression");
        header.Add(Card.CreateCommentary("COMMENT", "FLAGS bits: 1 missing bands filled, 2 out of distribution,"));
        header.Add(Card.CreateCommentary("COMMENT", "4 not predicted (REASON says why), 8 invalid model output."));

        using var buffer = new MemoryStream();
        using (var writer = new FitsWriter(buffer, new FitsWriterOptions { WriteChecksums = false, LeaveOpen = true }))
        {
            writer.WriteImage(FitsImage.Empty);
            long tableStart = buffer.Position;
            writer.WriteTable(columns, header);
            _naxis2Offset = tableStart + FindCard(buffer.GetBuffer().AsSpan((int)tableStart, (int)(buffer.Length - tableStart)), "NAXIS2");
        }

        _rowLength = columns.Sum(FieldWidth);
        _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        _dataStart = _stream.Position;
    }

    /// <inheritdoc/>
    public override void Write(PredictionBatch batch)
    {
        CheckBatch(batch, _info);
        ObjectDisposedException.ThrowIf(_completed, this);
        int n = batch.RowCount;
        const int SliceRows = 32_768;
        byte[] rows = ArrayPool<byte>.Shared.Rent(Math.Min(n, SliceRows) * _rowLength);
        try
        {
            for (int start = 0; start < n; start += SliceRows)
            {
                int end = Math.Min(n, start + SliceRows);
                int length = (end - start) * _rowLength;
                Span<byte> data = rows.AsSpan(0, length);
                data.Clear();
                Encode(batch, start, end, data);
                _stream.Write(data);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rows);
        }

        RowsWritten += n;
    }

    /// <inheritdoc/>
    public override void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        long data = RowsWritten * _rowLength;
        int pad = (int)((2880 - (data % 2880)) % 2880);
        _stream.Write(new byte[pad]);
        long end = _stream.Position;
        byte[] card = new byte[80];
        Card.Create("NAXIS2", CardValue.FromInteger(RowsWritten), "number of rows in table").WriteTo(card);
        _stream.Position = _naxis2Offset;
        _stream.Write(card);
        _stream.Position = end;
        _stream.Flush();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void Encode(PredictionBatch b, int start, int end, Span<byte> data)
    {
        bool classification = b.Task == ModelTask.Classification;
        int classes = b.Classes.Count;
        int at = 0;
        for (int r = start; r < end; r++)
        {
            Span<byte> row = data.Slice(at, _rowLength);
            at += _rowLength;
            int o = 0;
            string id = b.Ids[r];
            if (id.Length > _idWidth || Encoding.ASCII.GetBytes(id, row[.._idWidth]) != id.Length || row[..id.Length].IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) >= 0)
            {
                throw new ArgumentException($"ID '{id}' (row {b.FirstRowIndex + r + 1}) is not printable ASCII of at most {_idWidth} characters; FITS output needs that.");
            }

            row[id.Length.._idWidth].Fill((byte)' ');
            o += _idWidth;
            if (classification)
            {
                int ci = b.ClassIndices![r];
                Span<byte> field = row.Slice(o, _classWidth);
                field.Fill((byte)' ');
                if (ci >= 0)
                {
                    Encoding.ASCII.GetBytes(b.Classes[ci], field);
                }

                o += _classWidth;
                BinaryPrimitives.WriteSingleBigEndian(row[o..], b.Values[r]);
                o += 4;
                for (int c = 0; c < classes; c++)
                {
                    BinaryPrimitives.WriteSingleBigEndian(row[o..], b.Probabilities![(r * classes) + c]);
                    o += 4;
                }
            }
            else
            {
                BinaryPrimitives.WriteSingleBigEndian(row[o..], b.Values[r]);
                BinaryPrimitives.WriteSingleBigEndian(row[(o + 4)..], b.Sigmas[r]);
                o += 8;
            }

            BinaryPrimitives.WriteInt16BigEndian(row[o..], (short)b.Flags[r]);
            o += 2;
            Span<byte> reason = row.Slice(o, s_reasonWidth);
            reason.Fill((byte)' ');
            if ((b.Flags[r] & PredictionFlags.NotPredicted) != 0)
            {
                _reasonFields[(int)b.Status[r]].CopyTo(reason);
            }

            o += s_reasonWidth;
            _modelField.CopyTo(row[o..]);
            o += _modelField.Length;
            _versionField.CopyTo(row[o..]);
        }
    }

    private List<TableColumn> Columns(PredictionOutputInfo info)
    {
        var columns = new List<TableColumn> { new TableColumn<string>("ID", []) { Width = _idWidth } };
        if (info.Task == ModelTask.Classification)
        {
            columns.Add(new TableColumn<string>("CLASS", []) { Width = _classWidth });
            columns.Add(new TableColumn<float>("PROBABILITY", []));
            foreach (string c in info.Classes)
            {
                columns.Add(new TableColumn<float>("P_" + Printable(c).ToUpperInvariant(), []));
            }
        }
        else
        {
            columns.Add(new TableColumn<float>("PREDICTION", []) { Unit = info.TargetUnit });
            columns.Add(new TableColumn<float>("UNCERTAINTY", []) { Unit = info.TargetUnit });
        }

        columns.Add(new TableColumn<short>("FLAGS", []));
        columns.Add(new TableColumn<string>("REASON", []) { Width = s_reasonWidth });
        columns.Add(new TableColumn<string>("MODEL", []) { Width = _modelField.Length });
        columns.Add(new TableColumn<string>("VERSION", []) { Width = _versionField.Length });
        return columns;
    }

    private int FieldWidth(TableColumn c) => c switch
    {
        TableColumn<string> s => s.Width!.Value,
        TableColumn<float> => 4,
        TableColumn<short> => 2,
        _ => throw new InvalidOperationException("unexpected column type"),
    };

    private static long FindCard(ReadOnlySpan<byte> header, string keyword)
    {
        byte[] key = Encoding.ASCII.GetBytes(keyword.PadRight(8));
        for (int at = 0; at + 80 <= header.Length; at += 80)
        {
            if (header.Slice(at, 8).SequenceEqual(key))
            {
                return at;
            }
        }

        throw new InvalidOperationException($"The table header has no {keyword} card.");
    }

    private static byte[] Ascii(string s, string what)
    {
        if (s.Length == 0 || s.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
        {
            throw new ArgumentException($"The {what} '{s}' must be non-empty printable ASCII for FITS output.");
        }

        return Encoding.ASCII.GetBytes(s);
    }

    private static string Printable(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            b.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return b.ToString();
    }
}
