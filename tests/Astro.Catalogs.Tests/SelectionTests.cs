using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;

namespace Astro.Catalogs.Tests;

public class SelectionTests
{
    [Fact]
    public void DefaultsArePaper000()
    {
        var o = new SelectionOptions();
        Assert.Equal(0.0, o.MinRedshiftExclusive);
        Assert.Equal(0.5, o.MaxRedshift);
        Assert.Equal(9.0, o.MinLog10StellarMass);
        Assert.Equal("logMstar", o.StellarMassLabel);
        Assert.Equal(3.0, o.MinSignalToNoise);
        Assert.Equal(6, o.MinHighSnrBands);
        Assert.True(o.DropNegativeFlux);
        Assert.Equal(MissingBandPolicy.Drop, o.MissingBandPolicy);
        Assert.Equal(SentinelHandling.TreatAsMissing, o.SentinelHandling);
        var r = new CatalogReaderOptions();
        Assert.Equal(CatalogDefaults.ChunkRows, r.ChunkRows);
        Assert.Equal(MalformedRowHandling.DropAndCount, r.MalformedRowHandling);
    }

    [Fact]
    public void Paper000SelectionOnDustPedia()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("dustpedia.json"));
        var reader = new CatalogReader(p, new CatalogReaderOptions { ChunkRows = 200 });
        var pre = new CatalogPreprocessor(p);
        using CatalogReadSession session = reader.Open(TestPaths.Data("dustpedia-cigale", "DustPedia_Aperture_Photometry_2.2.csv"));
        var kept = new List<PreprocessedChunk>();
        foreach (CatalogChunk chunk in session.ReadChunks())
        {
            kept.Add(pre.Process(chunk));
        }

        // Expected counts and first row from an independent implementation of the same cuts in the same order with
        // Python's csv module: Baselines/selection_dustpedia.py wrote Baselines/selection_dustpedia.json.
        using JsonDocument baseline = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Baselines", "selection_dustpedia.json")));
        JsonElement expected = baseline.RootElement;
        SelectionReport r = pre.Report;
        Assert.Equal(expected.GetProperty("rowsIn").GetInt64(), r.RowsIn);
        Assert.Equal(expected.GetProperty("rowsKept").GetInt64(), r.RowsKept);
        foreach (JsonProperty reason in expected.GetProperty("droppedByReason").EnumerateObject())
        {
            Assert.True(reason.Value.GetInt64() == r.DroppedByReason[reason.Name], $"{reason.Name}: python {reason.Value}, ours {r.DroppedByReason[reason.Name]}");
        }

        Assert.Equal(r.RowsIn, r.RowsKept + r.RowsDropped);
        foreach (JsonProperty band in expected.GetProperty("missingByBand").EnumerateObject())
        {
            Assert.True(band.Value.GetInt64() == r.MissingByBand.GetValueOrDefault(band.Name), $"band {band.Name} missing: python {band.Value}, ours {r.MissingByBand.GetValueOrDefault(band.Name)}");
        }

        JsonElement firstKept = expected.GetProperty("firstKept");
        PreprocessedChunk first = kept.First(k => k.RowCount > 0);
        Assert.Equal(firstKept.GetProperty("id").GetString(), first.Ids[0]);
        Assert.Equal(20, first.FeatureNames.Count);
        Assert.Equal("z", first.FeatureNames[^1]);
        Assert.Equal((float)firstKept.GetProperty("fuvMicroJansky").GetDouble(), first.Features[0]);
        Assert.Equal((float)firstKept.GetProperty("z").GetDouble(), first.Features[19]);
        Assert.Equal((float)firstKept.GetProperty("logMstar").GetDouble(), first.Labels[0]);
        Assert.Equal(expected.GetProperty("rowsKept").GetInt64(), kept.Sum(k => k.RowCount));

        string json = r.ToJson();
        Assert.Contains("\"rowsIn\": 875", json, StringComparison.Ordinal);
        Assert.Contains("\"negativeFlux\": 110", json, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepAndFlagKeepsMissingBandsWithMask()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("dustpedia.json"));
        (CatalogChunk rows, _) = new CatalogReader(p).ReadAll(TestPaths.Data("dustpedia-cigale", "DustPedia_Aperture_Photometry_2.2.csv"));
        var pre = new CatalogPreprocessor(p, new SelectionOptions { MissingBandPolicy = MissingBandPolicy.KeepAndFlag, MissingFillValue = -1f });
        PreprocessedChunk result = pre.Process(rows);
        Assert.Equal(0, result.Report.DroppedByReason["missingFlux"]);
        Assert.True(result.Report.RowsKeptWithMissingBands > 0);
        Assert.Equal(result.Report.RowsIn, result.Report.RowsKept + result.Report.RowsDropped);
        int flagged = Array.IndexOf(result.Status.Where(s => s is RowStatus.Kept or RowStatus.KeptWithMissingBands).ToArray(), RowStatus.KeptWithMissingBands);
        Assert.Contains((byte)0, result.BandMask.AsSpan(flagged * 19, 19).ToArray());
        for (int b = 0; b < 19; b++)
        {
            if (result.BandMask[(flagged * 19) + b] == 0)
            {
                Assert.Equal(-1f, result.Features[(flagged * 20) + b]);
            }
        }
    }

    [Fact]
    public void Paper001ClippingOnAlhambra()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("alhambra.json"));
        (CatalogChunk rows, _) = new CatalogReader(p).ReadAll(TestPaths.Data("alhambra-cosmos-match", "match_alh2.csv"));
        var pre = new CatalogPreprocessor(p, SelectionOptions.CreatePaper001());
        PreprocessedChunk result = pre.Process(rows);

        // python: 17 rows have a blank magnitude (not observed) -> dropped; the 846 '<' limits become 27 (not detected).
        Assert.Equal(817, result.Report.RowsIn);
        Assert.Equal(17, result.Report.DroppedByReason["missingFlux"]);
        Assert.Equal(800, result.RowCount);
        Assert.All(result.Features, f => Assert.InRange(f, 0f, 27f));

        // python: line 25 (ID 81421203830) is the first complete row with l_F365W = '<' (F365W = 25.41) -> 27.
        int i = Array.IndexOf(result.Ids, "81421203830");
        Assert.True(i >= 0);
        Assert.Equal(27f, result.Features[i * 24]);
        Assert.Equal(20.568f, result.Features[0]);
    }

    [Fact]
    public void SentinelsSaturatedAndNotDetected()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("alhambra.json"));
        string[] names = [.. p.GetRequiredNumericColumns()];
        var cols = names.Select(_ => new[] { 20.0, 20.0, 20.0 }).ToArray();
        cols[Array.IndexOf(names, "F365W")][0] = -99;
        cols[Array.IndexOf(names, "F365W")][1] = 99;
        cols[Array.IndexOf(names, "F396W")][2] = 28.5;
        string[] textNames = [.. p.GetRequiredTextColumns()];
        var text = textNames.Select(_ => new[] { " ", " ", " " }).ToArray();
        CatalogChunk chunk = CatalogModelFactory.CatalogChunk(3, names, cols, textNames, text, ["a", "b", "c"]);

        PreprocessedChunk clipped = new CatalogPreprocessor(p, SelectionOptions.CreatePaper001()).Process(chunk);
        Assert.Equal(3, clipped.RowCount);
        Assert.Equal(0f, clipped.Features[0]);
        Assert.Equal(27f, clipped.Features[24]);
        Assert.Equal(27f, clipped.Features[(2 * 24) + 1]);

        var missing = SelectionOptions.CreatePaper001();
        missing.SentinelHandling = SentinelHandling.TreatAsMissing;
        PreprocessedChunk dropped = new CatalogPreprocessor(p, missing).Process(chunk);
        Assert.Equal([RowStatus.MissingFlux, RowStatus.MissingFlux, RowStatus.Kept], dropped.Status);
    }

    [Fact]
    public void OptionsThatDoNotFitTheProfileListEveryProblem()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("sdss-dr14-star-galaxy-qso.json"));
        CatalogException ex = Assert.Throws<CatalogException>(() => new CatalogPreprocessor(p, new SelectionOptions { MaxRedshift = -1 }));
        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains("MinRedshiftExclusive (0) must be below MaxRedshift (-1)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has no label 'logMstar'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MinHighSnrBands (6) exceeds the 0 bands", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SdssAsinhMagnitudesAndClasses()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("sdss-dr14-star-galaxy-qso.json"));
        (CatalogChunk rows, _) = new CatalogReader(p).ReadAll(TestPaths.Data("sdss-dr14-star-galaxy-qso", "Skyserver_SQL2_27_2018_6_51_39_PM.csv"));
        var o = SelectionOptions.CreateNoCuts();
        o.DropRowsWithMissingLabels = true;
        PreprocessedChunk result = new CatalogPreprocessor(p, o).Process(rows);
        // Quirk (python: sinh of the asinh magnitudes): line 6523 has i = 28.17963 and line 9086 z = 22.83306, both
        // fainter than the zero-flux asinh magnitude, i.e. negative flux: no AB magnitude exists, so the band is missing.
        Assert.Equal(9998, result.RowCount);
        Assert.Equal(2, result.Report.DroppedByReason["missingFlux"]);
        Assert.Equal([6523L, 9086L], rows.LineNumbers.Where((_, k) => result.Status[k] == RowStatus.MissingFlux));
        Assert.Equal(4997, result.ClassIndices!.Count(c => c == 0)); // 4998 galaxies minus the one at line 9086
        Assert.Equal(850, result.ClassIndices!.Count(c => c == 2));

        // Bright sources: asinh and Pogson magnitudes agree to < 1e-6 mag at u = 19.47.
        Assert.Equal(19.47406, result.Features[0], 4);
    }

    [Fact]
    public void UnitConversions()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("gama-pdr.json"));
        BandDefinition jy = p.Bands[0];
        Assert.Equal(1e6, Photometry.ToMicroJansky(1, jy));
        Assert.Equal(23.9, Photometry.MicroJanskyToABMagnitude(1), 3);
        Assert.Equal(3631e6, Photometry.ABMagnitudeToMicroJansky(0), 0);
        Assert.Equal(1, Photometry.ABMagnitudeToMicroJansky(Photometry.ABMagnitudeOfOneMicroJansky), 12);
    }
}
