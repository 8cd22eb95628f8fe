using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Astro.Fits.Writing;

/// <summary>
/// The bytes of a data unit (before padding), produced on demand so that the writer can sum them
/// for DATASUM and then write them without holding a second copy.
/// </summary>
internal abstract class DataUnit
{
    /// <summary>A data unit of no bytes.</summary>
    public static DataUnit None { get; } = new BufferDataUnit([], []);

    /// <summary>Bytes in the data unit, without padding.</summary>
    public abstract long Length { get; }

    /// <summary>True when encoding can fail on the values (quantisation), so it is checked before the header is written.</summary>
    public virtual bool NeedsValidation => false;

    /// <summary>
    /// Encodes bytes <c>[offset, offset + destination.Length)</c> of the data unit. Offsets are
    /// multiples of <see cref="FitsWriterDefaults.ChunkBytes"/>, so they fall on element boundaries.
    /// </summary>
    public abstract void Encode(long offset, Span<byte> destination);
}

/// <summary>Data already encoded, in up to two parts (table rows and heap).</summary>
internal sealed class BufferDataUnit(byte[] first, byte[] second) : DataUnit
{
    public override long Length => (long)first.Length + second.Length;

    public override void Encode(long offset, Span<byte> destination)
    {
        int written = 0;
        if (offset < first.Length)
        {
            int n = (int)Math.Min(first.Length - offset, destination.Length);
            first.AsSpan((int)offset, n).CopyTo(destination);
            written = n;
        }

        if (written < destination.Length)
        {
            long start = offset + written - first.Length;
            second.AsSpan((int)start, destination.Length - written).CopyTo(destination[written..]);
        }
    }
}

/// <summary>Image pixels, converted to big-endian (and quantised, for physical values) chunk by chunk.</summary>
internal sealed class ImageDataUnit(FitsImage image) : DataUnit
{
    private readonly int _bytesPerPixel = Math.Abs(image.BitPix) / 8;

    public override long Length => image.PixelCount * _bytesPerPixel;

    public override bool NeedsValidation => image.IsQuantized;

    public override void Encode(long offset, Span<byte> destination)
    {
        int first = (int)(offset / _bytesPerPixel);
        int count = destination.Length / _bytesPerPixel;
        // Arrays match on their exact type: the runtime lets an int[] pass as uint[] (and back), array covariance of same-sized integers.
        Type type = image.Pixels!.GetType();
        switch (image.Pixels)
        {
            case sbyte[] p when type == typeof(sbyte[]):
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (byte)(p[first + i] ^ 0x80);
                }

                break;
            case ushort[] p when type == typeof(ushort[]):
                Span<short> shorts = MemoryMarshal.Cast<byte, short>(destination);
                for (int i = 0; i < count; i++)
                {
                    shorts[i] = BinaryPrimitives.ReverseEndianness((short)(p[first + i] ^ 0x8000));
                }

                break;
            case uint[] p when type == typeof(uint[]):
                BinaryPrimitives.ReverseEndianness(p.AsSpan(first, count), MemoryMarshal.Cast<byte, uint>(destination));
                Span<uint> uints = MemoryMarshal.Cast<byte, uint>(destination);
                for (int i = 0; i < count; i++)
                {
                    uints[i] ^= BinaryPrimitives.ReverseEndianness(0x80000000u);
                }

                break;
            case ulong[] p when type == typeof(ulong[]):
                BinaryPrimitives.ReverseEndianness(p.AsSpan(first, count), MemoryMarshal.Cast<byte, ulong>(destination));
                Span<ulong> ulongs = MemoryMarshal.Cast<byte, ulong>(destination);
                for (int i = 0; i < count; i++)
                {
                    ulongs[i] ^= BinaryPrimitives.ReverseEndianness(0x8000000000000000ul);
                }

                break;
            case byte[] p when type == typeof(byte[]):
                p.AsSpan(first, count).CopyTo(destination);
                break;
            case short[] p when type == typeof(short[]):
                BinaryPrimitives.ReverseEndianness(p.AsSpan(first, count), MemoryMarshal.Cast<byte, short>(destination));
                break;
            case int[] p when type == typeof(int[]):
                BinaryPrimitives.ReverseEndianness(p.AsSpan(first, count), MemoryMarshal.Cast<byte, int>(destination));
                break;
            case long[] p when type == typeof(long[]):
                BinaryPrimitives.ReverseEndianness(p.AsSpan(first, count), MemoryMarshal.Cast<byte, long>(destination));
                break;
            case float[] p when type == typeof(float[]):
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(p.AsSpan(first, count)), MemoryMarshal.Cast<byte, int>(destination));
                break;
            case double[] p when type == typeof(double[]) && image.IsQuantized:
                Quantize(p.AsSpan(first, count), first, destination);
                break;
            case double[] p when type == typeof(double[]):
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(p.AsSpan(first, count)), MemoryMarshal.Cast<byte, long>(destination));
                break;
            default:
                throw new InvalidOperationException("Unexpected pixel array.");
        }
    }

    private void Quantize(ReadOnlySpan<double> values, long firstPixel, Span<byte> destination)
    {
        (long min, long max) = FitsImage.IntegerRange(image.BitPix);
        long blank = image.QuantizeBlank;
        double scale = image.Scale;
        double zero = image.Zero;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            long stored;
            if (double.IsNaN(v))
            {
                stored = blank;
            }
            else
            {
                double q = Math.Round((v - zero) / scale);

                // 2^63 is the first double above long.MaxValue; every double below it converts exactly.
                if (!(q >= min && q < 9223372036854775808.0 && q <= max) || (long)q == blank)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(image),
                        string.Create(CultureInfo.InvariantCulture, $"Pixel {firstPixel + i} = {v:R} quantises to {q:R} with BSCALE = {scale:R}, BZERO = {zero:R}: outside BITPIX {image.BitPix} ({min}..{max}) or equal to BLANK {blank}."));
                }

                stored = (long)q;
            }

            switch (image.BitPix)
            {
                case 8:
                    destination[i] = (byte)stored;
                    break;
                case 16:
                    BinaryPrimitives.WriteInt16BigEndian(destination[(2 * i)..], (short)stored);
                    break;
                case 32:
                    BinaryPrimitives.WriteInt32BigEndian(destination[(4 * i)..], (int)stored);
                    break;
                default:
                    BinaryPrimitives.WriteInt64BigEndian(destination[(8 * i)..], stored);
                    break;
            }
        }
    }
}
