using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Astro.Fits.Hdus;
using Astro.Fits.IO;
using Astro.Fits.Tables;
using Astro.Fits.Writing;

namespace Astro.Fits.Tests.Malformed;

/// <summary>
/// Bad files built in memory: each is refused with one <see cref="FitsException"/> whose message is
/// one line naming the HDU and the problem, quickly and without allocating what the header asks for.
/// </summary>
public class MalformedTests
{
    private const long AllocationBudget = 10 << 20;

    private static readonly string[] s_emptyPrimary = MalformedFiles.Primary(8);

    /// <summary>Runs an action that must fail; checks the exception's shape, the time taken and the bytes allocated.</summary>
    private static FitsException AssertRefused(Action action, int hdu, string problem)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        FitsException e = Assert.Throws<FitsException>(action);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(hdu, e.HduIndex);
        Assert.Contains($"HDU {hdu}", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.True(allocated < AllocationBudget, $"allocated {allocated:N0} bytes");
        return e;
    }

    private static void Open(byte[] bytes, FitsReaderOptions? options = null)
    {
        using FitsFile file = FitsFile.Open(bytes, options);
    }

    [Fact]
    public void Truncated_data_is_refused_when_read()
    {
        byte[] bytes = MalformedFiles.Hdu(MalformedFiles.Primary(16, 100, 100), dataBytes: 1000, pad: false);
        using FitsFile file = FitsFile.Open(bytes);
        var image = Assert.IsType<ImageHdu>(file[0]);

        Assert.Contains(file.Warnings, w => w.Contains("truncated", StringComparison.Ordinal));
        AssertRefused(() => image.ReadPhysical(), 0, "truncated");
        AssertRefused(() => image.VerifyChecksums(), 0, "truncated");
    }

    [Fact]
    public void A_header_claiming_terabytes_is_refused_as_truncated_without_a_large_allocation()
    {
        // 1,000,000 × 1,000,000 doubles: 8 TB declared, one block present.
        byte[] bytes = MalformedFiles.Hdu(MalformedFiles.Primary(-64, 1_000_000, 1_000_000), dataBytes: 2880);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using FitsFile file = FitsFile.Open(bytes);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationBudget);
        var image = Assert.IsType<ImageHdu>(file[0]);
        Assert.Equal(8_000_000_000_000, image.DataLength);

