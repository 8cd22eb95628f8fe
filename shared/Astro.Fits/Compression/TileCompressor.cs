using Astro.Fits.Compression.Codecs;
using Astro.Fits.Headers;
using Astro.Fits.Writing;

namespace Astro.Fits.Compression;

/// <summary>
/// Lossless tile compression of integer images for writing: the binary-table columns and Z keywords
/// of the tiled-image convention, one tile per image row (the layout fpack uses), ready for
/// <see cref="FitsWriter.WriteTable(IReadOnlyList{TableColumn}, Header?, CancellationToken)"/>.
/// </summary>
/// <example>
/// <code>
/// var (header, columns) = TileCompressor.Compress(FitsImage.FromPixels(pixels, width, height));
/// writer.WriteImage(FitsImage.Empty);   // a compressed image lives in an extension
/// writer.WriteTable(columns, header);
/// </code>
/// </example>
public static class TileCompressor
{
    /// <summary>Compresses an 8-, 16- or 32-bit integer image with RICE_1, GZIP_1 or GZIP_2.</summary>
    /// <param name="image">The image; its BSCALE/BZERO/BLANK are carried into the header.</param>
    /// <param name="type">The algorithm.</param>
    /// <param name="blockSize">RICE_1 block size.</param>
    /// <exception cref="ArgumentException">The image is not an 8-, 16- or 32-bit integer image with data, or the algorithm is not one of the three.</exception>
    public static (Header Header, IReadOnlyList<TableColumn> Columns) Compress(FitsImage image, TileCompressionType type = TileCompressionType.Rice1, int blockSize = 32)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (type is not (TileCompressionType.Rice1 or TileCompressionType.Gzip1 or TileCompressionType.Gzip2))
        {
            throw new ArgumentException("Only RICE_1, GZIP_1 and GZIP_2 are written.", nameof(type));
        }

        int[] values = image.Pixels switch
        {
            byte[] b => Array.ConvertAll(b, v => (int)v),
            short[] s => Array.ConvertAll(s, v => (int)v),
            int[] i => i,
            _ => throw new ArgumentException("Tile compression is written for 8-, 16- and 32-bit integer images (byte[], short[], int[]).", nameof(image)),
        };

        int bytePix = Math.Abs(image.BitPix) / 8;
        long width = image.Axes[0];
        long rows = image.PixelCount / Math.Max(1, width);
        var tiles = new byte[rows][];
        for (long r = 0; r < rows; r++)
        {
            ReadOnlySpan<int> tile = values.AsSpan((int)(r * width), (int)width);
            tiles[r] = type == TileCompressionType.Rice1
                ? RiceCodec.Encode(tile, bytePix, blockSize)
                : GzipCodec.Encode(tile, bytePix, shuffle: type == TileCompressionType.Gzip2);
        }

        var header = new Header();
        header.Add("ZIMAGE", true, "extension contains a compressed image");
        header.Add("ZBITPIX", (long)image.BitPix, "data type of the original image");
        header.Add("ZNAXIS", (long)image.Axes.Count, "dimension of the original image");
        for (int i = 0; i < image.Axes.Count; i++)
        {
            header.Add($"ZNAXIS{i + 1}", image.Axes[i], "length of original image axis");
        }

        for (int i = 0; i < image.Axes.Count; i++)
        {
            header.Add($"ZTILE{i + 1}", i == 0 ? width : 1L, "size of tiles to be compressed");
        }

        header.Add("ZCMPTYPE", type switch { TileCompressionType.Rice1 => "RICE_1", TileCompressionType.Gzip1 => "GZIP_1", _ => "GZIP_2" }, "compression algorithm");
        if (type == TileCompressionType.Rice1)
        {
            header.Add("ZNAME1", "BLOCKSIZE", "compression block size");
            header.Add("ZVAL1", (long)blockSize, "pixels per block");
            header.Add("ZNAME2", "BYTEPIX", "bytes per pixel (1, 2, 4, or 8)");
            header.Add("ZVAL2", (long)bytePix, "bytes per pixel (1, 2, 4, or 8)");
        }

        if (image.Scale != 1.0)
        {
            header.Add("BSCALE", image.Scale);
        }

        if (image.Zero != 0.0)
        {
            header.Add("BZERO", image.Zero);
        }

        if (image.Blank is long blank)
        {
            header.Add("BLANK", blank);
        }

        return (header, [new TableColumn<byte[]>("COMPRESSED_DATA", tiles) { VariableLength = true }]);
    }
}
