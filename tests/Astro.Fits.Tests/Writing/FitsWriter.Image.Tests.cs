using System.Runtime.InteropServices;
using Astro.Fits.Hdus;
using Astro.Fits.Writing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astro.Fits.Tests.Writing;

/// <summary>Images written by <see cref="FitsWriter"/> read back identically through our reader.</summary>
public class FitsWriterImageTests
{
    private static readonly Type[] s_pixelTypes =
        [typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double)];

    /// <summary>A random image: pixel type, 0 to 4 axes of 1 to 7 (or an empty axis), every bit pattern (NaN payloads, -0, infinities).</summary>
    public sealed record ImageCase(Type PixelType, long[] Axes, int Seed, bool AsExtension, bool Checksums)
    {
        public override string ToString() => $"{PixelType.Name}[{string.Join("x", Axes)}] seed {Seed} ext {AsExtension} sums {Checksums}";
    }

    public sealed record QuantizedCase(int BitPix, double Scale, double Zero, long[] Axes, int Seed, double NaNFraction)
    {
        public override string ToString() => $"BITPIX {BitPix} BSCALE {Scale:R} BZERO {Zero:R} [{string.Join("x", Axes)}] seed {Seed} NaN {NaNFraction}";
    }

    private static Arbitrary<ImageCase> ImageCases() =>
        (from type in Gen.Elements(s_pixelTypes)
         from naxis in Gen.Choose(1, 4)
         from axes in Gen.ArrayOf(Gen.Frequency((20, Gen.Choose(1, 7)), (1, Gen.Constant(0))), naxis)
         from seed in Gen.Choose(0, int.MaxValue)
         from extension in Gen.Elements(true, false)
         from checksums in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
         select new ImageCase(type, axes.Select(a => (long)a).ToArray(), seed, extension, checksums)).ToArbitrary();

    private static Arbitrary<QuantizedCase> QuantizedCases() =>
        (from bitPix in Gen.Elements(8, 16, 32, 64)
         from scale in Gen.Elements(1e-9, 0.001, 0.25, 1.0, 3.7, 1e6)
         from zero in Gen.Elements(0.0, -1.5, 100.0, 32768.0, -1e9)
         from naxis in Gen.Choose(1, 3)
         from axes in Gen.ArrayOf(Gen.Choose(1, 9), naxis)
         from seed in Gen.Choose(0, int.MaxValue)
         from nan in Gen.Elements(0.0, 0.1, 1.0)
         where Resolvable(bitPix, scale, zero)
         select new QuantizedCase(bitPix, scale, zero, axes.Select(a => (long)a).ToArray(), seed, nan)).ToArbitrary();

    /// <summary>True when doubles near BZERO + BSCALE × stored still resolve steps of BSCALE (else quantisation is meaningless).</summary>
    private static bool Resolvable(int bitPix, double scale, double zero) =>
        (Math.Abs(zero) + (scale * Math.Pow(2, StoredBits(bitPix)))) * Math.Pow(2, -52) < scale * 1e-3;

    private static int StoredBits(int bitPix) => bitPix == 64 ? 40 : bitPix - 1;

    [Property(MaxTest = 200)]
    public Property Raw_pixels_of_every_type_read_back_bit_exact() => Prop.ForAll(ImageCases(), c =>
    {
        long count = c.Axes.Aggregate(1L, (a, b) => a * b);
        Array pixels = Array.CreateInstance(c.PixelType, count);
        new Random(c.Seed).NextBytes(AsBytes(pixels));
        FitsImage image = Create(pixels, c.Axes);
        byte[] bytes = WritingFixtures.Write(
            w =>
            {
                if (c.AsExtension)
                {
                    w.WriteImage(FitsImage.Empty);
                }

                w.WriteImage(image);
            },
            new FitsWriterOptions { WriteChecksums = c.Checksums, LeaveOpen = true });

        using FitsFile file = FitsFile.Open(bytes);
        var hdu = Assert.IsAssignableFrom<ImageHdu>(file[c.AsExtension ? 1 : 0]);
        Assert.Equal(c.AsExtension ? "IMAGE" : null, hdu.Extension);
        Assert.Equal(image.BitPix, hdu.BitPix);
        Assert.Equal(c.Axes, hdu.Axes);
        Assert.Equal(image.Zero, hdu.Zero);
        Assert.Equal(1.0, hdu.Scale);
        Assert.Equal(ExpectedRaw(pixels), AsBytes(hdu.ReadRaw()));
        if (c.PixelType == typeof(ushort) || c.PixelType == typeof(uint) || c.PixelType == typeof(sbyte))
        {
            // Unsigned through BZERO: the physical values are the original integers, exactly.
            double[] expected = pixels.Cast<object>().Select(Convert.ToDouble).ToArray();
            Assert.Equal(expected, hdu.ReadPhysical());
        }

        Assert.True(hdu.VerifyChecksums().IsValid);
        Assert.Equal(0, bytes.Length % 2880);
        return true;
    });

    [Property(MaxTest = 200)]
    public Property Physical_values_read_back_within_half_a_quantisation_step() => Prop.ForAll(QuantizedCases(), c =>
    {
        var random = new Random(c.Seed);
        (long min, long max) = c.BitPix switch
        {
            8 => (0L, 254L),
            16 => (short.MinValue + 1L, (long)short.MaxValue),
            32 => (int.MinValue + 1L, (long)int.MaxValue),
            _ => (-(1L << 40), 1L << 40), // where zero + scale × stored still resolves the step
        };
        long count = c.Axes.Aggregate(1L, (a, b) => a * b);
        double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            long stored = random.NextInt64(min, max + 1);
            values[i] = random.NextDouble() < c.NaNFraction ? double.NaN : c.Zero + (c.Scale * (stored + (random.NextDouble() - 0.5) * 0.98));
            if (random.Next(10) == 0 && !double.IsNaN(values[i]))
            {
                values[i] = c.Zero + (c.Scale * (random.Next(2) == 0 ? min : max)); // the ends of the range
            }
        }

        byte[] bytes = WritingFixtures.WriteImage(FitsImage.FromPhysical(values, c.Axes, c.BitPix, c.Scale, c.Zero));

        using FitsFile file = FitsFile.Open(bytes);
        var hdu = Assert.IsType<ImageHdu>(file[0]);
        Assert.Equal(c.BitPix, hdu.BitPix);
        Assert.Equal(c.Scale, hdu.Scale);
        Assert.Equal(c.Zero, hdu.Zero);
        Assert.Equal(values.Any(double.IsNaN), hdu.Blank is not null);
        double[] read = hdu.ReadPhysical();
        for (int i = 0; i < count; i++)
        {
            if (double.IsNaN(values[i]))
            {
                Assert.True(double.IsNaN(read[i]), $"pixel {i}: NaN wrote as {read[i]}");
                continue;
            }

            double tolerance = (c.Scale / 2 * (1 + 1e-6)) + ((Math.Abs(c.Zero) + Math.Abs(values[i])) * 1e-15);
            Assert.True(Math.Abs(read[i] - values[i]) <= tolerance, $"pixel {i}: wrote {values[i]:R}, read {read[i]:R} (step {c.Scale:R})");
        }

        Assert.True(hdu.VerifyChecksums().IsValid);
        return true;
    });

    [Theory]
    [InlineData(8, 256.0)]
    [InlineData(8, -1.0)]
    [InlineData(16, 40000.0)]
    [InlineData(32, -3e9)]
    [InlineData(16, double.PositiveInfinity)]
    [InlineData(16, -32768.0)] // the default BLANK
    public void Values_outside_the_stored_range_are_refused_before_anything_is_written(int bitPix, double value)
    {
        var stream = new MemoryStream();
        using var writer = new FitsWriter(stream);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteImage(FitsImage.FromPhysical([1.0, value], [2], bitPix, 1.0, 0.0)));

        Assert.Contains("Pixel 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
        Assert.Equal(0, writer.HduCount);
    }

    [Fact]
    public void Axes_that_do_not_match_the_pixels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FitsImage.FromPixels(new short[6], 2, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => FitsImage.FromPixels(new short[6], -2, -3));
        Assert.Throws<ArgumentException>(() => FitsImage.FromPhysical([1.0], [1], -32, 1.0, 0.0));
        Assert.Throws<ArgumentException>(() => FitsImage.FromPhysical([1.0], [1], 16, 0.0, 0.0));
        Assert.Throws<ArgumentException>(() => FitsImage.FromPixels(new byte[1], Enumerable.Repeat(1L, 1000).ToArray()));
    }

    [Fact]
    public void Header_keywords_come_in_the_standards_order_and_owned_keywords_are_not_duplicated()
    {
        var user = new Astro.Fits.Headers.Header();
        user.Add("BITPIX", 32L);
        user.Add("NAXIS3", 9L);
        user.Add("BZERO", 5L);
        user.Add("CHECKSUM", "stale");
        user.Add("OBSERVER", "me");

        byte[] bytes = WritingFixtures.Write(w =>
        {
            w.WriteImage(FitsImage.FromPixels(new ushort[6], 3, 2), user);
            w.WriteImage(FitsImage.FromPixels(new float[2], 2), user);
        });

        using FitsFile file = FitsFile.Open(bytes);
        Assert.Equal(
            ["SIMPLE", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "EXTEND", "BZERO", "OBSERVER", "CHECKSUM", "DATASUM"],
            file[0].Header.Select(c => c.Keyword));
        Assert.Equal(32768.0, file[0].Header.GetDouble("BZERO", 0));
        Assert.Equal(
            ["XTENSION", "BITPIX", "NAXIS", "NAXIS1", "PCOUNT", "GCOUNT", "BZERO", "OBSERVER", "CHECKSUM", "DATASUM"],
            file[1].Header.Select(c => c.Keyword));
        Assert.Equal(5L, file[1].Header.GetInt64("BZERO", 0));
    }

    [Fact]
    public void Unsigned_64_bit_images_use_bzero_two_to_the_63_written_as_an_integer()
    {
        ulong[] pixels = [0, 1, ulong.MaxValue, 1UL << 63];
        byte[] bytes = WritingFixtures.WriteImage(FitsImage.FromPixels(pixels, 4));

        using FitsFile file = FitsFile.Open(bytes);
        var hdu = Assert.IsType<ImageHdu>(file[0]);
        Assert.Equal("BZERO   =  9223372036854775808", file[0].Header.Find("BZERO")!.Image.TrimEnd()[..30]);
        Assert.Equal(9223372036854775808.0, hdu.Zero);
        Assert.Equal(pixels.Select(p => (long)(p ^ (1UL << 63))), (long[])hdu.ReadRaw());
    }

    [Fact]
    public async Task Async_and_sync_writes_produce_the_same_bytes()
    {
        var image = FitsImage.FromPhysical([1.0, double.NaN, 3.0, 4.5], [2, 2], 16, 0.5, 0.0);
        TableColumn[] table = SampleFiles.EveryTform(5);
        byte[] sync = WritingFixtures.Write(w =>
        {
            w.WriteImage(image, SampleFiles.LongStringHeader());
            w.WriteTable(table);
        });

        var stream = new MemoryStream();
        await using (var writer = new FitsWriter(stream, new FitsWriterOptions { LeaveOpen = true }))
        {
            await writer.WriteImageAsync(image, SampleFiles.LongStringHeader());
            await writer.WriteTableAsync(table);
            Assert.Equal(2, writer.HduCount);
        }

        Assert.Equal(sync, stream.ToArray());
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var writer = new FitsWriter(new MemoryStream());
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.WriteImageAsync(FitsImage.FromPixels(new byte[10], 10), cancellationToken: cts.Token));
        Assert.Throws<OperationCanceledException>(() => writer.WriteTable([new TableColumn<int>("A", [1])], cancellationToken: cts.Token));
    }

    [Fact]
    public void Options_defaults_are_documented_values_and_disposal_closes_the_stream()
    {
        var options = new FitsWriterOptions();
        Assert.True(options.WriteChecksums);
        Assert.False(options.LeaveOpen);

        var stream = new MemoryStream();
        var writer = new FitsWriter(stream);
        writer.WriteImage(FitsImage.Empty);
        writer.Dispose();
        Assert.False(stream.CanWrite);
        Assert.Throws<ObjectDisposedException>(() => writer.WriteImage(FitsImage.Empty));
    }

    [Fact]
    public void Non_seekable_streams_are_written_to()
    {
        var inner = new MemoryStream();
        using (var writer = new FitsWriter(new ForwardOnlyStream(inner)))
        {
            writer.WriteImage(FitsImage.FromPixels([1.5, 2.5], 2));
        }

        using FitsFile file = FitsFile.Open(inner.ToArray());
        Assert.Equal([1.5, 2.5], ((ImageHdu)file[0]).ReadPhysical());
    }

    private static FitsImage Create(Array pixels, long[] axes) => pixels switch
    {
        // Exact types only: the runtime lets an int[] pass as uint[] (array covariance of same-sized integers).
        sbyte[] p when pixels.GetType() == typeof(sbyte[]) => FitsImage.FromPixels(p, axes),
        ushort[] p when pixels.GetType() == typeof(ushort[]) => FitsImage.FromPixels(p, axes),
        uint[] p when pixels.GetType() == typeof(uint[]) => FitsImage.FromPixels(p, axes),
        ulong[] p when pixels.GetType() == typeof(ulong[]) => FitsImage.FromPixels(p, axes),
        byte[] p when pixels.GetType() == typeof(byte[]) => FitsImage.FromPixels(p, axes),
        short[] p when pixels.GetType() == typeof(short[]) => FitsImage.FromPixels(p, axes),
        int[] p when pixels.GetType() == typeof(int[]) => FitsImage.FromPixels(p, axes),
        long[] p when pixels.GetType() == typeof(long[]) => FitsImage.FromPixels(p, axes),
        float[] p when pixels.GetType() == typeof(float[]) => FitsImage.FromPixels(p, axes),
        double[] p when pixels.GetType() == typeof(double[]) => FitsImage.FromPixels(p, axes),
        _ => throw new ArgumentException(pixels.GetType().Name),
    };

    /// <summary>The stored (raw) values, native-endian: unsigned types with their sign bit flipped.</summary>
    private static byte[] ExpectedRaw(Array pixels)
    {
        byte[] bytes = AsBytes(pixels).ToArray();
        if (bytes.Length == 0)
        {
            return bytes;
        }

        int size = bytes.Length / Math.Max(1, pixels.Length);
        if (pixels.GetType() == typeof(sbyte[]) || pixels.GetType() == typeof(ushort[]) || pixels.GetType() == typeof(uint[]) || pixels.GetType() == typeof(ulong[]))
        {
            // Flip the most significant bit of each little-endian element.
            for (int i = size - 1; i < bytes.Length; i += size)
            {
                bytes[i] ^= 0x80;
            }
        }

        return bytes;
    }

    private static Span<byte> AsBytes(Array array) => array switch
    {
        sbyte[] a when array.GetType() == typeof(sbyte[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a when array.GetType() == typeof(ushort[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a when array.GetType() == typeof(uint[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a when array.GetType() == typeof(ulong[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a when array.GetType() == typeof(byte[]) => a,
        short[] a when array.GetType() == typeof(short[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a when array.GetType() == typeof(int[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a when array.GetType() == typeof(long[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a when array.GetType() == typeof(float[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a when array.GetType() == typeof(double[]) => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new ArgumentException(array.GetType().Name),
    };

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
