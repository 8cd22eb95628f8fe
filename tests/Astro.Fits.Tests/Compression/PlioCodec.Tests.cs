using Astro.Fits.Compression.Codecs;

namespace Astro.Fits.Tests.Compression;

public sealed class PlioCodecTests
{
    public static TheoryData<string> PlioTiles => CompressionFixtures.Names("PLIO_1");

    [Theory]
    [MemberData(nameof(PlioTiles))]
    public void Decode_MatchesCfitsio(string name)
    {
        FixtureTile tile = CompressionFixtures.ByName(name);
        tile.AssertMatches(tile.DecodeToExpectedBytes());
    }

    [Fact]
    public void Decode_HandWrittenLineList()
    {
        // Old-style header (length in word 3), then: 3 zeros; set high value 5000 (opcode 1: 4096*1 + (5000 & 4095),
        // next word 5000 >> 12); run of 2 high values; add 7 and emit one (opcode 6); zeros ending in a high value (opcode 5, 3).
        short[] list =
        [
            0, 0, 11,
            3,
            (short)(4096 + (5000 & 4095)), 5000 >> 12,
            4 * 4096 + 2,
            6 * 4096 + 7,
            5 * 4096 + 3,
            2 * 4096 + 1,
            7 * 4096 + 4,
        ];
        int[] pixels = new int[14];
        PlioCodec.Decode(list, pixels);
        Assert.Equal([0, 0, 0, 5000, 5000, 5007, 0, 0, 5007, 5004, 0, 0, 0, 0], pixels);
    }

    [Fact]
    public void Decode_TruncatedOrMalformed_Throws()
    {
        FixtureTile tile = CompressionFixtures.All.First(t => t.Codec == "PLIO_1" && t.Compressed.Length > 40);
        short[] words = PlioCodec.ReadWords(tile.Compressed);
        int[] pixels = new int[tile.PixelCount];
        for (int length = 0; length < words.Length; length++)
        {
            short[] prefix = words[..length];
            Assert.Throws<FitsException>(() => PlioCodec.Decode(prefix, pixels));
        }

        Assert.Throws<FitsException>(() => PlioCodec.ReadWords(new byte[3]));
    }

    [Fact]
    public void Decode_Garbage_NeverThrowsAnythingElse()
    {
        var random = new Random(7);
        int[] pixels = new int[1000];
        int thrown = 0;
        int decoded = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            short[] words = new short[random.Next(0, 60)];
            for (int i = 0; i < words.Length; i++)
            {
                words[i] = (short)random.Next(short.MinValue, short.MaxValue + 1);
            }

            if (words.Length > 5 && trial % 2 == 0)
            {
                words[2] = (short)words.Length;   // plausible header
            }

            try
            {
                PlioCodec.Decode(words, pixels);
                decoded++;
            }
            catch (FitsException e)
            {
                Assert.StartsWith("PLIO_1 line list", e.Message, StringComparison.Ordinal);
                thrown++;
            }
        }

        // Any other exception fails the test; both outcomes must occur, or the loop tests nothing.
        Assert.True(thrown >= 700 && decoded >= 1000, $"{thrown} refused, {decoded} decoded");
    }
}
