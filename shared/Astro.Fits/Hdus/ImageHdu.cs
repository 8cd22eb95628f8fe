using System.Buffers;
using System.Runtime.InteropServices;
using Astro.Fits.Images;

namespace Astro.Fits.Hdus;

/// <summary>
/// A primary array or IMAGE extension. Pixels are read on demand, as raw values or as physical
/// values (BSCALE/BZERO applied, BLANK as NaN) in single or double precision.
/// </summary>
/// <remarks>
/// Pixel indexes are 0-based and run in FITS order: NAXIS1 varies fastest. <see cref="Axes"/>
/// lists NAXIS1, NAXIS2, … in that order.
/// </remarks>
public class ImageHdu : Hdu
{
    private protected ImageHdu(HduFrame frame, int bitPix, long[] axes, double scale, double zero, long? blank)
        : base(frame)
    {
        BitPix = bitPix;
        Axes = axes;
        Scale = scale;
        Zero = zero;
        Blank = blank;
        long count = axes.Length == 0 ? 0 : 1;
        foreach (long axis in axes)
        {
            count *= axis;
        }

        PixelCount = count;
    }

    internal ImageHdu(HduFrame frame)
        : this(
            frame,
            (int)frame.Header.RequireInt64("BITPIX"),
            HduFactory.ReadAxes(frame.Header, "NAXIS"),
            frame.Header.GetDouble("BSCALE", 1.0),
            frame.Header.GetDouble("BZERO", 0.0),
            frame.Header.TryGetInt64("BLANK", out long blank) ? blank : null)
    {
    }

    /// <inheritdoc />
    public override HduKind Kind => Axes.Count == 0 ? HduKind.Empty : HduKind.Image;

    /// <summary>Bits per raw pixel: 8, 16, 32, 64 (integers) or -32, -64 (IEEE floats).</summary>
    public int BitPix { get; }

    /// <summary>NAXIS1, NAXIS2, … (empty when NAXIS = 0).</summary>
    public IReadOnlyList<long> Axes { get; }

    /// <summary>Number of pixels (0 when NAXIS = 0 or any axis is 0).</summary>
    public long PixelCount { get; }

    /// <summary>BSCALE (default 1).</summary>
    public double Scale { get; }

    /// <summary>BZERO (default 0); 2^15, 2^31 or 2^63 marks unsigned integers.</summary>
    public double Zero { get; }

    /// <summary>BLANK: the raw integer that marks an undefined pixel, if any (integer BITPIX only).</summary>
    public long? Blank { get; }

    /// <summary>True for tile-compressed images.</summary>
    public virtual bool IsCompressed => false;

    /// <summary>Reads physical values of consecutive pixels starting at a 0-based pixel index.</summary>
    public virtual void ReadPhysical(long firstPixel, Span<double> destination)
    {
        CheckRange(firstPixel, destination.Length);
        if (BitPix == -64 && Scale == 1.0 && Zero == 0.0)
        {
            Span<long> bits = MemoryMarshal.Cast<double, long>(destination);
            ReadData(firstPixel * 8, MemoryMarshal.AsBytes(bits));
            PixelConverter.SwapIfLittleEndian(bits);
            return;
        }

        ReadConverted(firstPixel, destination, static (raw, hdu, dst) => PixelConverter.ToPhysical(raw, hdu.BitPix, hdu.Scale, hdu.Zero, hdu.EffectiveBlank, dst));
    }

    /// <summary>Reads physical values of consecutive pixels, rounded to single precision.</summary>
    public virtual void ReadPhysical(long firstPixel, Span<float> destination)
    {
        CheckRange(firstPixel, destination.Length);
        if (BitPix == -32 && Scale == 1.0 && Zero == 0.0)
        {
            // Same representation: read straight into the destination and swap the bytes in place.
            Span<int> bits = MemoryMarshal.Cast<float, int>(destination);
            ReadData(firstPixel * 4, MemoryMarshal.AsBytes(bits));
            PixelConverter.SwapIfLittleEndian(bits);
            return;
        }

        ReadConverted(firstPixel, destination, static (raw, hdu, dst) => PixelConverter.ToPhysical(raw, hdu.BitPix, hdu.Scale, hdu.Zero, hdu.EffectiveBlank, dst));
    }

    /// <summary>Reads the whole image as physical values in double precision.</summary>
    public double[] ReadPhysical()
    {
        double[] pixels = GC.AllocateUninitializedArray<double>(CheckedArrayLength());
        ReadInParallel(pixels, static (hdu, first, array, offset, count) => hdu.ReadPhysical(first, array.AsSpan(offset, count)));
        return pixels;
    }

