using System.Buffers.Binary;
using System.IO.Compression;

namespace Astro.Imaging.Rendering;

/// <summary>A minimal PNG encoder: 8-bit greyscale or RGB, no filtering, zlib-compressed.</summary>
public static class PngEncoder
{
    private static readonly uint[] s_crcTable = CreateCrcTable();

    /// <summary>Encodes an image.</summary>
    /// <param name="pixels">Top row first; 1 byte per pixel (greyscale) or 3 (RGB).</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="rgb">True for RGB, false for greyscale.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">The pixel count does not match.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, bool rgb)
    {
        int channels = rgb ? 3 : 1;
        if (width <= 0 || height <= 0 || pixels.Length != width * height * channels)
        {
            throw new ArgumentException("The pixel buffer does not match the size.", nameof(pixels));
        }

        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        byte[] header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = (byte)(rgb ? 2 : 0);
        WriteChunk(output, "IHDR", header);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                int stride = width * channels;
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0);
                    z.Write(pixels.Slice(y * stride, stride));
                }
            }

            WriteChunk(output, "IDAT", raw.ToArray());
        }

        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        byte[] typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = s_crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] CreateCrcTable()
    {
        uint[] table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
