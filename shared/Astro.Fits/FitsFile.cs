using System.Collections;
using System.Text;
using Astro.Fits.Cards;
using Astro.Fits.Hdus;
using Astro.Fits.Headers;
using Astro.Fits.IO;

namespace Astro.Fits;

/// <summary>
/// An open FITS file: every header parsed and every HDU framed on open; data read on demand.
/// </summary>
/// <remarks>
/// Sources: a path (read in place), a byte buffer (not copied), or a stream (read in place when
/// seekable, buffered once otherwise). gzip, bzip2 and unix-compress files are recognised by their
/// magic bytes and expanded once into memory, within <see cref="FitsReaderOptions.MaxDecompressedLength"/>.
/// Malformed content raises <see cref="FitsException"/> before any allocation the header asks for.
/// </remarks>
public sealed class FitsFile : IReadOnlyList<Hdu>, IDisposable
{
    private static readonly byte[] s_simple = Encoding.ASCII.GetBytes("SIMPLE  =");
    private static readonly byte[] s_xtension = Encoding.ASCII.GetBytes("XTENSION=");
    private static readonly byte[] s_end = Encoding.ASCII.GetBytes("END     ");

    private readonly FitsSource _source;
    private readonly List<Hdu> _hdus = [];
    private readonly List<string> _warnings = [];

    private FitsFile(FitsSource source, FileCompression compression, FitsReaderOptions options)
    {
        _source = source;
        Compression = compression;
        Frame(options);
    }

    /// <summary>The whole-file compression the file arrived in.</summary>
    public FileCompression Compression { get; }

    /// <summary>Things that did not stop the read: trailing bytes, missing padding, HDU limits.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Number of HDUs.</summary>
    public int Count => _hdus.Count;

    /// <summary>The HDU at a 0-based index.</summary>
    public Hdu this[int index] => _hdus[index];

    /// <summary>The primary HDU.</summary>
    public Hdu Primary => _hdus[0];

