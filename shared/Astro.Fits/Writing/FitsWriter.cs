using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Astro.Fits.Cards;
using Astro.Fits.Checksums;
using Astro.Fits.Headers;

namespace Astro.Fits.Writing;

/// <summary>
/// Writes a FITS file to a stream, one HDU at a time: the first image becomes the primary HDU and
/// later ones IMAGE extensions; a table written first gets an empty primary HDU before it.
/// </summary>
/// <remarks>
/// <para>Every HDU has its mandatory keywords in the standard's order, then the keywords its data needs
/// (BSCALE/BZERO/BLANK, TTYPEn/TFORMn/…), then the caller's cards, then (by default) CHECKSUM and
/// DATASUM. Headers are padded with blanks and data with zeros to whole 2880-byte blocks.</para>
/// <para>Caller cards whose keywords the writer owns (SIMPLE, XTENSION, BITPIX, NAXIS, NAXISn, EXTEND,
/// PCOUNT, GCOUNT, GROUPS, TFIELDS, THEAP, CHECKSUM, DATASUM; the column keywords of tables; BSCALE,
/// BZERO and BLANK when the image sets them) are left out, so a header read from another file can be
/// passed as it is.</para>
/// <para>Values are checked before any byte of an HDU is written. Methods throw
/// <see cref="ArgumentException"/> for data that cannot be written, <see cref="ObjectDisposedException"/>
/// after disposal, and let I/O errors of the stream and <see cref="OperationCanceledException"/> pass
/// through; after an I/O error or a cancellation the stream may hold a partial HDU.</para>
/// <para>The stream does not need to be seekable: each HDU is encoded twice, once to sum it and once to write it.</para>
/// </remarks>
public class FitsWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly FitsWriterOptions _options;
    private int _hduCount;
    private bool _disposed;

    /// <summary>Creates a writer with the default options.</summary>
    /// <param name="stream">A writable stream; it is disposed with the writer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public FitsWriter(Stream stream)
        : this(stream, new FitsWriterOptions())
    {
    }

    /// <summary>Creates a writer.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="options">Options; read once, here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public FitsWriter(Stream stream, FitsWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        _stream = stream;
        _options = new FitsWriterOptions { WriteChecksums = options.WriteChecksums, LeaveOpen = options.LeaveOpen };
    }

    /// <summary>For mocking only.</summary>
    protected FitsWriter()
    {
        _stream = Stream.Null;
        _options = new FitsWriterOptions();
    }

    /// <summary>Number of HDUs written so far (including an empty primary HDU written before a table).</summary>
    public virtual int HduCount => _hduCount;

    /// <summary>Writes an image: the primary HDU if nothing was written yet, else an IMAGE extension.</summary>
    /// <param name="image">The pixels and their BITPIX, axes and scaling.</param>
    /// <param name="header">Extra cards (EXTNAME, WCS, COMMENT, …), or null.</param>
    /// <param name="cancellationToken">Checked between chunks of pixels.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A physical value does not fit the image's BITPIX, BSCALE and BZERO.</exception>
    public virtual void WriteImage(FitsImage image, Header? header = null, CancellationToken cancellationToken = default) =>
        EnsureCompleted(WriteImageCoreAsync(image, header, async: false, cancellationToken));

    /// <inheritdoc cref="WriteImage"/>
    public virtual Task WriteImageAsync(FitsImage image, Header? header = null, CancellationToken cancellationToken = default) =>
        WriteImageCoreAsync(image, header, async: true, cancellationToken).AsTask();

    /// <summary>Writes a binary-table extension (after an empty primary HDU if nothing was written yet).</summary>
    /// <param name="columns">The columns, in order; all with the same number of rows.</param>
    /// <param name="header">Extra cards (EXTNAME, TDISPn, COMMENT, …), or null.</param>
    /// <param name="cancellationToken">Checked between chunks of rows.</param>
    /// <exception cref="ArgumentNullException"><paramref name="columns"/> is null.</exception>
    /// <exception cref="ArgumentException">A column is null, columns differ in length, or a value or option does not fit its column.</exception>
    public virtual void WriteTable(IReadOnlyList<TableColumn> columns, Header? header = null, CancellationToken cancellationToken = default) =>
        EnsureCompleted(WriteTableCoreAsync(columns, header, async: false, cancellationToken));

    /// <inheritdoc cref="WriteTable"/>
    public virtual Task WriteTableAsync(IReadOnlyList<TableColumn> columns, Header? header = null, CancellationToken cancellationToken = default) =>
        WriteTableCoreAsync(columns, header, async: true, cancellationToken).AsTask();

    /// <summary>Flushes and, unless <see cref="FitsWriterOptions.LeaveOpen"/>, disposes the stream.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc cref="Dispose()"/>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _stream.FlushAsync().ConfigureAwait(false);
            if (!_options.LeaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Flushes and releases the stream.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stream.Flush();
            if (!_options.LeaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    private static void EnsureCompleted(ValueTask task)
    {
        Debug.Assert(task.IsCompleted, "The synchronous path must not yield.");
        task.GetAwaiter().GetResult();
    }

    private async ValueTask WriteImageCoreAsync(FitsImage image, Header? header, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<Card> cards = HeaderBuilder.ForImage(image, primary: _hduCount == 0, header);
        await WriteHduAsync(cards, new ImageDataUnit(image), async, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteTableCoreAsync(IReadOnlyList<TableColumn> columns, Header? header, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EncodedTable table = EncodedTable.Encode(columns, cancellationToken);
        List<Card> cards = HeaderBuilder.ForTable(table, header);
        if (_hduCount == 0)
        {
            await WriteHduAsync(HeaderBuilder.ForImage(FitsImage.Empty, primary: true, null), DataUnit.None, async, cancellationToken).ConfigureAwait(false);
        }

        await WriteHduAsync(cards, table.Data, async, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The one core: sums the data (for DATASUM, or to check it), then writes header, data and padding.</summary>
    private async ValueTask WriteHduAsync(List<Card> cards, DataUnit data, bool async, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(FitsWriterDefaults.ChunkBytes);
        try
        {
            bool checksums = _options.WriteChecksums;
            uint dataSum = checksums || data.NeedsValidation ? SumData(data, buffer, cancellationToken) : 0;
            int checksumIndex = -1;
            if (checksums)
            {
                checksumIndex = cards.Count;
                cards.Add(ChecksumCard(FitsWriterDefaults.ChecksumPlaceholder));
                cards.Add(Card.Create("DATASUM", CardValue.FromString(dataSum.ToString(CultureInfo.InvariantCulture)), "data unit checksum"));
            }

            byte[] header = Render(cards);
            if (checksums)
            {
                uint sum = FitsChecksum.Add(FitsChecksum.Accumulate(0, header), dataSum);
                ChecksumCard(FitsChecksum.Encode(sum)).WriteTo(header.AsSpan(checksumIndex * CardLayout.CardLength, CardLayout.CardLength));
            }

            cancellationToken.ThrowIfCancellationRequested();
            await WriteAsync(header, async, cancellationToken).ConfigureAwait(false);

            long length = data.Length;
            for (long offset = 0; offset < length; offset += FitsWriterDefaults.ChunkBytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = (int)Math.Min(FitsWriterDefaults.ChunkBytes, length - offset);
                data.Encode(offset, buffer.AsSpan(0, n));

                // The chunk size is a multiple of 2880, so the last chunk's padding fits in the buffer.
                int padded = (int)CardLayout.PadToBlock(n);
                buffer.AsSpan(n, padded - n).Clear();
                await WriteAsync(buffer.AsMemory(0, padded), async, cancellationToken).ConfigureAwait(false);
            }

            _hduCount++;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Card ChecksumCard(string value) => Card.Create("CHECKSUM", CardValue.FromString(value), "HDU checksum");

    private static uint SumData(DataUnit data, byte[] buffer, CancellationToken cancellationToken)
    {
        uint sum = 0;
        long length = data.Length;
        for (long offset = 0; offset < length; offset += FitsWriterDefaults.ChunkBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = (int)Math.Min(FitsWriterDefaults.ChunkBytes, length - offset);
            data.Encode(offset, buffer.AsSpan(0, n));
            int words = (n + 3) & ~3;
            buffer.AsSpan(n, words - n).Clear(); // the zero padding is part of the sum
            sum = FitsChecksum.Accumulate(sum, buffer.AsSpan(0, words));
        }

        return sum;
    }

    private static byte[] Render(List<Card> cards)
    {
        int count = cards.Count + 1;
        byte[] header = new byte[CardLayout.PadToBlock((long)count * CardLayout.CardLength)];
        header.AsSpan().Fill((byte)' ');
        for (int i = 0; i < cards.Count; i++)
        {
            cards[i].WriteTo(header.AsSpan(i * CardLayout.CardLength, CardLayout.CardLength));
        }

        "END"u8.CopyTo(header.AsSpan(cards.Count * CardLayout.CardLength));
        return header;
    }

    private ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            return _stream.WriteAsync(bytes, cancellationToken);
        }

        _stream.Write(bytes.Span);
        return ValueTask.CompletedTask;
    }
}
