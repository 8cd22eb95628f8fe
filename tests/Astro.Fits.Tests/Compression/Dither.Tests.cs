using Astro.Fits.Compression.Quantization;

namespace Astro.Fits.Tests.Compression;

public sealed class DitherTests
{
    [Fact]
    public void RandomTable_MatchesParkMiller()
    {
        float[] table = Dither.GenerateRandoms(out int finalSeed);
        Assert.Equal(Dither.ExpectedFinalSeed, finalSeed);
        Assert.Equal(1043618065, finalSeed);
        Assert.Equal(Dither.RandomCount, table.Length);
        Assert.Equal((float)(16807.0 / 2147483647.0), table[0]);
        Assert.Equal((float)(282475249.0 / 2147483647.0), table[1]);   // 16807²
        Assert.Equal((float)(1043618065.0 / 2147483647.0), table[^1]);
        Assert.True(table.SequenceEqual(Dither.Randoms.ToArray()));
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(0, 42, 41)]
    [InlineData(5, 42, 46)]
    [InlineData(9999, 1, 9999)]
    [InlineData(10000, 1, 0)]
    [InlineData(3, 9999, 1)]
    public void FirstSeedIndex_FollowsCfitsio(long tileIndex, int zdither0, int expected) =>
        Assert.Equal(expected, Dither.FirstSeedIndex(tileIndex, zdither0));

    public static TheoryData<string> QuantizedTiles()
    {
        var data = new TheoryData<string>();
        foreach (FixtureTile tile in CompressionFixtures.All.Where(t => t.IsQuantized))
        {
            data.Add(tile.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QuantizedTiles))]
    public void Unquantize_MatchesCfitsio(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        tile.AssertMatches(tile.DecodeToExpectedBytes());
    }

    [Fact]
    public void Fixtures_CoverEveryDitherMethod()
    {
        var methods = CompressionFixtures.All.Where(t => t.IsQuantized).Select(t => t.Quantize).ToHashSet();
        Assert.Contains("NO_DITHER", methods);
        Assert.Contains("SUBTRACTIVE_DITHER_1", methods);
        Assert.Contains("SUBTRACTIVE_DITHER_2", methods);
        Assert.Contains(CompressionFixtures.All, t => t.IsQuantized && t.PixelCount > Dither.RandomCount);
        Assert.Contains(CompressionFixtures.All, t => t.IsQuantized && t.ExpectedType == "f8");
        Assert.Contains(CompressionFixtures.All, t => t.Codec == "HCOMPRESS_1" && t.IsQuantized);

        // Null pixels checked against funpack, where cfitsio turns ZBLANK into NaN.
        Assert.Contains(CompressionFixtures.All, t => t.IsQuantized && t.Reference == "funpack" && t.ZBlank is not null
            && t.Expected is not null && FixtureTile.FromBytes<float>(t.Expected).Any(float.IsNaN));
    }

    [Fact]
    public void Unquantize_SpecialValues()
    {
        int[] q = [Dither.NullValue, Dither.ZeroValue, 10, Dither.NullValue];
        float[] f = new float[4];
        Dither.Unquantize(q, f, 0.5, 100.0, DitherMethod.SubtractiveDither2, Dither.NullValue, 0, 1);
        Assert.True(float.IsNaN(f[0]));
        Assert.Equal(0.0f, f[1]);
        Assert.False(float.IsNegative(f[1]));
        Assert.Equal((float)(((10.0 - Dither.Randoms[(int)(Dither.Randoms[0] * 500f) + 2]) + 0.5) * 0.5 + 100.0), f[2]);
        Assert.True(float.IsNaN(f[3]));

        // SUBTRACTIVE_DITHER_1 has no zero code: -2147483646 is an ordinary value.
        double[] d = new double[4];
        Dither.Unquantize(q, d, 0.5, 100.0, DitherMethod.SubtractiveDither1, null, 0, 1);
        Assert.NotEqual(0.0, d[1]);
        Assert.False(double.IsNaN(d[0]));

        Dither.Unquantize([3, -3], d.AsSpan(0, 2), 0.25, 1.0, DitherMethod.NoDither, null, 7, 0);
        Assert.Equal([1.75, 0.25], d[..2]);
    }

    [Fact]
    public void Unquantize_AdvancesToTheNextSeedAfterTheLastRandom()
    {
        // Start at seed index 9998: offset (int)(r[9998]·500); after reaching index 9999 of the table, cfitsio moves to
        // seed 9999, and then wraps the seed to 0.
        int count = 25000;
        int[] q = new int[count];
        double[] d = new double[count];
        Dither.Unquantize(q, d, 1.0, 0.0, DitherMethod.SubtractiveDither1, null, 0, 9999);
        ReadOnlySpan<float> r = Dither.Randoms;
        int seed = 9998;
        int next = (int)(r[seed] * 500f);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(0.5 - r[next], d[i]);
            if (++next == Dither.RandomCount)
            {
                seed = (seed + 1) % Dither.RandomCount;
                next = (int)(r[seed] * 500f);
            }
        }
    }

    [Theory]
    [InlineData("NO_DITHER", true, nameof(DitherMethod.NoDither))]
    [InlineData(null, true, nameof(DitherMethod.NoDither))]
    [InlineData("SUBTRACTIVE_DITHER_1", true, nameof(DitherMethod.SubtractiveDither1))]
    [InlineData("SUBTRACTIVE_DITHER_2 ", true, nameof(DitherMethod.SubtractiveDither2))]
    [InlineData("NONE", false, nameof(DitherMethod.NoDither))]
    public void TryParseMethod(string? value, bool ok, string expected)
    {
        Assert.Equal(ok, Dither.TryParseMethod(value, out DitherMethod method));
        Assert.Equal(expected, method.ToString());
    }
}
