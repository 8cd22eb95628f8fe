using System.Buffers.Binary;
using System.IO.Compression;

namespace Astro.Fits.Compression.Codecs;

/// <summary>
/// GZIP_1 and GZIP_2 tile codecs: the tile's big-endian pixel bytes, deflated in a gzip (or zlib)
/// stream; GZIP_2 first shuffles the bytes by significance (all most significant bytes, then the next…).
/// </summary>
internal static class GzipCodec
{
    /// <summary>
    /// Inflates a tile's gzip or zlib stream into <paramref name="destination"/>.
    /// </summary>
    /// <param name="source">The compressed tile bytes.</param>
    /// <param name="destination">Receives the inflated bytes; the stream may not inflate to more.</param>
    /// <param name="exact">When true the stream must fill <paramref name="destination"/> exactly; when false it may
    /// be shorter (cfitsio infers the stored integer width of some GZIP tiles from the inflated size).</param>
    /// <returns>The number of bytes inflated.</returns>
    /// <exception cref="FitsException">The stream is corrupt, truncated, or inflates to a different size.</exception>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination, bool exact = true)
    {
        if (source.Length < 2)
        {
            throw new FitsException($"GZIP tile of {source.Length} bytes is too short");
        }

        bool gzip = source[0] == 0x1F && source[1] == 0x8B;
        bool zlib = !gzip && (source[0] & 0x0F) == 8 && ((source[0] << 8) | source[1]) % 31 == 0;
        if (!gzip && !zlib)
        {
            throw new FitsException($"GZIP tile starts with 0x{source[0]:X2} 0x{source[1]:X2}, neither a gzip nor a zlib header");
        }

        int total = 0;
        try
        {
            // The tile bytes are copied once into a stream the decompressor can read.
            using var input = new MemoryStream(source.ToArray(), writable: false);
            using Stream inflater = gzip
                ? new GZipStream(input, CompressionMode.Decompress)
                : new ZLibStream(input, CompressionMode.Decompress);
            while (total < destination.Length)
            {
                int read = inflater.Read(destination.Slice(total));
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            if (total == destination.Length)
            {
                Span<byte> probe = stackalloc byte[1];
                if (inflater.Read(probe) != 0)
                {
                    throw new FitsException($"GZIP tile inflates to more than the expected {destination.Length} bytes");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new FitsException($"GZIP tile is corrupt: {e.Message}");
        }

        if (exact && total != destination.Length)
        {
            throw new FitsException($"GZIP tile inflates to {total} of the expected {destination.Length} bytes");
        }

        // The inflater stops quietly at the end of a truncated stream: check the trailer ourselves.
        // gzip ends with ISIZE (inflated length mod 2^32, little-endian); zlib with the Adler-32 of the data.
        if (source.Length < (gzip ? 18 : 6))
        {
            throw new FitsException($"GZIP tile of {source.Length} bytes is truncated");
        }

        ReadOnlySpan<byte> inflated = destination.Slice(0, total);
        bool trailerOk = gzip
            ? BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(source.Length - 4)) == (uint)total
            : BinaryPrimitives.ReadUInt32BigEndian(source.Slice(source.Length - 4)) == Adler32(inflated);
        if (!trailerOk)
        {
            throw new FitsException("GZIP tile is truncated or corrupt (its trailer does not match the inflated data)");
        }

        return total;
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Modulus = 65521;
        uint a = 1;
        uint b = 0;
        while (!data.IsEmpty)
        {
            int chunk = Math.Min(data.Length, 5552);
            foreach (byte value in data.Slice(0, chunk))
            {
                a += value;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data.Slice(chunk);
        }

        return (b << 16) | a;
    }

    /// <summary>Deflates bytes into a gzip stream (GZIP_1/GZIP_2 tile writing).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        using (var deflater = new GZipStream(output, level, leaveOpen: true))
        {
            deflater.Write(source);
        }

        return output.ToArray();
    }

    /// <summary>GZIP_2 un-shuffle: regroups bytes stored by significance back into big-endian values.</summary>
    public static void Unshuffle(ReadOnlySpan<byte> shuffled, Span<byte> destination, int bytePix)
    {
        ValidateShuffle(shuffled.Length, destination.Length, bytePix);
        int count = shuffled.Length / bytePix;
        for (int b = 0; b < bytePix; b++)
        {
            ReadOnlySpan<byte> plane = shuffled.Slice(b * count, count);
            for (int i = 0; i < count; i++)
            {
                destination[(i * bytePix) + b] = plane[i];
            }
        }
    }

    /// <summary>GZIP_2 shuffle: groups the bytes of big-endian values by significance, most significant first.</summary>
    public static void Shuffle(ReadOnlySpan<byte> values, Span<byte> destination, int bytePix)
    {
        ValidateShuffle(values.Length, destination.Length, bytePix);
        int count = values.Length / bytePix;
        for (int b = 0; b < bytePix; b++)
        {
            Span<byte> plane = destination.Slice(b * count, count);
            for (int i = 0; i < count; i++)
            {
                plane[i] = values[(i * bytePix) + b];
            }
        }
    }

    /// <summary>Decodes a GZIP_1 (<paramref name="shuffled"/> false) or GZIP_2 tile of integers: bytePix 1 gives 0..255, 2 signed 16-bit, 4 int.</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<int> destination, int bytePix, bool shuffled)
    {
        if (bytePix is not (1 or 2 or 4))
        {
            throw new FitsException($"GZIP integer tiles hold 1, 2 or 4 bytes per pixel, not {bytePix}");
        }

        byte[] bytes = Inflate(source, destination.Length, bytePix, shuffled);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = bytePix switch
            {
                1 => bytes[i],
                2 => BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(2 * i)),
                _ => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 * i)),
            };
        }
    }

    /// <summary>Decodes a GZIP_1/GZIP_2 tile of 64-bit integers.</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<long> destination, bool shuffled)
    {
        byte[] bytes = Inflate(source, destination.Length, 8, shuffled);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8 * i));
        }
    }

    /// <summary>Decodes a GZIP_1/GZIP_2 tile of IEEE single-precision values (lossless float compression).</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination, bool shuffled)
    {
        byte[] bytes = Inflate(source, destination.Length, 4, shuffled);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(4 * i));
        }
    }

    /// <summary>Decodes a GZIP_1/GZIP_2 tile of IEEE double-precision values (lossless float compression).</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<double> destination, bool shuffled)
    {
        byte[] bytes = Inflate(source, destination.Length, 8, shuffled);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(8 * i));
        }
    }

    /// <summary>Encodes integers as a GZIP_1 (<paramref name="shuffle"/> false) or GZIP_2 tile of bytePix 1, 2 or 4.</summary>
    public static byte[] Encode(ReadOnlySpan<int> source, int bytePix, bool shuffle, CompressionLevel level = CompressionLevel.Optimal)
    {
        byte[] bytes = new byte[checked(source.Length * bytePix)];
        for (int i = 0; i < source.Length; i++)
        {
            switch (bytePix)
            {
                case 1:
                    bytes[i] = (byte)source[i];
                    break;
                case 2:
                    BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(2 * i), (short)source[i]);
                    break;
                case 4:
                    BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 * i), source[i]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(bytePix), bytePix, "GZIP integer tiles hold 1, 2 or 4 bytes per pixel.");
            }
        }

        return CompressValues(bytes, bytePix, shuffle, level);
    }

    /// <summary>Encodes single-precision values losslessly as a GZIP_1 or GZIP_2 tile.</summary>
    public static byte[] Encode(ReadOnlySpan<float> source, bool shuffle, CompressionLevel level = CompressionLevel.Optimal)
    {
        byte[] bytes = new byte[checked(source.Length * 4)];
        for (int i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), source[i]);
        }

        return CompressValues(bytes, 4, shuffle, level);
    }

    /// <summary>Encodes double-precision values losslessly as a GZIP_1 or GZIP_2 tile.</summary>
    public static byte[] Encode(ReadOnlySpan<double> source, bool shuffle, CompressionLevel level = CompressionLevel.Optimal)
    {
        byte[] bytes = new byte[checked(source.Length * 8)];
        for (int i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(8 * i), source[i]);
        }

        return CompressValues(bytes, 8, shuffle, level);
    }

    private static byte[] CompressValues(byte[] bigEndian, int bytePix, bool shuffle, CompressionLevel level)
    {
        if (!shuffle || bytePix == 1)
        {
            return Compress(bigEndian, level);
        }

        byte[] shuffled = new byte[bigEndian.Length];
        Shuffle(bigEndian, shuffled, bytePix);
        return Compress(shuffled, level);
    }

    private static byte[] Inflate(ReadOnlySpan<byte> source, int count, int bytePix, bool shuffled)
    {
        long length = (long)count * bytePix;
        if (length > Array.MaxLength)
        {
            throw new FitsException($"GZIP tile of {count} pixels of {bytePix} bytes is too large");
        }

        byte[] bytes = new byte[length];
        Decompress(source, bytes);
        if (shuffled && bytePix > 1)
        {
            byte[] ordered = new byte[length];
            Unshuffle(bytes, ordered, bytePix);
            return ordered;
        }

        return bytes;
    }

    private static void ValidateShuffle(int sourceLength, int destinationLength, int bytePix)
    {
        if (bytePix <= 0 || sourceLength % bytePix != 0 || destinationLength != sourceLength)
        {
            throw new ArgumentException($"Shuffling needs equal lengths that are multiples of {bytePix}.");
        }
    }
}
