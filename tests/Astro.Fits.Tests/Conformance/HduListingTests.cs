using Astro.Fits.Compression;
using Astro.Fits.Hdus;
using Astro.Fits.Reports;
using Astro.Fits.Tables;
using Astro.Fits.Tests.Infrastructure;

namespace Astro.Fits.Tests.Conformance;

/// <summary>
/// The HDU listing (<c>fits info</c>) of every conformance file against MANIFEST.tsv, which lists the
/// HDU classes astropy 5.2 gives each file.
/// </summary>
public class HduListingTests
{
    public static TheoryData<string, string> ManifestFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (string line in File.ReadLines(Path.Combine(ConformanceCorpus.Root, "MANIFEST.tsv")).Skip(1))
        {
            string[] fields = line.Split('\t');
            if (fields.Length > 3 && fields[2] != "-")
            {
                data.Add(fields[0], fields[3]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Hdu_classes_match_astropy(string file, string astropyTypes)
    {
        using FitsFile fits = FitsFile.Open(Path.Combine(ConformanceCorpus.Root, file));
        string[] expected = astropyTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] actual = fits.Select(Classify).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("astropy/io_fits/tb.fits", 2)]
    [InlineData("galsim/Image_comparison_images/test_multiI.fits.fz", 13)]
    public void Info_lists_one_line_per_hdu(string file, int hdus)
    {
        FitsReportResult result = FitsReport.Run(FitsReportKind.Listing, ConformanceCorpus.File(file));
        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.Error);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(hdus, lines.Count(l => char.IsDigit(l.TrimStart().FirstOrDefault())));
        Assert.Contains(lines, l => l.Contains("PRIMARY", StringComparison.Ordinal));
    }

    private static string Classify(Hdu hdu) => hdu switch
    {
        RandomGroupsHdu => "Groups",
        CompressedImageHdu => "CompImage",
        ImageHdu => hdu.Index == 0 ? "Primary" : "Image",
        BinaryTableHdu => "BinTable",
        AsciiTableHdu => "Table",
        _ => hdu.Index == 0 ? "_Nonstandard" : "NonstandardExt",
    };
}
