using System.IO.Compression;
using System.Text.Json;
using Astro.Catalogs;
using Astro.Catalogs.Fits;
using Astro.Catalogs.Models;

namespace Astro.Inference.Tests;

public sealed class FitsCatalogSourceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadsBossTable_LikeAstropy(bool gzipped)
    {
        string path = TestPackages.BossData("fits", "boss_dr10_0.fits.gz");
        if (!gzipped)
        {
            string plain = Path.Combine(TestPackages.NewTempDir(), "boss_dr10_0.fits");
            using (var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
            using (FileStream output = File.Create(plain))
            {
                input.CopyTo(output);
            }

            path = plain;
        }

        using JsonDocument baseline = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Baselines", "boss_dr10_0.fits.json")));
        JsonElement b = baseline.RootElement;
        using ICatalogSource source = FitsCatalogSource.TryOpen(path) ?? throw new InvalidOperationException("not recognised as FITS");
        Assert.Equal(b.GetProperty("columns").EnumerateArray().Select(c => c.GetString()), source.ColumnNames);
        var report = CatalogModelFactoryReport(path);
        string[] wanted = ["MAG_U", "MAG_Z", "Z"];
        var chunks = source.ReadChunks(wanted, [], 1000, report, CancellationToken.None).ToList();

        Assert.Equal(5, chunks.Count);
        Assert.Equal(b.GetProperty("rows").GetInt32(), chunks.Sum(c => c.RowCount));
        Assert.Equal(4999, report.RowsRead);
        Assert.Equal(4000, chunks[^1].FirstRowIndex);
        Assert.Equal(4001, chunks[^1].LineNumbers[0]);
        foreach (string c in wanted)
        {
            double[] all = [.. chunks.SelectMany(ch => ch.GetColumn(c))];
            double[] first = [.. b.GetProperty("first").GetProperty(c).EnumerateArray().Select(e => e.GetDouble())];
            Assert.Equal(first, all[..3]);
            Assert.Equal(b.GetProperty("last").GetProperty(c).GetDouble(), all[^1]);
            Assert.Equal(b.GetProperty("sum").GetProperty(c).GetDouble(), all.Sum(), 1e-6);
        }

        Assert.Equal(1, chunks[0].LineNumbers[0]);
    }

    [Fact]
    public void MissingColumn_IsCatalogErrorNamingFileAndColumn()
    {
        string path = TestPackages.BossData("fits", "boss_dr10_0.fits.gz");
        var reader = new CatalogReader(SurveyProfile.Parse("""
            { "formatVersion": 1, "name": "t", "description": "t", "bands": [ { "name": "u", "column": "MAG_Q", "unit": "ABmag" } ],
              "model": { "representation": "abMagnitude" } }
            """), new CatalogReaderOptions { SourceFactory = FitsCatalogSource.TryOpen });

        var e = Assert.Throws<CatalogException>(() => reader.Open(path));

        Assert.Contains("MAG_Q", e.Message);
        Assert.Contains("boss_dr10_0.fits.gz", e.Message);
    }

    [Fact]
    public void TextFile_IsNotFits()
    {
        Assert.Null(FitsCatalogSource.TryOpen(TestPackages.BossData("eval", "boss_dr10_eval1.csv")));
    }

    private static CatalogReadReport CatalogModelFactoryReport(string path)
    {
        // CatalogReadReport has no public constructor: take one from a read session of the same file.
        var reader = new CatalogReader(SurveyProfile.Parse("""
            { "formatVersion": 1, "name": "t", "description": "t", "bands": [ { "name": "u", "column": "MAG_U", "unit": "ABmag" } ],
              "model": { "representation": "abMagnitude" } }
            """), new CatalogReaderOptions { SourceFactory = FitsCatalogSource.TryOpen });
        using CatalogReadSession session = reader.Open(path);
        return session.Report;
    }
}
