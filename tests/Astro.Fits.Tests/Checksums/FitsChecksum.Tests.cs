using System.Text;
using System.Text.Json;
using Astro.Fits.Checksums;
using Astro.Fits.Hdus;
using Astro.Fits.Tests.Infrastructure;
using Astro.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astro.Fits.Tests.Checksums;

/// <summary>
/// The FITS checksum convention: the 32-bit ones'-complement sum, its ASCII encoding (against vectors
/// computed with astropy, Baselines/Writing/checksum_vectors.json), and verification of real files.
/// </summary>
public class FitsChecksumTests
{
    private static readonly Lazy<Dictionary<string, string>> s_vectors = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(TestPaths.Baseline("Writing", "checksum_vectors.json")))!);

    public static TheoryData<string> VectorSums() => new(s_vectors.Value.Keys);

    [Theory]
    [MemberData(nameof(VectorSums))]
    public void Encode_matches_astropys_char_encode(string sum)
    {
        uint value = uint.Parse(sum, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(s_vectors.Value[sum], FitsChecksum.Encode(value, complement: false));
        Assert.Equal(s_vectors.Value[sum], FitsChecksum.Encode(~value));
    }

    [Fact]
    public void Encoding_avoids_punctuation_and_keeps_the_sum()
    {
        foreach (string encoded in s_vectors.Value.Values)
        {
            Assert.Equal(16, encoded.Length);
            Assert.All(encoded, c => Assert.True(char.IsAsciiDigit(c) || char.IsAsciiLetter(c), $"'{c}' in {encoded}"));
        }
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 1 }, 1u)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1 }, 1u)] // end-around carry: -0 + 1 = 1
    [InlineData(new byte[] { 0x80, 0, 0, 0, 0x80, 0, 0, 0 }, 1u)] // carry out of bit 31 wraps round
    [InlineData(new byte[] { 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0 }, 0xACF13568u)]
    public void Accumulate_is_a_ones_complement_sum(byte[] bytes, uint expected)
    {
        Assert.Equal(expected, FitsChecksum.Accumulate(0, bytes));
    }

    [Fact]
    public void Accumulate_refuses_partial_words()
    {
        Assert.Throws<ArgumentException>(() => FitsChecksum.Accumulate(0, new byte[5]));
    }

    [Property(MaxTest = 300)]
    public Property Sums_of_parts_add_up_and_the_encoded_complement_makes_negative_zero() => Prop.ForAll(
        Gen.Choose(0, int.MaxValue).ToArbitrary(),
        seed =>
        {
            var random = new Random(seed);
            byte[] data = new byte[4 * random.Next(0, 2000)];
            random.NextBytes(data);
            int split = 4 * random.Next(0, (data.Length / 4) + 1);

            uint whole = FitsChecksum.Accumulate(0, data);
            uint parts = FitsChecksum.Add(FitsChecksum.Accumulate(0, data.AsSpan(0, split)), FitsChecksum.Accumulate(0, data.AsSpan(split)));
            Assert.True(whole == parts || (whole | parts) == 0xFFFFFFFF && (whole & parts) == 0, $"{whole:X8} vs {parts:X8}"); // 0 and -0 are equal

            // The convention: the CHECKSUM value (16 '0's, at byte 11 of its card, so 3 past a word boundary) makes
            // the sum S; replaced by Encode(S), the complement, the whole sums to -0.
            uint sum = FitsChecksum.Add(whole, FitsChecksum.Accumulate(0, Field("0000000000000000")));
            uint total = FitsChecksum.Add(whole, FitsChecksum.Accumulate(0, Field(FitsChecksum.Encode(sum))));
            Assert.Equal(0xFFFFFFFFu, total);
            return true;
        });

    private static byte[] Field(string value)
    {
        byte[] words = new byte[20];
        Encoding.ASCII.GetBytes(value).CopyTo(words, 3);
        return words;
    }

    [Theory]
    [InlineData("astropy/io_fits/checksum.fits")]
    [InlineData("nom-tam-fits/fits_test/checksum.fits")]
    [InlineData("nom-tam-fits/image_provided/m13.fits")]
    [InlineData("nom-tam-fits/image_provided/m13real.fits")]
    public void Files_with_good_checksums_verify(string file)
    {
        using FitsFile fits = FitsFile.Open(Path.Combine(ConformanceCorpus.Root, file));

        foreach (Hdu hdu in fits)
        {
            ChecksumVerification result = hdu.VerifyChecksums();
            Assert.Equal(ChecksumStatus.Valid, result.Checksum);
            Assert.True(result.IsValid);
            Assert.NotEqual(ChecksumStatus.Invalid, result.DataSum);
        }
    }

    [Theory]
    [InlineData("astropy/io_fits/checksum_false.fits", new[] { 0, 1 })]
    [InlineData("astropy/io_fits/chandra_time.fits", new[] { 1 })]
    public void Files_with_bad_checksums_are_reported_invalid_where_astropy_says_so(string file, int[] badHdus)
    {
        using FitsFile fits = FitsFile.Open(Path.Combine(ConformanceCorpus.Root, file));

        foreach (Hdu hdu in fits)
        {
            ChecksumVerification result = hdu.VerifyChecksums();
            bool bad = badHdus.Contains(hdu.Index);
            if (bad)
            {
                Assert.Equal(new ChecksumVerification(ChecksumStatus.Invalid, ChecksumStatus.Invalid), result);
            }

            Assert.Equal(!bad, result.IsValid); // a good HDU may have no keywords (Missing) or valid ones
        }
    }

    [Fact]
    public void Hdus_without_checksum_keywords_are_missing_not_invalid()
    {
        byte[] bytes = Writing.WritingFixtures.Write(
            w => w.WriteImage(Fits.Writing.FitsImage.FromPixels(new short[4], 4)),
            new Fits.Writing.FitsWriterOptions { WriteChecksums = false, LeaveOpen = true });
        using FitsFile fits = FitsFile.Open(bytes);

        Assert.Equal(default, fits[0].VerifyChecksums());
        Assert.True(fits[0].VerifyChecksums().IsValid);
    }

    [Fact]
    public void A_flipped_data_byte_invalidates_datasum_and_checksum_of_that_hdu_only()
    {
        byte[] bytes = Writing.WritingFixtures.Write(w =>
        {
            w.WriteImage(Fits.Writing.FitsImage.FromPixels(new short[] { 1, 2, 3, 4 }, 4));
            w.WriteImage(Fits.Writing.FitsImage.FromPixels(new float[] { 1, 2 }, 2));
        });
        using (FitsFile good = FitsFile.Open(bytes))
        {
            bytes[good[0].DataOffset + 1] ^= 0x01;
        }

        using FitsFile fits = FitsFile.Open(bytes);
        Assert.Equal(new ChecksumVerification(ChecksumStatus.Invalid, ChecksumStatus.Invalid), fits[0].VerifyChecksums());
        Assert.Equal(new ChecksumVerification(ChecksumStatus.Valid, ChecksumStatus.Valid), fits[1].VerifyChecksums());
    }
}
