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
    public void Decode_GarbageOrFlippedBits_ThrowsFitsExceptionOrDecodes()
    {
        FixtureTile tile = CompressionFixtures.All.First(t => t.Codec == "HCOMPRESS_1" && t.PixelCount < 5000);
        var random = new Random(99);
        int[] values = new int[tile.PixelCount];
        long[] wide = new long[tile.PixelCount];
        var garbage = new Outcomes();
        var flipped = new Outcomes();
        for (int trial = 0; trial < 300; trial++)
        {
            // A random body after a valid header (magic, size, scale, sum; plane counts sometimes out of range).
            byte[] data = new byte[25 + random.Next(0, 400)];
            random.NextBytes(data);
            tile.Compressed.AsSpan(0, 22).CopyTo(data);
            data[22 + (trial % 3)] = (byte)random.Next(0, 80);
            garbage.Decode(() => HCompressCodec.Decode(data, values, trial % 2 == 0));
            garbage.Decode(() => HCompressCodec.Decode(data, wide, trial % 2 == 1));

            // The real tile with one to four bits flipped after the header: some still decode (to other values).
            byte[] damaged = (byte[])tile.Compressed.Clone();
            for (int flips = random.Next(1, 5); flips > 0; flips--)
            {
                int bit = random.Next(22 * 8, damaged.Length * 8);
                damaged[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            }

            flipped.Decode(() => HCompressCodec.Decode(damaged, values, tile.Smooth));
            flipped.Decode(() => HCompressCodec.Decode(damaged, wide, tile.Smooth));
        }

        // Any other exception fails the test. A random body is nearly always refused (a quadtree format code must be
        // 0 or 0xF); flipped bits must give both outcomes, or the loop would not test the decoder past its checks.
        Assert.True(garbage.Refused >= 590, $"random bodies: {garbage}");
        Assert.True(flipped.Refused >= 100 && flipped.Decoded >= 100, $"flipped bits: {flipped}");
    }

    /// <summary>Counts the outcomes of decoding damaged tiles: refused with a FitsException, or decoded.</summary>
    private sealed class Outcomes
    {
        public int Refused { get; private set; }

        public int Decoded { get; private set; }

        public void Decode(Action decode)
        {
            try
            {
                decode();
                Decoded++;
            }
            catch (FitsException e)
            {
                Assert.StartsWith("HCOMPRESS_1 tile", e.Message, StringComparison.Ordinal);
                Refused++;
            }
        }

        public override string ToString() => $"{Refused} refused, {Decoded} decoded";
    }
}