        AssertRefused(() => image.ReadPhysical(0, new double[16]), 0, "truncated");
        AssertRefused(() => image.VerifyChecksums(), 0, "truncated");
        AssertRefused(() => image.ReadRaw(), 0, "pixels");
    }

    [Fact]
    public void A_missing_end_card_is_refused()
    {
        byte[] bytes = MalformedFiles.Header(s_emptyPrimary, end: false);

        AssertRefused(() => Open(bytes), 0, "no END card");
    }

    [Fact]
    public void Non_fits_bytes_are_refused()
    {
        byte[] bytes = "PK\u0003\u0004 this is a zip file, not FITS"u8.ToArray();

        AssertRefused(() => Open(bytes), 0, "not a FITS file");
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        AssertRefused(() => Open([]), 0, "empty");
    }

    [Fact]
    public void An_empty_file_is_refused_with_one_line()
    {
        FitsException e = Assert.Throws<FitsException>(() => Open([]));

        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Negative_axes_are_refused()
    {
        AssertRefused(() => Open(MalformedFiles.Hdu(MalformedFiles.Primary(16, 10, -5))), 0, "negative axis length NAXIS2");
    }

    [Fact]
    public void Naxis_1000_is_refused()
    {
        string[] cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                 1000"];

        AssertRefused(() => Open(MalformedFiles.Hdu(cards)), 0, "NAXIS = 1000 is outside 0..999");
    }

    [Theory]
    [InlineData(12)]
    [InlineData(0)]
    [InlineData(-16)]
    public void Unknown_bitpix_is_refused(int bitPix)
    {
        FitsException e = AssertRefused(() => Open(MalformedFiles.Hdu(MalformedFiles.Primary(bitPix, 4))), 0, $"unknown BITPIX {bitPix}");

        Assert.Equal(1, e.CardIndex);
    }

    [Theory]
    [InlineData("QQQ")]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("2PZ")]
    public void Tform_garbage_is_refused(string tform)
    {
        byte[] bytes = MalformedFiles.Concat(
            MalformedFiles.Hdu(s_emptyPrimary),
            MalformedFiles.Hdu(
            [
                "XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
                "NAXIS1  =                    4", "NAXIS2  =                    1", "PCOUNT  =                    0",
                "GCOUNT  =                    1", "TFIELDS =                    1", $"TFORM1  = '{tform}'",
            ], dataBytes: 4));

        AssertRefused(() => Open(bytes), 1, "TFORM1");
    }

    [Fact]
    public void Tbcol_outside_the_row_is_refused()
    {
        byte[] bytes = MalformedFiles.Concat(
            MalformedFiles.Hdu(s_emptyPrimary),
            MalformedFiles.Hdu(
            [
                "XTENSION= 'TABLE   '", "BITPIX  =                    8", "NAXIS   =                    2",
                "NAXIS1  =                   10", "NAXIS2  =                    2", "PCOUNT  =                    0",
                "GCOUNT  =                    1", "TFIELDS =                    1", "TFORM1  = 'I5      '", "TBCOL1  =                   20",
            ], dataBytes: 20));

        AssertRefused(() => Open(bytes), 1, "does not fit in rows of 10 characters");
    }

    [Fact]
    public void A_variable_length_descriptor_pointing_outside_the_heap_is_refused()
    {
        byte[] bytes = Writing.WritingFixtures.WriteTable(new TableColumn<int[]>("ARR", [[1, 2], [3, 4, 5]]) { VariableLength = true });
        using (FitsFile good = FitsFile.Open(bytes))
        {
            // Row 1's descriptor: (count, offset) at byte 8 of the data; point it far past the heap.
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((int)good[1].DataOffset + 12), 1_000_000_000);
        }

        using FitsFile file = FitsFile.Open(bytes);
        var table = Assert.IsType<BinaryTableHdu>(file[1]);

        AssertRefused(() => table.ReadArrays("ARR"), 1, "outside the heap");
        AssertRefused(() => table.ReadColumnAsDouble("ARR"), 1, "outside the heap");
    }

    [Fact]
    public void A_runaway_header_is_bounded_by_max_header_cards()
    {
        byte[] bytes = MalformedFiles.Header([.. s_emptyPrimary, .. Enumerable.Repeat("COMMENT runaway", 5000)], end: false);

        AssertRefused(() => Open(bytes, new FitsReaderOptions { MaxHeaderCards = 1000 }), 0, "no END card within 1000 cards");
    }

    [Fact]
    public void A_header_of_a_million_cards_without_end_stops_at_the_default_limit()
    {
        // 1,000,100 cards (80 MB) generated on the fly: the limit, not the end of the file, stops the read.
        using var stream = new EndlessHeaderStream(cards: 1_000_100);
        var clock = Stopwatch.StartNew();

        FitsException e = Assert.Throws<FitsException>(() => FitsFile.Open(stream, leaveOpen: true));

        Assert.Equal(0, e.HduIndex);
        Assert.Contains("no END card within 1000000 cards (FitsReaderOptions.MaxHeaderCards)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_gzip_bomb_is_refused_at_max_decompressed_length()
    {
        // 64 MB of zeros after a valid header compress to about 64 KB.
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(MalformedFiles.Header(MalformedFiles.Primary(8, 64 << 20)));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        Assert.True(compressed.Length < 1 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();

        FitsException e = Assert.Throws<FitsException>(() => Open(compressed.ToArray(), new FitsReaderOptions { MaxDecompressedLength = 1 << 20 }));

        Assert.Contains("expands past the limit of 1048576 bytes (FitsReaderOptions.MaxDecompressedLength)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationBudget);
    }

    /// <summary>A seekable stream that serves a SIMPLE card followed by COMMENT cards, without holding them.</summary>
    private sealed class EndlessHeaderStream(long cards) : Stream
    {
        private static readonly byte[] s_first = System.Text.Encoding.ASCII.GetBytes("SIMPLE  =                    T".PadRight(80));
        private static readonly byte[] s_comment = System.Text.Encoding.ASCII.GetBytes("COMMENT and on and on".PadRight(80));

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length { get; } = (cards * 80 + 2879) / 2880 * 2880;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Max(0, Math.Min(count, Length - Position));
            for (int i = 0; i < n; i++)
            {
                long at = Position + i;
                buffer[offset + i] = at < 80 ? s_first[at] : s_comment[at % 80];
            }

            Position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
