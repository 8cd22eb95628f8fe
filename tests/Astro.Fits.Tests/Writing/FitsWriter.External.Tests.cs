using Astro.Fits.Hdus;

namespace Astro.Fits.Tests.Writing;

/// <summary>Files we write pass fitsverify (cfitsio's verifier) with no warnings or errors, and our own checksum check.</summary>
public class FitsWriterExternalTests
{
    public static TheoryData<string> Samples() => new(SampleFiles.All.Keys);

    [Theory]
    [MemberData(nameof(Samples))]
    public void Fitsverify_reports_no_warnings_or_errors(string name)
    {
        Assert.True(WritingFixtures.FitsVerify is not null, "fitsverify is not installed; ./test.sh installs the Debian package (apt-get install fitsverify).");
        using var directory = new WritingFixtures.TempDirectory();
        string path = directory.File(name);
        File.WriteAllBytes(path, SampleFiles.All[name]());
        if (Environment.GetEnvironmentVariable("ASTRO_FITS_WRITER_SAMPLES") is { Length: > 0 } keep)
        {
            // For a manual cross-check with astropy: Baselines/Writing/check_with_astropy.py reads this folder.
            Directory.CreateDirectory(keep);
            File.Copy(path, Path.Combine(keep, name), overwrite: true);
        }

        (bool ok, string output) = WritingFixtures.RunFitsVerify(path);

        Assert.True(ok, $"fitsverify: {output}");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Samples_read_back_with_valid_checksums_and_whole_blocks(string name)
    {
        byte[] bytes = SampleFiles.All[name]();

        Assert.Equal(0, bytes.Length % 2880);
        using FitsFile file = FitsFile.Open(bytes);
        Assert.Empty(file.Warnings);
        foreach (Hdu hdu in file)
        {
            var result = hdu.VerifyChecksums();
            Assert.True(result.IsValid, $"{name} HDU {hdu.Index}: {result}");
            if (name != "no_checksums.fits")
            {
                Assert.Equal(Astro.Fits.Checksums.ChecksumStatus.Valid, result.Checksum);
                Assert.Equal(Astro.Fits.Checksums.ChecksumStatus.Valid, result.DataSum);
            }
        }
    }

    [Fact]
    public void Unnamed_columns_are_legal_and_draw_only_fitsverifys_advisory_no_name_warning()
    {
        Assert.True(WritingFixtures.FitsVerify is not null, "fitsverify is not installed; ./test.sh installs the Debian package (apt-get install fitsverify).");
        using var directory = new WritingFixtures.TempDirectory();
        string path = directory.File("unnamed.fits");
        File.WriteAllBytes(path, WritingFixtures.WriteTable(new Fits.Writing.TableColumn<int>("A", [1, 2]), new Fits.Writing.TableColumn<int>(null, [3, 4])));

        (bool ok, string output) = WritingFixtures.RunFitsVerify(path);

        // FITS 4.0 makes TTYPEn optional; fitsverify still warns. That warning, and nothing else.
        Assert.False(ok);
        Assert.Contains("1 warnings and 0 errors", output, StringComparison.Ordinal);
        Assert.Contains("Column #2 has no name", output, StringComparison.Ordinal);
    }
}
