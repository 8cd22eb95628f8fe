using Astro.Fits.Compression.Codecs;

namespace Astro.Fits.Tests.Compression;

public sealed class RiceCodecTests
{
    public static TheoryData<string> RiceTiles => CompressionFixtures.Names("RICE_1");

    [Theory]
    [MemberData(nameof(RiceTiles))]
    public void Decode_MatchesCfitsio(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        tile.AssertMatches(tile.DecodeToExpectedBytes());
    }

    [Theory]
    [MemberData(nameof(RiceTiles))]
    public void Encode_ReproducesTheStoredBytes(string name)
    {
        // Every RICE tile in the fixtures (cfitsio/fpack, astropy, nom-tam-fits writers) re-encodes to the same bytes.
        FixtureTile tile = CompressionFixtures.ByName(name);
        int[] values = tile.DecodeIntegers();
        byte[] encoded = RiceCodec.Encode(values, tile.BytePix, tile.BlockSize);
        Assert.Equal(tile.Compressed, encoded);
    }

    [Fact]
    public void Fixtures_CoverEveryPixelWidth()
    {
        var widths = CompressionFixtures.All.Where(t => t.Codec == "RICE_1").Select(t => t.BytePix).ToHashSet();
        Assert.Equal([1, 2, 4], widths.Order());
    }

    public static TheoryData<int, int, string, int, int> RoundTripCases()
    {
        var data = new TheoryData<int, int, string, int, int>();
        foreach (int bytePix in new[] { 1, 2, 4 })
        {
            foreach (string pattern in new[] { "random", "constant", "noise", "mixed", "extremes", "ramp" })
            {
                data.Add(bytePix, 32, pattern, 1000, 1);
                data.Add(bytePix, 16, pattern, 77, 2);
            }

            data.Add(bytePix, 32, "mixed", 1, 3);
            data.Add(bytePix, 32, "noise", 31, 4);
            data.Add(bytePix, 32, "noise", 33, 5);
            data.Add(bytePix, 64, "mixed", 4096, 6);
            data.Add(bytePix, 1, "noise", 50, 7);
            data.Add(bytePix, 2000, "mixed", 5000, 8);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void EncodeThenDecode_RoundTrips(int bytePix, int blockSize, string pattern, int count, int seed)
    {
        int[] values = Generate(bytePix, pattern, count, seed);
        byte[] encoded = RiceCodec.Encode(values, bytePix, blockSize);
        Assert.True(encoded.Length <= RiceCodec.GetMaxEncodedLength(count, bytePix, blockSize));
        int[] decoded = new int[count];
        RiceCodec.Decode(encoded, decoded, bytePix, blockSize);
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void Encode_ConstantTile_UsesLowEntropyBlocks()
    {
        int[] values = Enumerable.Repeat(-7, 320).ToArray();
        byte[] encoded = RiceCodec.Encode(values, 4, 32);

        // 4 raw bytes, then ten 5-bit zero codes = 50 bits = 7 bytes.
        Assert.Equal(4 + 7, encoded.Length);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xF9 }, encoded[..4]);
        Assert.All(encoded[4..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Encode_DestinationTooSmall_Throws()
    {
        int[] values = Generate(4, "random", 100, 11);
        byte[] small = new byte[20];
        Assert.Throws<ArgumentException>(() => RiceCodec.Encode(values, 4, 32, small));
    }

    [Theory]
    [MemberData(nameof(RiceTiles))]
    public void Decode_TruncatedTile_ThrowsFitsException(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        int[] values = new int[tile.PixelCount];
        for (int length = 0; length < tile.Compressed.Length; length += Math.Max(1, tile.Compressed.Length / 50))
        {
            byte[] prefix = tile.Compressed[..length];
            var e = Assert.Throws<FitsException>(() => RiceCodec.Decode(prefix, values, tile.BytePix, tile.BlockSize));
            Assert.StartsWith("RICE_1 tile", e.Message);
        }

        byte[] lastMissing = tile.Compressed[..^1];
        Assert.Throws<FitsException>(() => RiceCodec.Decode(lastMissing, values, tile.BytePix, tile.BlockSize));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Decode_Garbage_ThrowsFitsExceptionOrDecodes(int bytePix)
    {
        var random = new Random(1234 + bytePix);
        int[] values = new int[4096];
        int thrown = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] garbage = new byte[random.Next(0, 600)];
            random.NextBytes(garbage);
            if (trial % 3 == 0)
            {
                garbage.AsSpan(garbage.Length / 2).Clear();   // long runs of zero bits: huge unary codes
            }

            try
            {
                RiceCodec.Decode(garbage, values, bytePix, 32);
            }
            catch (FitsException)
            {
                thrown++;
            }
        }

        Assert.True(thrown > 250);
    }

    [Fact]
    public void Decode_InvalidArguments_Throw()
    {
        int[] values = new int[10];
        Assert.Throws<FitsException>(() => RiceCodec.Decode(new byte[8], values, 3, 32));
        Assert.Throws<FitsException>(() => RiceCodec.Decode(new byte[8], values, 4, 0));
        RiceCodec.Decode([], Span<int>.Empty, 4, 32);
    }

    [Fact]
    public void Decode_InvalidBlockCode_Throws()
    {
        // bytePix 4: first pixel 0, then FS code 30 (> fsMax + 1 = 26).
        byte[] tile = [0, 0, 0, 0, 30 << 3, 0, 0, 0];
        var e = Assert.Throws<FitsException>(() => RiceCodec.Decode(tile, new int[4], 4, 32));
        Assert.Contains("invalid block code", e.Message);
    }

    internal static int[] Generate(int bytePix, string pattern, int count, int seed)
    {
        var random = new Random(seed);
        int min = bytePix switch { 1 => 0, 2 => short.MinValue, _ => int.MinValue };
        long max = bytePix switch { 1 => 255, 2 => short.MaxValue, _ => int.MaxValue };
        int[] values = new int[count];
        int Clamp(long v) => (int)Math.Clamp(v, min, max);
        for (int i = 0; i < count; i++)
        {
            values[i] = pattern switch
            {
                "random" => Clamp(random.NextInt64(min, max + 1)),
                "constant" => Clamp(min / 2 + 3),
                "noise" => Clamp((max / 3) + random.Next(-20, 21)),
                "ramp" => Clamp(min + ((long)i * 37)),
                "extremes" => (i & 1) == 0 ? min : (int)max,
                "mixed" => ((i / 40) % 4) switch
                {
                    0 => Clamp(100),
                    1 => Clamp(random.NextInt64(min, max + 1)),
                    2 => Clamp(100 + random.Next(-3, 4)),
                    _ => Clamp(100 + random.Next(-3000, 3001)),
                },
                _ => throw new ArgumentException(pattern),
            };
        }

        return values;
    }
}
