using System.Globalization;

namespace Astro.Fits.Writing;

/// <summary>
/// An image to write: pixels in FITS order (NAXIS1 varies fastest) plus the BITPIX and the
/// BSCALE / BZERO / BLANK keywords that describe them. Built with the <c>FromPixels</c> and
/// <see cref="FromPhysical"/> factories; the arrays are referenced, not copied.
/// </summary>
/// <remarks>
/// Unsigned pixels follow the standard's convention: <see cref="ushort"/>, <see cref="uint"/> and
/// <see cref="ulong"/> are stored as signed 16, 32 and 64-bit integers with BZERO = 2^15, 2^31 and 2^63
/// (and <see cref="sbyte"/> as bytes with BZERO = -128).
/// </remarks>
public sealed class FitsImage
{
    private const int MaxAxes = 999;

    private FitsImage(Array? pixels, int bitPix, long[] axes, double scale, double zero, long? blank)
    {
        Pixels = pixels;
        BitPix = bitPix;
        Axes = axes;
        Scale = scale;
        Zero = zero;
        Blank = blank;
        PixelCount = axes.Length == 0 ? 0 : axes.Aggregate(1L, (a, b) => checked(a * b));
    }

    /// <summary>A header-only image (NAXIS = 0): a primary HDU that carries keywords, or an empty extension.</summary>
    public static FitsImage Empty { get; } = new(null, 8, [], 1.0, 0.0, null);

    /// <summary>BITPIX: 8, 16, 32, 64, -32 or -64.</summary>
    public int BitPix { get; }

    /// <summary>NAXIS1, NAXIS2, … (NAXIS1 varies fastest).</summary>
    public IReadOnlyList<long> Axes { get; }

    /// <summary>BSCALE to write; 1 means none.</summary>
    public double Scale { get; }

    /// <summary>BZERO to write; 0 means none. 2^15, 2^31 and 2^63 mark unsigned pixels.</summary>
    public double Zero { get; }

    /// <summary>BLANK to write (integer images only), or null.</summary>
    public long? Blank { get; }

    /// <summary>Number of pixels: the product of the axes, or 0 for NAXIS = 0.</summary>
    public long PixelCount { get; }

    /// <summary>The source array: one of the supported element types, or double[] for <see cref="FromPhysical"/>.</summary>
    internal Array? Pixels { get; }

    /// <summary>True when <see cref="Pixels"/> holds physical values to quantise with <see cref="Scale"/> and <see cref="Zero"/>.</summary>
    internal bool IsQuantized { get; private init; }

    /// <summary>Creates an 8-bit unsigned image (BITPIX = 8).</summary>
    /// <exception cref="ArgumentException">The axes do not multiply to the number of pixels, or there are more than 999.</exception>
    public static FitsImage FromPixels(byte[] pixels, params long[] axes) => Create(pixels, 8, axes);

    /// <summary>Creates an 8-bit signed image (BITPIX = 8, BZERO = -128).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(sbyte[] pixels, params long[] axes) => Create(pixels, 8, axes, zero: -128);

    /// <summary>Creates a 16-bit image (BITPIX = 16).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(short[] pixels, params long[] axes) => Create(pixels, 16, axes);

    /// <summary>Creates an unsigned 16-bit image (BITPIX = 16, BZERO = 32768).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(ushort[] pixels, params long[] axes) => Create(pixels, 16, axes, zero: 32768);

    /// <summary>Creates a 32-bit image (BITPIX = 32).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(int[] pixels, params long[] axes) => Create(pixels, 32, axes);

    /// <summary>Creates an unsigned 32-bit image (BITPIX = 32, BZERO = 2147483648).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(uint[] pixels, params long[] axes) => Create(pixels, 32, axes, zero: 2147483648.0);

    /// <summary>Creates a 64-bit image (BITPIX = 64).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(long[] pixels, params long[] axes) => Create(pixels, 64, axes);

    /// <summary>Creates an unsigned 64-bit image (BITPIX = 64, BZERO = 9223372036854775808).</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(ulong[] pixels, params long[] axes) => Create(pixels, 64, axes, zero: 9223372036854775808.0);