    /// <summary>Reads the whole image as physical values in single precision.</summary>
    public float[] ReadPhysicalSingle()
    {
        float[] pixels = GC.AllocateUninitializedArray<float>(CheckedArrayLength());
        ReadInParallel(pixels, static (hdu, first, array, offset, count) => hdu.ReadPhysical(first, array.AsSpan(offset, count)));
        return pixels;
    }

    /// <summary>
    /// Reads the raw pixel values, unscaled: a byte[], short[], int[], long[], float[] or double[]
    /// according to BITPIX.
    /// </summary>
    public virtual Array ReadRaw()
    {
        int length = CheckedArrayLength();
        Array result = BitPix switch
        {
            8 => new byte[length],
            16 => new short[length],
            32 => new int[length],
            64 => new long[length],
            -32 => new float[length],
            _ => new double[length],
        };
        Span<byte> bytes = BitPix switch
        {
            8 => (byte[])result,
            16 => MemoryMarshal.AsBytes(((short[])result).AsSpan()),
            32 => MemoryMarshal.AsBytes(((int[])result).AsSpan()),
            64 => MemoryMarshal.AsBytes(((long[])result).AsSpan()),
            -32 => MemoryMarshal.AsBytes(((float[])result).AsSpan()),
            _ => MemoryMarshal.AsBytes(((double[])result).AsSpan()),
        };
        ReadData(0, bytes);
        switch (Math.Abs(BitPix))
        {
            case 16:
                PixelConverter.SwapIfLittleEndian(MemoryMarshal.Cast<byte, short>(bytes));
                break;
            case 32:
                PixelConverter.SwapIfLittleEndian(MemoryMarshal.Cast<byte, int>(bytes));
                break;
            case 64:
                PixelConverter.SwapIfLittleEndian(MemoryMarshal.Cast<byte, long>(bytes));
                break;
        }

        return result;
    }

    private delegate void ChunkReader<T>(ImageHdu hdu, long firstPixel, T[] array, int offset, int count);

    /// <summary>
    /// Whole-image reads go in chunks on every core: reading from the page cache, swapping bytes and
    /// scaling are all memory-bound, and one core does not saturate the memory bus.
    /// </summary>
    private void ReadInParallel<T>(T[] pixels, ChunkReader<T> read)
    {
        const int ChunkPixels = 1 << 20;
        int chunks = (pixels.Length + ChunkPixels - 1) / ChunkPixels;
        if (chunks <= 1 || IsCompressed)
        {
            read(this, 0, pixels, 0, pixels.Length);
            return;
        }

        try
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
            {
                int offset = c * ChunkPixels;
                read(this, offset, pixels, offset, Math.Min(ChunkPixels, pixels.Length - offset));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is FitsException) is FitsException first)
        {
            throw first;
        }
    }

    /// <summary>BLANK applies to integer pixels only.</summary>
    private protected long? EffectiveBlank => BitPix > 0 ? Blank : null;

    private protected int CheckedArrayLength()
    {
        if (PixelCount > Array.MaxLength)
        {
            throw Error($"the image has {PixelCount} pixels, more than one array holds; read it in sections with ReadPhysical(firstPixel, destination)");
        }

        if (!IsCompressed)
        {
            ThrowIfTruncated();
        }

        return (int)PixelCount;
    }

    private protected void CheckRange(long firstPixel, int count)
    {
        if (firstPixel < 0 || count < 0 || firstPixel + count > PixelCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstPixel), $"Pixels {firstPixel}..{firstPixel + count} are outside the image of {PixelCount} pixels.");
        }
    }

    private delegate void Converter<T>(Span<byte> raw, ImageHdu hdu, Span<T> destination);

    private void ReadConverted<T>(long firstPixel, Span<T> destination, Converter<T> convert)
    {
        int bytesPerPixel = PixelConverter.BytesPerPixel(BitPix);
        int pixelsPerChunk = Math.Max(1, FitsDefaults.ChunkBytes / bytesPerPixel);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(destination.Length, pixelsPerChunk) * bytesPerPixel);
        try
        {
            for (int done = 0; done < destination.Length;)
            {
                int n = Math.Min(pixelsPerChunk, destination.Length - done);
                Span<byte> raw = buffer.AsSpan(0, n * bytesPerPixel);
                ReadData((firstPixel + done) * bytesPerPixel, raw);
                convert(raw, this, destination.Slice(done, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
