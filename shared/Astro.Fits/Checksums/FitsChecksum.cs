using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Astro.Fits.Cards;
using Astro.Fits.Hdus;

namespace Astro.Fits.Checksums;

/// <summary>
/// The FITS checksum convention: a 32-bit ones'-complement sum of the big-endian words of an HDU,
/// DATASUM as its decimal value over the data, CHECKSUM as the 16-character ASCII encoding of the
/// complement that makes the whole HDU sum to negative zero.
/// </summary>
public static class FitsChecksum
{
    private const int ChunkBytes = 1 << 20;
    private static readonly byte[] s_excluded = [0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60];

    /// <summary>Adds bytes (a multiple of 4 long) to a running ones'-complement sum.</summary>
    public static uint Accumulate(uint sum, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 4 != 0)
        {
            throw new ArgumentException("Checksums are computed over whole 32-bit words.", nameof(bytes));
        }

        ulong hi = sum >> 16;
        ulong lo = sum & 0xFFFF;
        for (int i = 0; i < bytes.Length; i += 4)
        {
            uint word = BinaryPrimitives.ReadUInt32BigEndian(bytes[i..]);
            hi += word >> 16;
            lo += word & 0xFFFF;
        }

        // Fold the carries back in (end-around carry).
        while (((hi >> 16) | (lo >> 16)) != 0)
        {
            ulong hiCarry = hi >> 16;
            ulong loCarry = lo >> 16;
            hi = (hi & 0xFFFF) + loCarry;
            lo = (lo & 0xFFFF) + hiCarry;
        }

        return (uint)((hi << 16) | lo);
    }

    /// <summary>Adds two ones'-complement sums.</summary>
    public static uint Add(uint a, uint b)
    {
        ulong total = (ulong)a + b;
        return (uint)((total & 0xFFFFFFFF) + (total >> 32));
    }

    /// <summary>Encodes a sum as the 16 ASCII characters of the convention; complemented for CHECKSUM.</summary>
    public static string Encode(uint sum, bool complement = true)
    {
        uint value = complement ? ~sum : sum;
        Span<char> asc = stackalloc char[16];
        Span<int> ch = stackalloc int[4];
        for (int i = 0; i < 4; i++)
        {
            int b = (int)((value >> (24 - (8 * i))) & 0xFF);
            int quotient = (b / 4) + 0x30;
            int remainder = b % 4;
            ch.Fill(quotient);
            ch[0] += remainder;

            // Nudge pairs of characters off the punctuation between digits and letters; pairs keep the sum.
            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (byte excluded in s_excluded)
                {
                    for (int j = 0; j < 4; j += 2)
                    {
                        if (ch[j] == excluded || ch[j + 1] == excluded)
                        {
                            ch[j]++;
                            ch[j + 1]--;
                            changed = true;
                        }
                    }
                }
            }

            for (int j = 0; j < 4; j++)
            {
                asc[(4 * j) + i] = (char)ch[j];
            }
        }

        // The encoded string is rotated one place to the right.
        Span<char> rotated = stackalloc char[16];
        for (int i = 0; i < 16; i++)
        {
            rotated[i] = asc[(i + 15) % 16];
        }

        return new string(rotated);
    }

    /// <summary>Checks DATASUM and CHECKSUM of an HDU against its bytes.</summary>
    internal static ChecksumVerification Verify(Hdu hdu)
    {
        Card? datasum = hdu.Header.Find("DATASUM");
        Card? checksum = hdu.Header.Find("CHECKSUM");
        if (datasum is null && checksum is null)
        {
            return default;
        }

        uint dataSum = SumRange(hdu, hdu.DataOffset, hdu.PaddedDataLength);
        ChecksumStatus dataStatus = ChecksumStatus.Missing;
        if (datasum?.Value.AsString is string text)
        {
            dataStatus = ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong declared) && declared == dataSum
                ? ChecksumStatus.Valid
                : ChecksumStatus.Invalid;
        }

        ChecksumStatus checkStatus = ChecksumStatus.Missing;
        if (checksum is not null)
        {
            uint headerSum = SumRange(hdu, hdu.HeaderOffset, hdu.DataOffset - hdu.HeaderOffset);
            uint total = Add(headerSum, dataSum);
            checkStatus = total is 0xFFFFFFFF or 0 ? ChecksumStatus.Valid : ChecksumStatus.Invalid;
        }

        return new ChecksumVerification(dataStatus, checkStatus);
    }

    private static uint SumRange(Hdu hdu, long offset, long length)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            uint sum = 0;
            for (long done = 0; done < length;)
            {
                int n = (int)Math.Min(ChunkBytes, length - done);
                Span<byte> chunk = buffer.AsSpan(0, n);
                int read = hdu.Source.Read(offset + done, chunk);
                chunk[Math.Max(0, read)..].Clear(); // missing final padding counts as zeros
                sum = Accumulate(sum, chunk);
                done += n;
            }

            return sum;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