    /// <summary>Opens a file by path.</summary>
    /// <exception cref="FitsException">The content is not valid FITS.</exception>
    public static FitsFile Open(string path, FitsReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new FitsReaderOptions();
        options.Validate();
        var source = FitsSource.FromFile(path);
        try
        {
            FileCompression compression = DetectCompression(source);
            if (compression == FileCompression.None)
            {
                return new FitsFile(source, compression, options);
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            byte[] bytes = FileDecompressor.Decompress(stream, compression, options.MaxDecompressedLength);
            source.Dispose();
            return new FitsFile(FitsSource.FromMemory(bytes), compression, options);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Opens FITS bytes in memory (they are not copied, unless compressed).</summary>
    public static FitsFile Open(ReadOnlyMemory<byte> bytes, FitsReaderOptions? options = null)
    {
        options ??= new FitsReaderOptions();
        options.Validate();
        FileCompression compression = FileDecompressor.Detect(bytes.Span[..Math.Min(4, bytes.Length)]);
        if (compression != FileCompression.None)
        {
            // Read the compressed bytes in place when they live in an array (the usual case); copy only otherwise.
            using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(bytes.ToArray(), writable: false);
            bytes = FileDecompressor.Decompress(stream, compression, options.MaxDecompressedLength);
        }

        return new FitsFile(FitsSource.FromMemory(bytes), compression, options);
    }

    /// <summary>
    /// Opens a stream: seekable streams are read in place (and disposed with the file unless
    /// <paramref name="leaveOpen"/>); others are buffered once.
    /// </summary>
    public static FitsFile Open(Stream stream, FitsReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new FitsReaderOptions();
        options.Validate();
        if (stream.CanSeek)
        {
            var source = FitsSource.FromSeekableStream(stream, leaveOpen);
            FileCompression compression = DetectCompression(source);
            if (compression == FileCompression.None)
            {
                return new FitsFile(source, compression, options);
            }

            stream.Position = 0;
            byte[] bytes = FileDecompressor.Decompress(stream, compression, options.MaxDecompressedLength);
            source.Dispose();
            return new FitsFile(FitsSource.FromMemory(bytes), compression, options);
        }

        byte[] buffered = Buffer(stream, options.MaxBufferedStreamLength);
        if (!leaveOpen)
        {
            stream.Dispose();
        }

        return Open(buffered, options);
    }

    /// <summary>Opens a stream asynchronously: a non-seekable stream (a blob download) is buffered without blocking.</summary>
    public static async Task<FitsFile> OpenAsync(Stream stream, FitsReaderOptions? options = null, bool leaveOpen = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new FitsReaderOptions();
        options.Validate();
        if (stream.CanSeek)
        {
            return Open(stream, options, leaveOpen);
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > options.MaxBufferedStreamLength)
            {
                throw new FitsException($"the stream is longer than the limit of {options.MaxBufferedStreamLength} bytes (FitsReaderOptions.MaxBufferedStreamLength)");
            }

            buffer.Write(chunk, 0, n);
        }

        if (!leaveOpen)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        return Open(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), options);
    }

    /// <summary>The first HDU with this EXTNAME (case-insensitive), or null.</summary>
    public Hdu? Find(string extensionName) =>
        _hdus.FirstOrDefault(h => string.Equals(h.Name, extensionName, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public IEnumerator<Hdu> GetEnumerator() => _hdus.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    private static FileCompression DetectCompression(FitsSource source)
    {
        Span<byte> head = stackalloc byte[4];
        int n = source.Read(0, head);
        return FileDecompressor.Detect(head[..n]);
    }

    private static byte[] Buffer(Stream stream, long max)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > max)
            {
                throw new FitsException($"the stream is longer than the limit of {max} bytes (FitsReaderOptions.MaxBufferedStreamLength)");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private void Frame(FitsReaderOptions options)
    {
        long length = _source.Length;
        if (length == 0)
        {
            throw new FitsException("empty file: no primary header", 0, null, 0);
        }

        long offset = 0;
        byte[] block = new byte[CardLayout.BlockSize];
        while (offset < length)
        {
            int index = _hdus.Count;
            if (index >= options.MaxHdus)
            {
                _warnings.Add($"stopped after {index} HDUs (FitsReaderOptions.MaxHdus); {length - offset} bytes not read");
                break;
            }

            int n = _source.Read(offset, block.AsSpan(0, Math.Min(s_xtension.Length, CardLayout.BlockSize)));
            ReadOnlySpan<byte> start = block.AsSpan(0, n);
            if (index == 0)
            {
                if (!start.StartsWith(s_simple))
                {
                    throw new FitsException("not a FITS file: it does not begin with a SIMPLE card", 0, 0, 0);
                }
            }
            else if (!start.StartsWith(s_xtension))
            {
                _warnings.Add(IsPadding(offset, length)
                    ? $"{length - offset} bytes of padding after the last HDU"
                    : $"{length - offset} bytes after HDU {index - 1} are not an extension and were ignored");
                break;
            }

            Header header = ReadHeader(index, offset, options, out long dataOffset);
            long dataLength = HduFactory.DataLength(header, index);
            var frame = new HduFrame(index, header, offset, dataOffset, dataLength, _source);
            Hdu hdu;
            try
            {
                hdu = HduFactory.Create(frame);
            }
            catch (FitsException e)
            {
                throw e.InHdu(index);
            }

            _hdus.Add(hdu);
            if (dataLength > 0 && dataOffset + dataLength > length)
            {
                _warnings.Add($"HDU {index}: data is truncated ({length - dataOffset} of {dataLength} bytes)");
                break;
            }

            long next = dataOffset + CardLayout.PadToBlock(dataLength);
            if (dataLength > 0 && next > length)
            {
                _warnings.Add($"HDU {index}: the file ends without the padding to a whole 2880-byte block");
            }

            offset = next;
        }
    }

    private Header ReadHeader(int index, long offset, FitsReaderOptions options, out long dataOffset)
    {
        var cards = new List<Card>(72);
        byte[] block = new byte[CardLayout.BlockSize];
        long position = offset;
        while (true)
        {
            int n = _source.Read(position, block);
            int whole = n / CardLayout.CardLength;
            for (int c = 0; c < whole; c++)
            {
                ReadOnlySpan<byte> record = block.AsSpan(c * CardLayout.CardLength, CardLayout.CardLength);
                if (record.StartsWith(s_end))
                {
                    dataOffset = position + CardLayout.BlockSize;
                    return new Header(cards, index, offset);
                }

                if (cards.Count >= options.MaxHeaderCards)
                {
                    throw new FitsException($"no END card within {options.MaxHeaderCards} cards (FitsReaderOptions.MaxHeaderCards)", index, cards.Count, position + (c * CardLayout.CardLength));
                }

                cards.Add(Card.Parse(record));
            }

            if (n < CardLayout.BlockSize)
            {
                throw new FitsException($"the header has no END card before the end of the file ({cards.Count} cards read)", index, null, offset);
            }

            position += CardLayout.BlockSize;
        }
    }

    private bool IsPadding(long offset, long length)
    {
        byte[] buffer = new byte[(int)Math.Min(length - offset, CardLayout.BlockSize * 4)];
        int n = _source.Read(offset, buffer);
        foreach (byte b in buffer.AsSpan(0, n))
        {
            if (b != 0 && b != (byte)' ')
            {
                return false;
            }
        }

        return true;
    }
}
