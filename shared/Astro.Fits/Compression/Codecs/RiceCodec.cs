using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Astro.Fits.Compression.Codecs;

/// <summary>
/// RICE_1 tile codec of the FITS tiled image convention, bit-compatible with cfitsio's
/// <c>fits_rcomp</c>/<c>fits_rdecomp</c> family (R. White's Rice coder).
/// </summary>
/// <remarks>
/// <para>
/// Layout of a tile: the first pixel raw and big-endian in <c>bytePix</c> bytes, then blocks of
/// <c>blockSize</c> pixel differences (the first difference is against the first pixel, so it is 0).
/// Each block starts with an FS code of 3, 4 or 5 bits (bytePix 1, 2, 4): 0 means "all differences
/// are zero" (low entropy), <c>fsMax + 1</c> means "differences stored raw in 8·bytePix bits" (high
/// entropy), otherwise FS = code − 1 and each mapped difference is coded as a unary high part
/// (zeros closed by a one) followed by FS low bits. Differences are mapped to unsigned values with
/// the zig-zag rule <c>d &lt; 0 ? ~(d &lt;&lt; 1) : d &lt;&lt; 1</c> in the pixel width, so the
/// arithmetic wraps exactly as in cfitsio.
/// </para>
/// <para>Decoded values: bytePix 1 gives 0..255, bytePix 2 the signed 16-bit range, bytePix 4 int.</para>
/// </remarks>
internal static class RiceCodec
{
    /// <summary>The block size cfitsio uses when ZVAL1 (BLOCKSIZE) is absent.</summary>
    public const int DefaultBlockSize = 32;

