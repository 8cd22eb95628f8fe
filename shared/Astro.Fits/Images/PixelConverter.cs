using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Astro.Fits.Images;

/// <summary>
/// Converts big-endian FITS pixels to physical values: <c>physical = BZERO + BSCALE × raw</c>,
/// with raw integers equal to BLANK becoming NaN.
/// </summary>
internal static class PixelConverter
{
    /// <summary>Bytes per pixel for a valid BITPIX.</summary>
    public static int BytesPerPixel(int bitPix) => Math.Abs(bitPix) / 8;

    /// <summary>True for the six BITPIX values of the standard.</summary>
    public static bool IsValidBitPix(long bitPix) => bitPix is 8 or 16 or 32 or 64 or -32 or -64;

    /// <summary>Converts in place-friendly fashion: <paramref name="raw"/> is scratch and may be byte-swapped.</summary>
    public static void ToPhysical(Span<byte> raw, int bitPix, double scale, double zero, long? blank, Span<double> destination)
    {
        bool identity = scale == 1.0 && zero == 0.0;
        switch (bitPix)
        {
            case 8:
            {
                for (int i = 0; i < destination.Length; i++)
                {
                    byte v = raw[i];
                    destination[i] = blank == v ? double.NaN : (identity ? v : zero + (scale * v));
                }

                break;
            }

            case 16:
            {
                Span<short> values = MemoryMarshal.Cast<byte, short>(raw[..(destination.Length * 2)]);
                SwapIfLittleEndian(values);
                for (int i = 0; i < destination.Length; i++)
                {
                    short v = values[i];
                    destination[i] = blank == v ? double.NaN : (identity ? v : zero + (scale * v));
                }

                break;
            }

            case 32:
            {
                Span<int> values = MemoryMarshal.Cast<byte, int>(raw[..(destination.Length * 4)]);
                SwapIfLittleEndian(values);
                for (int i = 0; i < destination.Length; i++)
                {
                    int v = values[i];
                    destination[i] = blank == v ? double.NaN : (identity ? v : zero + (scale * v));
                }

                break;
            }

            case 64:
            {
                Span<long> values = MemoryMarshal.Cast<byte, long>(raw[..(destination.Length * 8)]);
                SwapIfLittleEndian(values);
                for (int i = 0; i < destination.Length; i++)
                {
                    long v = values[i];
                    destination[i] = blank == v ? double.NaN : (identity ? v : zero + (scale * v));
                }

                break;
            }

            case -32:
            {
                Span<int> bits = MemoryMarshal.Cast<byte, int>(raw[..(destination.Length * 4)]);
                SwapIfLittleEndian(bits);
                Span<float> values = MemoryMarshal.Cast<int, float>(bits);
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = identity ? values[i] : zero + (scale * values[i]);
                }

                break;
            }

            case -64:
            {
                Span<long> bits = MemoryMarshal.Cast<byte, long>(raw[..(destination.Length * 8)]);
                SwapIfLittleEndian(bits);
                Span<double> values = MemoryMarshal.Cast<long, double>(bits);
                if (identity)
                {
                    values.CopyTo(destination);
                }
                else
                {
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = zero + (scale * values[i]);
                    }
                }

                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(bitPix));
        }
    }

    /// <summary>Single-precision variant; the arithmetic is done in double and rounded once.</summary>
    public static void ToPhysical(Span<byte> raw, int bitPix, double scale, double zero, long? blank, Span<float> destination)
    {
        if (bitPix == -32 && scale == 1.0 && zero == 0.0)
        {
            Span<int> bits = MemoryMarshal.Cast<byte, int>(raw[..(destination.Length * 4)]);
            SwapIfLittleEndian(bits);
            MemoryMarshal.Cast<int, float>(bits).CopyTo(destination);
            return;
        }

        const int Step = 4096;
        Span<double> scratch = stackalloc double[Step];
        int bytes = BytesPerPixel(bitPix);
        for (int start = 0; start < destination.Length; start += Step)
        {
            int n = Math.Min(Step, destination.Length - start);
            ToPhysical(raw.Slice(start * bytes, n * bytes), bitPix, scale, zero, blank, scratch[..n]);
            for (int i = 0; i < n; i++)
            {
                destination[start + i] = (float)scratch[i];
            }
        }
    }

    public static void SwapIfLittleEndian(Span<short> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }

    public static void SwapIfLittleEndian(Span<int> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }

    public static void SwapIfLittleEndian(Span<long> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }
}
