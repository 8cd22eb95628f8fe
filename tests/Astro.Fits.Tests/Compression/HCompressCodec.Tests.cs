using Astro.Fits.Compression.Codecs;

namespace Astro.Fits.Tests.Compression;

public sealed class HCompressCodecTests
{
    public static TheoryData<string> HCompressTiles => CompressionFixtures.Names("HCOMPRESS_1");

    [Theory]
    [MemberData(nameof(HCompressTiles))]
    public void Decode_MatchesCfitsio(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        tile.AssertMatches(tile.DecodeToExpectedBytes());
    }

    [Theory]
    [MemberData(nameof(HCompressTiles))]
    public void Decode64_AgreesWithDecode32(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        if (tile.ZBitpix is not (8 or 16))
        {
            // 32-bit data may need 33 bit planes: only the 64-bit path (which cfitsio uses there) is exact.
            return;
        }

        int[] narrow = new int[tile.PixelCount];
        long[] wide = new long[tile.PixelCount];
        HCompressHeader h32 = HCompressCodec.Decode(tile.Compressed, narrow, tile.Smooth);
        HCompressHeader h64 = HCompressCodec.Decode(tile.Compressed, wide, tile.Smooth);
        Assert.Equal(h32, h64);
        Assert.Equal(tile.Height, h32.Height);
        Assert.Equal(tile.Width, h32.Width);
        Assert.Equal(narrow, wide.Select(v => (int)v));
    }

    [Fact]
    public void Fixtures_CoverLossyScaleAndSmoothing()
    {
        FixtureTile smooth = CompressionFixtures.All.First(t => t.Codec == "HCOMPRESS_1" && t.Smooth);
        FixtureTile plain = CompressionFixtures.Get(smooth.File.Replace("_smooth", string.Empty, StringComparison.Ordinal), smooth.TileIndex);
        Assert.True(HCompressCodec.ReadHeader(smooth.Compressed).Scale > 1);
        Assert.Equal(plain.Compressed, smooth.Compressed);

        // Same stream, different output: the smoothing path is really exercised by the fixtures.
        Assert.NotEqual(plain.DecodeToExpectedBytes(), smooth.DecodeToExpectedBytes());
    }

    [Theory]
    [MemberData(nameof(HCompressTiles))]
    public void Decode_TruncatedTile_ThrowsFitsException(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        int[] values = new int[tile.PixelCount];
        int step = Math.Max(1, tile.Compressed.Length / 40);
        for (int length = 0; length < tile.Compressed.Length; length += step)
        {
            byte[] prefix = tile.Compressed[..length];
            Assert.Throws<FitsException>(() => HCompressCodec.Decode(prefix, values, tile.Smooth));
        }
    }

    [Fact]
    public void Decode_BadMagicOrSize_Throws()
    {
        FixtureTile tile = CompressionFixtures.All.First(t => t.Codec == "HCOMPRESS_1");
        byte[] bad = (byte[])tile.Compressed.Clone();
        bad[0] = 0x12;
        Assert.Contains("magic", Assert.Throws<FitsException>(() => HCompressCodec.Decode(bad, new int[tile.PixelCount], false)).Message);
        Assert.Throws<FitsException>(() => HCompressCodec.Decode(tile.Compressed, new int[tile.PixelCount + 1], false));

        byte[] huge = (byte[])tile.Compressed.Clone();
        huge[2] = 0x7F;   // nx ≈ 2³¹: must be rejected before allocating anything
        Assert.Throws<FitsException>(() => HCompressCodec.Decode(huge, new int[tile.PixelCount], false));
    }

    [Fact]
    public void Decode_GarbageBody_ThrowsFitsExceptionOrDecodes()
    {
        FixtureTile tile = CompressionFixtures.All.First(t => t.Codec == "HCOMPRESS_1" && t.PixelCount < 5000);
        var random = new Random(99);
        int[] values = new int[tile.PixelCount];
        long[] wide = new long[tile.PixelCount];
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] data = new byte[25 + random.Next(0, 400)];
            random.NextBytes(data);
            tile.Compressed.AsSpan(0, 22).CopyTo(data);      // valid magic, size, scale, sum
            data[22 + (trial % 3)] = (byte)random.Next(0, 80); // plane counts, sometimes out of range
            try
            {
                HCompressCodec.Decode(data, values, trial % 2 == 0);
            }
            catch (FitsException)
            {
            }

            try
            {
                HCompressCodec.Decode(data, wide, trial % 2 == 1);
            }
            catch (FitsException)
            {
            }
        }
    }
}
