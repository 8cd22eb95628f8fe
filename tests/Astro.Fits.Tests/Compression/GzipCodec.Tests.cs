using System.IO.Compression;
using Astro.Fits.Compression.Codecs;

namespace Astro.Fits.Tests.Compression;

public sealed class GzipCodecTests
{
    public static TheoryData<string> GzipTiles => CompressionFixtures.Names("GZIP_1", "GZIP_2");

    [Theory]
    [MemberData(nameof(GzipTiles))]
    public void Decode_MatchesCfitsio(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        tile.AssertMatches(tile.DecodeToExpectedBytes());
    }

    [Fact]
    public void Fixtures_CoverShuffledAndLosslessFloats()
    {
        var gzip = CompressionFixtures.All.Where(t => t.Codec.StartsWith("GZIP", StringComparison.Ordinal)).ToList();
        Assert.Contains(gzip, t => t.Codec == "GZIP_2" && t.BytePix == 2);
        Assert.Contains(gzip, t => t.Codec == "GZIP_2" && t.BytePix == 4 && !t.IsRawFloat);
        Assert.Contains(gzip, t => t.Codec == "GZIP_2" && t.IsRawFloat && t.ExpectedType == "f4");
        Assert.Contains(gzip, t => t.Codec == "GZIP_2" && t.IsRawFloat && t.ExpectedType == "f8");
        Assert.Contains(gzip, t => t.Codec == "GZIP_1" && t.BytePix == 1);
        Assert.Contains(gzip, t => t.Codec == "GZIP_1" && t.IsQuantized);
    }

    [Fact]
    public void Decompress_ReportsTheInflatedLength()
    {
        // nom-tam-fits stores this 16-bit image's GZIP tiles as 4-byte integers: the width follows from the size.
        FixtureTile tile = CompressionFixtures.Get("real_m13_gzip", 0);
        byte[] buffer = new byte[tile.PixelCount * 8];
        int inflated = GzipCodec.Decompress(tile.Compressed, buffer, exact: false);
        Assert.Equal(tile.PixelCount * 4, inflated);
        Assert.Throws<FitsException>(() => GzipCodec.Decompress(tile.Compressed, buffer));
        Assert.Throws<FitsException>(() => GzipCodec.Decompress(tile.Compressed, new byte[inflated - 1]));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void EncodeThenDecode_Integers(int bytePix, bool shuffle)
    {
        int[] values = RiceCodecTests.Generate(bytePix, "mixed", 1234, bytePix);
        byte[] encoded = GzipCodec.Encode(values, bytePix, shuffle);
        int[] decoded = new int[values.Length];
        GzipCodec.Decode(encoded, decoded, bytePix, shuffle);
        Assert.Equal(values, decoded);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EncodeThenDecode_Floats(bool shuffle)
    {
        var random = new Random(5);
        float[] singles = Enumerable.Range(0, 999).Select(_ => (float)random.NextDouble() * 1e6f).ToArray();
        singles[3] = float.NaN;
        singles[4] = float.NegativeInfinity;
        double[] doubles = singles.Select(v => (double)v * Math.PI).ToArray();
        long[] longs = doubles.Select(v => BitConverter.DoubleToInt64Bits(v)).ToArray();

        float[] singlesBack = new float[singles.Length];
        GzipCodec.Decode(GzipCodec.Encode(singles, shuffle), singlesBack, shuffle);
        Assert.Equal(FixtureTile.ToBytes<float>(singles), FixtureTile.ToBytes<float>(singlesBack));

        double[] doublesBack = new double[doubles.Length];
        GzipCodec.Decode(GzipCodec.Encode(doubles, shuffle), doublesBack, shuffle);
        Assert.Equal(FixtureTile.ToBytes<double>(doubles), FixtureTile.ToBytes<double>(doublesBack));

        // 64-bit integers share the double layout: encode the bits as doubles, read them back as longs.
        long[] longsBack = new long[longs.Length];
        GzipCodec.Decode(GzipCodec.Encode(doubles, shuffle), longsBack, shuffle);
        Assert.Equal(longs, longsBack);
    }

    [Fact]
    public void Shuffle_GroupsBytesBySignificance()
    {
        byte[] values = [0x11, 0x22, 0x33, 0x44, 0xAA, 0xBB, 0xCC, 0xDD];
        byte[] shuffled = new byte[8];
        GzipCodec.Shuffle(values, shuffled, 4);
        Assert.Equal(new byte[] { 0x11, 0xAA, 0x22, 0xBB, 0x33, 0xCC, 0x44, 0xDD }, shuffled);
        byte[] back = new byte[8];
        GzipCodec.Unshuffle(shuffled, back, 4);
        Assert.Equal(values, back);
    }

    [Fact]
    public void Decode_ZlibStream()
    {
        int[] values = [1, -2, 300000, int.MinValue];
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (int v in values)
            {
                zlib.Write([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
            }
        }

        int[] decoded = new int[4];
        GzipCodec.Decode(output.ToArray(), decoded, 4, shuffled: false);
        Assert.Equal(values, decoded);
    }

    [Theory]
    [MemberData(nameof(GzipTiles))]
    public void Decode_TruncatedOrCorrupt_ThrowsFitsException(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        byte[] buffer = new byte[tile.PixelCount * tile.BytePix];
        int step = Math.Max(1, tile.Compressed.Length / 20);
        for (int length = 0; length < tile.Compressed.Length - 8; length += step)
        {
            byte[] prefix = tile.Compressed[..length];
            Assert.Throws<FitsException>(() => GzipCodec.Decompress(prefix, buffer));
        }

        var random = new Random(tile.TileIndex);
        for (int trial = 0; trial < 20; trial++)
        {
            byte[] corrupt = (byte[])tile.Compressed.Clone();
            random.NextBytes(corrupt.AsSpan(10, Math.Min(8, corrupt.Length - 18)));
            try
            {
                GzipCodec.Decompress(corrupt, buffer);
            }
            catch (FitsException)
            {
            }
        }

        Assert.Throws<FitsException>(() => GzipCodec.Decompress([1, 2, 3, 4], buffer));
    }
}
