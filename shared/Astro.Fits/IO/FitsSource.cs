using Microsoft.Win32.SafeHandles;

namespace Astro.Fits.IO;

/// <summary>
/// Random access to the bytes of a FITS file: a file on disk (read in place, never copied),
/// a byte buffer, or a seekable stream.
/// </summary>
public abstract class FitsSource : IDisposable
{
    /// <summary>Total length in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at an absolute offset; returns the count read (less only at the end).</summary>
    public abstract int Read(long offset, Span<byte> destination);

    /// <summary>Creates a source over a file, read in place.</summary>
    public static FitsSource FromFile(string path) => new FileSource(path);

    /// <summary>Creates a source over bytes in memory (not copied).</summary>
    public static FitsSource FromMemory(ReadOnlyMemory<byte> bytes) => new MemorySource(bytes);

    /// <summary>Creates a source over a seekable stream.</summary>
    public static FitsSource FromSeekableStream(Stream stream, bool leaveOpen) => new StreamSource(stream, leaveOpen);

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes or reports how much is missing.</summary>
    internal void ReadExactly(long offset, Span<byte> destination, int? hduIndex, string what)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = Read(offset + total, destination[total..]);
            if (n <= 0)
            {
                throw new FitsException(
                    $"{what} is truncated: needs {destination.Length} bytes at byte {offset}, the file ends after {Math.Max(0, Length - offset)}",
                    hduIndex);
            }

            total += n;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the underlying file or stream.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private sealed class FileSource : FitsSource
    {
        private readonly SafeFileHandle _handle;

        public FileSource(string path)
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            Length = RandomAccess.GetLength(_handle);
        }

        public override long Length { get; }

        public override int Read(long offset, Span<byte> destination) =>
            offset >= Length ? 0 : RandomAccess.Read(_handle, destination, offset);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _handle.Dispose();
            }
        }
    }

    private sealed class MemorySource(ReadOnlyMemory<byte> bytes) : FitsSource
    {
        public override long Length => bytes.Length;

        public override int Read(long offset, Span<byte> destination)
        {
            if (offset >= bytes.Length)
            {
                return 0;
            }

            var available = bytes.Span[(int)offset..];
            int n = Math.Min(available.Length, destination.Length);
            available[..n].CopyTo(destination);
            return n;
        }
    }

    private sealed class StreamSource : FitsSource
    {
        private readonly Stream _stream;
        private readonly bool _leaveOpen;
        private readonly Lock _lock = new();

        public StreamSource(Stream stream, bool leaveOpen)
        {
            if (!stream.CanSeek || !stream.CanRead)
            {
                throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
            }

            _stream = stream;
            _leaveOpen = leaveOpen;
            Length = stream.Length;
        }

        public override long Length { get; }

        public override int Read(long offset, Span<byte> destination)
        {
            lock (_lock)
            {
                _stream.Position = offset;
                return _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }
}
