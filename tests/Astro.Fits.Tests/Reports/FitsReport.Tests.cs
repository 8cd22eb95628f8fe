using Astro.Fits.Reports;
using Astro.Fits.Tests.Infrastructure;
using Astro.Fits.Tests.Malformed;
using Astro.Fits.Writing;

namespace Astro.Fits.Tests.Reports;

/// <summary>
/// The reports behind <c>astro fits stats | info | verify</c> on good and bad files: exit code 0 for good input, 1 for
/// bad input with one error line naming the file, never a stack trace.
/// </summary>
public sealed class FitsReportTests : IDisposable
{
    private readonly Writing.WritingFixtures.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string, byte[]> BadFiles() => new()
    {
        { "truncated.fits", MalformedFiles.Hdu(MalformedFiles.Primary(16, 100, 100), dataBytes: 1000, pad: false) },
        { "terabytes.fits", MalformedFiles.Hdu(MalformedFiles.Primary(-64, 1_000_000, 1_000_000), dataBytes: 2880) },
        { "no_end.fits", MalformedFiles.Header(MalformedFiles.Primary(8), end: false) },
        { "not_fits.fits", "GIF89a not a FITS file at all"u8.ToArray() },
        { "empty.fits", [] },
        { "negative_axis.fits", MalformedFiles.Hdu(MalformedFiles.Primary(16, -3)) },
        { "bitpix.fits", MalformedFiles.Hdu(MalformedFiles.Primary(7, 3)) },
    };

    [Fact]
    public void Statistics_of_a_good_file_is_json()
    {
        string path = _directory.File("good.fits");
        File.WriteAllBytes(path, Writing.WritingFixtures.WriteImage(FitsImage.FromPixels(new short[] { 1, 2, 3, 4 }, 2, 2)));

        FitsReportResult result = FitsReport.Run(FitsReportKind.Statistics, path);

        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.Error);
        Assert.StartsWith("{\"hdus\":[", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_is_refused_with_a_fits_exception(string name, byte[] bytes)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, bytes);

        FitsException e = Assert.Throws<FitsException>(() =>
        {
            using FitsFile file = FitsFile.Open(path);
            FitsReport.Statistics(file);
        });

        Assert.Equal(0, e.HduIndex);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Every_report_of_a_bad_file_exits_1_with_one_line_naming_the_file(string name, byte[] bytes)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, bytes);

        bool headersOnlyGood = name is "truncated.fits" or "terabytes.fits";
        foreach (FitsReportKind kind in Enum.GetValues<FitsReportKind>())
        {
            FitsReportResult result = FitsReport.Run(kind, path);
            if (headersOnlyGood && kind == FitsReportKind.Listing)
            {
                // The listing reads headers only: it lists the HDU and warns that the data is cut short.
                Assert.Equal(0, result.ExitCode);
                Assert.Contains("warning: HDU 0: data is truncated", result.Output, StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(1, result.ExitCode);
            Assert.NotNull(result.Error);
            Assert.StartsWith(path + ": ", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', result.Error);
            Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_written_file_passes_every_report_and_a_missing_one_is_one_line()
    {
        string path = _directory.File("written.fits");
        File.WriteAllBytes(path, Writing.WritingFixtures.WriteTable(Writing.SampleFiles.EveryTform(4)));

        Assert.Equal(0, FitsReport.Run(FitsReportKind.Statistics, path).ExitCode);
        Assert.Equal(0, FitsReport.Run(FitsReportKind.Listing, path).ExitCode);
        FitsReportResult verify = FitsReport.Run(FitsReportKind.Checksums, path);
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("HDU 1: DATASUM Valid, CHECKSUM Valid", verify.Output, StringComparison.Ordinal);

        string missingPath = _directory.File("nope.fits");
        FitsReportResult missing = FitsReport.Run(FitsReportKind.Statistics, missingPath);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"{missingPath}: no such file", missing.Error);
    }

    [Fact]
    public void Verify_exits_1_for_a_bad_checksum_without_refusing_the_file()
    {
        FitsReportResult result = FitsReport.Run(FitsReportKind.Checksums, ConformanceCorpus.File("astropy/io_fits/checksum_false.fits"));

        Assert.Equal(1, result.ExitCode);
        Assert.Null(result.Error);
        Assert.Contains("CHECKSUM Invalid", result.Output, StringComparison.Ordinal);
    }
}