    /// <summary>Decodes one RICE_1 tile of <paramref name="destination"/>.Length pixels.</summary>
    /// <param name="source">The compressed tile bytes, as stored in the heap.</param>
    /// <param name="destination">Receives the pixel values; its length is the tile's pixel count.</param>
    /// <param name="bytePix">1, 2 or 4 (ZVAL2 BYTEPIX, or the default from ZBITPIX).</param>
    /// <param name="blockSize">Pixels per coding block (ZVAL1 BLOCKSIZE, usually 32).</param>
    /// <exception cref="FitsException">The tile is truncated or malformed.</exception>
    public static void Decode(ReadOnlySpan<byte> source, Span<int> destination, int bytePix, int blockSize)
    {
        GetParameters(bytePix, out int fsBits, out int fsMax);
        ValidateBlockSize(blockSize);
        int count = destination.Length;
        if (count == 0)
        {
            return;
        }

        if (source.Length < bytePix)
        {
            throw new FitsException($"RICE_1 tile of {source.Length} bytes is too short to hold its first {bytePix}-byte pixel");
        }

        uint lastPix = bytePix switch
        {
            1 => source[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(source),
            _ => BinaryPrimitives.ReadUInt32BigEndian(source),
        };

        var reader = new BitReader(source.Slice(bytePix));
        int rawBits = 8 * bytePix;
        int i = 0;
        while (i < count)
        {
            int code = (int)reader.ReadBits(fsBits, i, count);
            int fs = code - 1;
            int end = Math.Min(count, i + blockSize);
            if (fs < 0)
            {
                // Low entropy: every difference in the block is zero.
                int value = Narrow(lastPix, bytePix);
                destination.Slice(i, end - i).Fill(value);
                i = end;
            }
            else if (fs == fsMax)
            {
                // High entropy: mapped differences stored raw.
                for (; i < end; i++)
                {
                    uint diff = reader.ReadBits(rawBits, i, count);
                    lastPix = Unmap(diff) + lastPix;
                    destination[i] = Narrow(lastPix, bytePix);
                }
            }
            else if (fs > fsMax)
            {
                throw new FitsException($"RICE_1 tile has an invalid block code {code} at pixel {i} of {count}");
            }
            else
            {
                for (; i < end; i++)
                {
                    uint high = reader.ReadUnary(i, count);
                    uint low = fs == 0 ? 0u : reader.ReadBits(fs, i, count);
                    uint diff = (high << fs) | low;
                    lastPix = Unmap(diff) + lastPix;
                    destination[i] = Narrow(lastPix, bytePix);
                }
            }
        }
    }

    /// <summary>
    /// An upper bound of the encoded size of <paramref name="count"/> pixels, for sizing the buffer of
    /// <see cref="Encode(ReadOnlySpan{int}, int, int, Span{byte})"/>.
    /// </summary>
    public static int GetMaxEncodedLength(int count, int bytePix, int blockSize)
    {
        GetParameters(bytePix, out int fsBits, out _);
        ValidateBlockSize(blockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(count);

        // Per pixel at most max(raw bits, fs + 1 + unary overhead) < 8·bytePix + 8 bits; per block the FS code.
        long blocks = ((long)count + blockSize - 1) / blockSize;
        long bits = (long)count * (8 * bytePix + 8) + blocks * fsBits;
        long bytes = bytePix + (bits + 7) / 8 + 8;
        if (bytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Tile too large for RICE_1 encoding.");
        }

        return (int)bytes;
    }

    /// <summary>Encodes one tile with RICE_1 exactly as cfitsio's <c>fits_rcomp</c> (or its short/byte variants) does.</summary>
    /// <param name="source">The pixel values; with bytePix 1 or 2 only the low 8 or 16 bits are coded.</param>
    /// <param name="bytePix">1, 2 or 4.</param>
    /// <param name="blockSize">Pixels per coding block, usually 32.</param>
    /// <param name="destination">Receives the compressed bytes; see <see cref="GetMaxEncodedLength"/>.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Encode(ReadOnlySpan<int> source, int bytePix, int blockSize, Span<byte> destination)
    {
        GetParameters(bytePix, out int fsBits, out int fsMax);
        ValidateBlockSize(blockSize);
        var writer = new BitWriter(destination);
        if (source.IsEmpty)
        {
            return 0;
        }

        int rawBits = 8 * bytePix;
        writer.Write((uint)source[0], rawBits);
        int lastPix = source[0];
        Span<uint> diffs = blockSize <= 1024 ? stackalloc uint[blockSize] : new uint[blockSize];
        for (int start = 0; start < source.Length; start += blockSize)
        {
            int thisBlock = Math.Min(blockSize, source.Length - start);
            double pixelSum = 0.0;
            for (int j = 0; j < thisBlock; j++)
            {
                int next = source[start + j];
                int pdiff = bytePix switch
                {
                    1 => (sbyte)(next - lastPix),
                    2 => (short)(next - lastPix),
                    _ => unchecked(next - lastPix),
                };
                uint mapped = pdiff < 0 ? ~((uint)pdiff << 1) : (uint)pdiff << 1;
                diffs[j] = mapped;
                pixelSum += mapped;
                lastPix = next;
            }

            // cfitsio: dpsum = (pixelsum - (thisblock/2) - 1)/thisblock, truncated to the pixel width.
            double dpsum = (pixelSum - (thisBlock / 2) - 1) / thisBlock;
            if (dpsum < 0)
            {
                dpsum = 0.0;
            }

            uint truncated = (uint)dpsum;
            uint psum = bytePix switch
            {
                1 => (byte)truncated,
                2 => (ushort)truncated,
                _ => truncated,
            } >> 1;
            int fs = 32 - BitOperations.LeadingZeroCount(psum);

            if (fs >= fsMax)
            {
                writer.Write((uint)(fsMax + 1), fsBits);
                for (int j = 0; j < thisBlock; j++)
                {
                    writer.Write(diffs[j], rawBits);
                }
            }
            else if (fs == 0 && pixelSum == 0)
            {
                writer.Write(0, fsBits);
            }
            else
            {
                writer.Write((uint)(fs + 1), fsBits);
                uint fsMask = (1u << fs) - 1;
                for (int j = 0; j < thisBlock; j++)
                {
                    uint v = diffs[j];
                    writer.WriteUnary(v >> fs);
                    if (fs > 0)
                    {
                        writer.Write(v & fsMask, fs);
                    }
                }
            }
        }

        return writer.Finish();
    }

    /// <summary>Encodes one tile with RICE_1 into a new array (see <see cref="Encode(ReadOnlySpan{int}, int, int, Span{byte})"/>).</summary>
    public static byte[] Encode(ReadOnlySpan<int> source, int bytePix, int blockSize)
    {
        byte[] buffer = new byte[GetMaxEncodedLength(source.Length, bytePix, blockSize)];
        int written = Encode(source, bytePix, blockSize, buffer);
        return buffer.AsSpan(0, written).ToArray();
    }

    private static void GetParameters(int bytePix, out int fsBits, out int fsMax)
    {
        switch (bytePix)
        {
            case 1:
                fsBits = 3;
                fsMax = 6;
                break;
            case 2:
                fsBits = 4;
                fsMax = 14;
                break;
            case 4:
                fsBits = 5;
                fsMax = 25;
                break;
            default:
                throw new FitsException($"RICE_1 supports 1, 2 or 4 bytes per pixel, not {bytePix}");
        }
    }

    private static void ValidateBlockSize(int blockSize)
    {
        if (blockSize <= 0)
        {
            throw new FitsException($"RICE_1 block size must be positive, not {blockSize}");
        }
    }

    private static uint Unmap(uint diff) => (diff & 1) == 0 ? diff >> 1 : ~(diff >> 1);

    private static int Narrow(uint value, int bytePix) => bytePix switch
    {
        1 => (byte)value,
        2 => (short)value,
        _ => (int)value,
    };

    /// <summary>MSB-first bit reader over a span; reading past the end throws <see cref="FitsException"/>.</summary>
    private ref struct BitReader
    {
        private readonly ReadOnlySpan<byte> _source;
        private int _position;
        private ulong _buffer;   // valid bits are left-aligned
        private int _count;      // number of valid bits in _buffer

        public BitReader(ReadOnlySpan<byte> source)
        {
            _source = source;
            _position = 0;
            _buffer = 0;
            _count = 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint ReadBits(int n, int pixel, int total)
        {
            if (_count < n)
            {
                Refill();
                if (_count < n)
                {
                    throw Truncated(pixel, total);
                }
            }

            uint value = (uint)(_buffer >> (64 - n));
            _buffer <<= n;
            _count -= n;
            return value;
        }

        /// <summary>Counts zero bits up to and including the next one bit.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint ReadUnary(int pixel, int total)
        {
            uint zeros = 0;
            while (true)
            {
                if (_buffer != 0)
                {
                    int lz = BitOperations.LeadingZeroCount(_buffer);
                    zeros += (uint)lz;
                    _buffer = (_buffer << lz) << 1;
                    _count -= lz + 1;
                    return zeros;
                }

                zeros += (uint)_count;
                _count = 0;
                Refill();
                if (_count == 0)
                {
                    throw Truncated(pixel, total);
                }
            }
        }

        private void Refill()
        {
            if (_position + 8 <= _source.Length)
            {
                // Fast path: take as many whole bytes of the next 8 as fit; bits past _count stay zero.
                ulong word = BinaryPrimitives.ReadUInt64BigEndian(_source.Slice(_position));
                int take = (64 - _count) >> 3;
                int filled = _count + (take << 3);
                ulong keep = filled == 64 ? ulong.MaxValue : ~(ulong.MaxValue >> filled);
                _buffer |= (word >> _count) & keep;
                _position += take;
                _count = filled;
                return;
            }

            while (_count <= 56 && _position < _source.Length)
            {
                _buffer |= (ulong)_source[_position++] << (56 - _count);
                _count += 8;
            }
        }

        private static FitsException Truncated(int pixel, int total) =>
            new($"RICE_1 tile ends after {pixel} of {total} pixels");
    }

    /// <summary>MSB-first bit writer into a span.</summary>
    private ref struct BitWriter
    {
        private readonly Span<byte> _destination;
        private int _position;
        private ulong _buffer;   // pending bits, right-aligned
        private int _count;

        public BitWriter(Span<byte> destination)
        {
            _destination = destination;
            _position = 0;
            _buffer = 0;
            _count = 0;
        }

        public void Write(uint bits, int n)
        {
            ulong masked = n == 32 ? bits : bits & ((1u << n) - 1);
            _buffer = (_buffer << n) | masked;
            _count += n;
            Flush();
        }

        public void WriteUnary(uint zeros)
        {
            while (zeros >= 32)
            {
                Write(0, 32);
                zeros -= 32;
            }

            Write(1, (int)zeros + 1);
        }

        public int Finish()
        {
            if (_count > 0)
            {
                Put((byte)(_buffer << (8 - _count)));
                _count = 0;
            }

            return _position;
        }

        private void Flush()
        {
            while (_count >= 8)
            {
                _count -= 8;
                Put((byte)(_buffer >> _count));
            }
        }

        private void Put(byte value)
        {
            if ((uint)_position >= (uint)_destination.Length)
            {
                throw new ArgumentException("Destination too small for the RICE_1 encoded tile.", "destination");
            }

            _destination[_position++] = value;
        }
    }
}
