using System.Buffers.Binary;
using Astro.Fits.Compression;
using Astro.Fits.Compression.Codecs;
using Astro.Fits.Headers;
using Astro.Fits.Writing;

namespace Astro.Fits.Tests.Compression;

/// <summary>
/// Tile assembly of <see cref="CompressedImageHdu"/> on files made here: the fallback columns cfitsio
/// writes for tiles it cannot quantise, 2-D tiles that do not divide the image, our own writer's
/// output, and corrupt tiles.
/// </summary>
public class CompressedImageHduTests
{
    [Fact]
    public void Tiles_in_the_gzip_and_uncompressed_fallback_columns_are_read()
    {
        float[] tile0 = [1.5f, -2.25f, float.NaN, 3e30f];
        float[] tile1 = [4f, 5f, 6f, 7f];
        byte[] raw1 = new byte[16];
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(raw1.AsSpan(4 * i), tile1[i]);
        }

        var header = ImageHeader(-32, [4, 2], [4, 1], "RICE_1");
        header.Add("ZQUANTIZ", "NO_DITHER");
        var columns = new TableColumn[]
        {
            new TableColumn<byte[]>("COMPRESSED_DATA", [[], []]) { VariableLength = true },
            new TableColumn<byte[]>("GZIP_COMPRESSED_DATA", [GzipCodec.Encode(tile0, shuffle: false), []]) { VariableLength = true },
            new TableColumn<float[]>("UNCOMPRESSED_DATA", [[], tile1]) { VariableLength = true },
            new TableColumn<double>("ZSCALE", [1.0, 1.0]),
            new TableColumn<double>("ZZERO", [0.0, 0.0]),
        };

        float[] pixels = ReadBack(header, columns).ReadPhysicalSingle();

        Assert.Equal([.. tile0, .. tile1], pixels);
    }

    [Fact]
    public void Two_dimensional_tiles_that_do_not_divide_the_image_are_placed_correctly()
    {
        const int Width = 7, Height = 5;
        int[] image = Enumerable.Range(0, Width * Height).Select(i => (i * 37) % 101).ToArray();
        long[] tile = [3, 2];
        var tiles = new List<byte[]>();
        for (int ty = 0; ty < Height; ty += 2)
        {
            for (int tx = 0; tx < Width; tx += 3)
            {
                var values = new List<int>();
                for (int y = ty; y < Math.Min(Height, ty + 2); y++)
                {
                    for (int x = tx; x < Math.Min(Width, tx + 3); x++)
                    {
                        values.Add(image[(y * Width) + x]);
                    }
                }

                tiles.Add(RiceCodec.Encode(values.ToArray(), 4, 32));
            }
        }

        var header = ImageHeader(32, [Width, Height], tile, "RICE_1");
        var hdu = ReadBack(header, [new TableColumn<byte[]>("COMPRESSED_DATA", tiles) { VariableLength = true }]);

        Assert.Equal(image, (int[])hdu.ReadRaw());
        Assert.Equal(image.Select(v => (double)v), hdu.ReadPhysical());
    }

    [Theory]
    [InlineData(TileCompressionType.Rice1)]
    [InlineData(TileCompressionType.Gzip1)]
    [InlineData(TileCompressionType.Gzip2)]
    public void TileCompressor_output_reads_back_identically(TileCompressionType type)
    {
        short[] pixels = Enumerable.Range(0, 64 * 48).Select(i => (short)((i * 7919) % 30000 - 15000)).ToArray();
        var (header, columns) = TileCompressor.Compress(FitsImage.FromPixels(pixels, 64, 48), type);

        var hdu = ReadBack(header, columns);

        Assert.Equal(16, hdu.BitPix);
        Assert.Equal([64L, 48L], hdu.Axes);
        Assert.Equal(pixels, (short[])hdu.ReadRaw());
    }

    [Fact]
    public void A_corrupt_tile_is_reported_with_its_hdu_and_tile()
    {
        byte[] good = RiceCodec.Encode(Enumerable.Range(0, 16).ToArray(), 4, 32);
        byte[] bad = good[..3];
        var header = ImageHeader(32, [16, 2], [16, 1], "RICE_1");
        var hdu = ReadBack(header, [new TableColumn<byte[]>("COMPRESSED_DATA", [good, bad]) { VariableLength = true }]);

        var e = Assert.Throws<FitsException>(() => hdu.ReadPhysical());

        Assert.Equal(1, e.HduIndex);
        Assert.StartsWith("HDU 1: tile 1: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static Header ImageHeader(int bitPix, long[] axes, long[] tile, string algorithm)
    {
        var header = new Header();
        header.Add("ZIMAGE", true);
        header.Add("ZBITPIX", (long)bitPix);
        header.Add("ZNAXIS", (long)axes.Length);
        for (int i = 0; i < axes.Length; i++)
        {
            header.Add($"ZNAXIS{i + 1}", axes[i]);
        }

        for (int i = 0; i < tile.Length; i++)
        {
            header.Add($"ZTILE{i + 1}", tile[i]);
        }

        header.Add("ZCMPTYPE", algorithm);
        return header;
    }

    private static CompressedImageHdu ReadBack(Header header, IReadOnlyList<TableColumn> columns)
    {
        var stream = new MemoryStream();
        using (var writer = new FitsWriter(stream, new FitsWriterOptions { LeaveOpen = true }))
        {
            writer.WriteImage(FitsImage.Empty);
            writer.WriteTable(columns, header);
        }

        var file = FitsFile.Open(stream.ToArray());
        return Assert.IsType<CompressedImageHdu>(file[1]);
    }
}