    /// <summary>Creates a single-precision image (BITPIX = -32); NaN marks undefined pixels.</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(float[] pixels, params long[] axes) => Create(pixels, -32, axes);

    /// <summary>Creates a double-precision image (BITPIX = -64); NaN marks undefined pixels.</summary>
    /// <inheritdoc cref="FromPixels(byte[], long[])" path="/exception"/>
    public static FitsImage FromPixels(double[] pixels, params long[] axes) => Create(pixels, -64, axes);

    /// <summary>
    /// Creates an integer image from physical values: each value is stored as
    /// <c>round((value − zero) / scale)</c> and reads back as <c>zero + scale × stored</c>, within
    /// half a step of the original. NaN is stored as BLANK.
    /// </summary>
    /// <param name="values">Physical values in FITS order; NaN for undefined pixels.</param>
    /// <param name="axes">NAXIS1, NAXIS2, ….</param>
    /// <param name="bitPix">8, 16, 32 or 64.</param>
    /// <param name="scale">BSCALE: the quantisation step; must be finite and non-zero.</param>
    /// <param name="zero">BZERO: the physical value of stored 0.</param>
    /// <param name="blank">
    /// BLANK: the stored value of NaN. When null, 255 for BITPIX 8 and the type's minimum otherwise.
    /// BLANK is written when it was given or when a value is NaN.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The axes do not match the values, BITPIX is not an integer type, the scale is 0 or not finite,
    /// or BLANK is outside the type.
    /// </exception>
    /// <remarks>
    /// A value whose stored integer falls outside the type (or on BLANK) is reported by the writer with
    /// an <see cref="ArgumentOutOfRangeException"/> naming the pixel.
    /// </remarks>
    public static FitsImage FromPhysical(double[] values, long[] axes, int bitPix, double scale, double zero, long? blank = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (bitPix is not (8 or 16 or 32 or 64))
        {
            throw new ArgumentException($"Quantised images need an integer BITPIX (8, 16, 32 or 64), not {bitPix}.", nameof(bitPix));
        }

        if (!double.IsFinite(scale) || scale == 0 || !double.IsFinite(zero))
        {
            throw new ArgumentException("BSCALE must be finite and non-zero, and BZERO finite.", nameof(scale));
        }

        (long min, long max) = IntegerRange(bitPix);
        if (blank is long b && (b < min || b > max))
        {
            throw new ArgumentOutOfRangeException(nameof(blank), $"BLANK {b} does not fit BITPIX {bitPix}.");
        }

        long effectiveBlank = blank ?? (bitPix == 8 ? byte.MaxValue : min);
        bool anyNaN = Array.Exists(values, double.IsNaN);
        return new FitsImage(values, bitPix, CheckAxes(values.Length, axes), scale, zero, blank is not null || anyNaN ? effectiveBlank : null)
        {
            IsQuantized = true,
            QuantizeBlank = effectiveBlank,
        };
    }

    /// <summary>The stored value NaN becomes when quantising (even when no BLANK keyword is written).</summary>
    internal long QuantizeBlank { get; private init; }

    /// <summary>The smallest and largest stored value of an integer BITPIX.</summary>
    internal static (long Min, long Max) IntegerRange(int bitPix) => bitPix switch
    {
        8 => (byte.MinValue, byte.MaxValue),
        16 => (short.MinValue, short.MaxValue),
        32 => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    private static FitsImage Create(Array pixels, int bitPix, long[] axes, double zero = 0.0)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        return new FitsImage(pixels, bitPix, CheckAxes(pixels.Length, axes), 1.0, zero, null);
    }

    private static long[] CheckAxes(long length, long[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0)
        {
            // No axes given: a one-dimensional image of every pixel.
            return length == 0 ? [] : [length];
        }

        if (axes.Length > MaxAxes)
        {
            throw new ArgumentException($"FITS allows at most {MaxAxes} axes, not {axes.Length}.", nameof(axes));
        }

        long product = 1;
        foreach (long axis in axes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(axis, nameof(axes));
            product = checked(product * axis);
        }

        if (product != length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The axes ({string.Join(" x ", axes)}) hold {product} pixels, the array has {length}."),
                nameof(axes));
        }

        return (long[])axes.Clone();
    }
}
