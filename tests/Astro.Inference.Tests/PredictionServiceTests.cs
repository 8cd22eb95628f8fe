using System.Globalization;
using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Inference.Models;
using Astro.Inference.Output;
using Astro.Inference.Packaging;

namespace Astro.Inference.Tests;

public sealed class PredictionServiceTests
{
    private const int Rows = 40;

    [Fact]
    public void Csv_DropPolicy_EveryRowOut_ValuesMatchHandComputation()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        double[] slope = [0.02, 0.95, 0.1];
        TestPackages.WriteLinear(pkg, slope: slope);
        string catalog = Path.Combine(dir, "in.csv");
        List<double[]> mags = TestPackages.WriteBossCsv(catalog, Rows, (3, 1), (17, 4));
        string output = Path.Combine(dir, "out.csv");

        PredictionRunSummary summary = Predict(pkg, catalog, output);

        Assert.Equal(Rows, summary.RowsWritten);
        Assert.Equal(2, summary.RowsNotPredicted);
        Assert.Equal(2, summary.Selection.DroppedByReason["missingFlux"]);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal("row,id,model,version,target,unit,prediction,uncertainty,class,probability,probabilities,flags,reason,input,etag", lines[0]);
        Assert.Equal(Rows + 1, lines.Length);
        for (int r = 0; r < Rows; r++)
        {
            string[] f = lines[r + 1].Split(',');
            Assert.Equal(15, f.Length);
            Assert.Equal(r.ToString(CultureInfo.InvariantCulture), f[0]);
            Assert.Equal(r.ToString(CultureInfo.InvariantCulture), f[1]); // no ID column: the 0-based data-row index
            Assert.Equal("boss-photoz-linear", f[2]);
            Assert.Equal("20260101.120000", f[3]);
            Assert.Equal(catalog, f[13]);
            if (r is 3 or 17)
            {
                Assert.Equal(("", "", "4", "missingFlux"), (f[6], f[7], f[11], f[12]));
                continue;
            }

            (double mean, double lv) = TestPackages.Linear(mags[r]);
            double corrected = slope[0] + (slope[1] * mean) + (slope[2] * mean * mean);
            double sigma = Math.Sqrt(Math.Exp(lv)) * 1.5 * Math.Abs(slope[1] + (2 * slope[2] * mean));
            Assert.Equal(corrected, double.Parse(f[6], CultureInfo.InvariantCulture), 2e-5);
            Assert.Equal(sigma, double.Parse(f[7], CultureInfo.InvariantCulture), 2e-5);
            Assert.Equal(("", "", "", "0", ""), (f[8], f[9], f[10], f[11], f[12]));
        }
    }

    [Fact]
    public void NoIdColumn_IdsAreTheDataRowIndex_CommentsAndBlankLinesNotCounted()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        TestPackages.WriteLinear(pkg);
        string source = Path.Combine(dir, "source.csv");
        TestPackages.WriteBossCsv(source, 6);
        string[] lines = File.ReadAllLines(source);
        string catalog = Path.Combine(dir, "in.csv");
        File.WriteAllLines(catalog, [lines[0], lines[1], "# a comment between rows", lines[2], "", lines[3], lines[4], "#", lines[5], lines[6]]);
        string output = Path.Combine(dir, "out.csv");

        Predict(pkg, catalog, output);

        string[] ids = [.. File.ReadAllLines(output).Skip(1).Select(l => l.Split(',')[1])];
        Assert.Equal(["0", "1", "2", "3", "4", "5"], ids);
    }

    [Fact]
    public void KeepAndFlag_MaskInputs_FillsMissingBandsAndFlagsThem()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        TestPackages.WriteLinear(pkg, masks: true, fill: 24f);
        string catalog = Path.Combine(dir, "in.csv");
        List<double[]> mags = TestPackages.WriteBossCsv(catalog, Rows, (5, 0), (5, 2), (30, 4));
        var service = new PredictionService(ModelPackage.Load(pkg));

        PredictionBatch batch = PredictAll(service, catalog);

        Assert.Equal(Rows, batch.RowCount);
        for (int r = 0; r < Rows; r++)
        {
            bool[] measured = [.. mags[r].Select(double.IsFinite)];
            bool missing = measured.Contains(false);
            Assert.Equal(missing ? PredictionFlags.MissingBands : PredictionFlags.None, batch.Flags[r]);
            Assert.Equal(missing ? RowStatus.KeptWithMissingBands : RowStatus.Kept, batch.Status[r]);
            (double mean, double lv) = TestPackages.Linear(mags[r], measured, masks: true, fill: 24f);
            Assert.Equal(mean, batch.Values[r], 2e-5);
            Assert.Equal(Math.Sqrt(Math.Exp(lv)) * 1.5, batch.Sigmas[r], 2e-5);
        }
    }

    [Fact]
    public void Fits_Output_ReadsBackWithAstroFits()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        TestPackages.WriteLinear(pkg);
        string catalog = Path.Combine(dir, "in.csv");
        TestPackages.WriteBossCsv(catalog, Rows, (7, 3));
        var package = ModelPackage.Load(pkg);
        PredictionBatch expected = PredictAll(new PredictionService(package), catalog);
        string output = Path.Combine(dir, "out.fits");

        Predict(pkg, catalog, output);

        using FitsFile file = FitsFile.Open(output);
        var table = Assert.IsType<BinaryTableHdu>(file[1]);
        Assert.Equal(Rows, table.RowCount);
        Assert.Equal("PREDICTIONS", table.Name);
        Assert.Equal("boss-photoz-linear", table.Header.GetString("MODEL"));
        Assert.Equal("20260101.120000", table.Header.GetString("MODELVER"));
        Assert.Equal("in.csv", table.Header.GetString("INPUT"));
        Assert.Equal(["ID", "PREDICTION", "UNCERTAINTY", "FLAGS", "REASON", "MODEL", "VERSION"], table.Columns.Select(c => c.Name));
        double[] values = table.ReadColumnAsDouble("PREDICTION");
        double[] sigmas = table.ReadColumnAsDouble("UNCERTAINTY");
        double[] flags = table.ReadColumnAsDouble("FLAGS");
        string[] ids = table.ReadStrings("ID");
        string[] reasons = table.ReadStrings("REASON");
        string[] models = table.ReadStrings("MODEL");
        for (int r = 0; r < Rows; r++)
        {
            Assert.Equal(expected.Ids[r], ids[r]);
            Assert.Equal(expected.Values[r], (float)values[r]); // NaN equals NaN here
            Assert.Equal(expected.Sigmas[r], (float)sigmas[r]);
            Assert.Equal((double)(short)expected.Flags[r], flags[r]);
            Assert.Equal(r == 7 ? "missingFlux" : "", reasons[r]);
            Assert.Equal("boss-photoz-linear", models[r]);
        }

        Assert.Empty(file.Warnings);
        Assert.Equal(0, new FileInfo(output).Length % 2880);
    }

    [Fact]
    public void FitsCatalog_Input_GivesSamePredictionsAsCsv()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        TestPackages.WriteLinear(pkg);
        var service = new PredictionService(ModelPackage.Load(pkg));
        string fits = TestPackages.BossData("fits", "boss_dr10_0.fits.gz");
        string output = Path.Combine(dir, "out.csv");

        PredictionRunSummary summary;
        using (PredictionWriter writer = PredictionWriter.Create(output, PredictionOutputInfo.FromPackage(service.Package, fits)))
        {
            summary = service.PredictCatalog(fits, writer);
        }

        Assert.Equal(4999, summary.RowsWritten);
        string[] first = File.ReadAllLines(output)[1].Split(',');
        // First row per astropy (Baselines/boss_dr10_0.fits.json): MAG_U 22.04064, …; recompute with the FITS values.
        double[] row0 = [22.04064, 21.732601, 21.450975, 21.168568, 21.205776];
        (double mean, _) = TestPackages.Linear(row0);
        Assert.Equal("0", first[1]); // no ID column: the 0-based row index
        Assert.Equal(mean, double.Parse(first[6], CultureInfo.InvariantCulture), 2e-5);
    }

    [Fact]
    public void OutOfDistribution_FlagsRowsBeyondThreshold_WithHandDistance()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        // Diagonal precision 1/4 on the standardised inputs, centre 0: d = Σ s² / 4.
        double[] precision = new double[25];
        for (int i = 0; i < 5; i++)
        {
            precision[(i * 5) + i] = 0.25;
        }

        TestPackages.WriteLinear(pkg, ood: new OutOfDistributionInfo(new double[5], precision, 1.0, 0.999));
        string catalog = Path.Combine(dir, "in.csv");
        List<double[]> mags = TestPackages.WriteBossCsv(catalog, Rows);
        PredictionBatch batch = PredictAll(new PredictionService(ModelPackage.Load(pkg)), catalog);

        int flagged = 0;
        for (int r = 0; r < Rows; r++)
        {
            double d = Enumerable.Range(0, 5).Sum(i => Math.Pow(((float)mags[r][i] - TestPackages.Mean[i]) / TestPackages.Std[i], 2)) / 4;
            Assert.Equal(d, batch.OutOfDistributionScores![r], 1e-4);
            bool ood = d > 1.0;
            flagged += ood ? 1 : 0;
            Assert.Equal(ood, (batch.Flags[r] & PredictionFlags.OutOfDistribution) != 0);
        }

        Assert.InRange(flagged, 1, Rows - 1); // the test means something: some rows in, some out
    }

    [Fact]
    public void Classification_ProbabilitiesArgmaxAndCsvColumns()
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        TestPackages.WriteClassifier(pkg);
        string catalog = Path.Combine(dir, "in.csv");
        List<double[]> mags = TestPackages.WriteBossCsv(catalog, Rows, (2, 2));
        string output = Path.Combine(dir, "out.csv");

        Predict(pkg, catalog, output);

        string[] lines = File.ReadAllLines(output);
        Assert.Equal(PredictionCsv.Header, lines[0]);
        var seen = new HashSet<string>();
        for (int r = 0; r < Rows; r++)
        {
            string[] f = lines[r + 1].Split(',');
            Assert.Equal(15, f.Length);
            if (r == 2)
            {
                Assert.Equal(("", "", "", "", "4", "missingFlux"), (f[6], f[8], f[9], f[10], f[11], f[12]));
                continue;
            }

            double[] logits = [.. TestPackages.ClassBias.Select(b => (double)b)];
            for (int i = 0; i < 5; i++)
            {
                double s = ((float)mags[r][i] - TestPackages.Mean[i]) / TestPackages.Std[i];
                for (int c = 0; c < 3; c++)
                {
                    logits[c] += TestPackages.ClassWeights[(i * 3) + c] * s;
                }
            }

            double[] e = [.. logits.Select(Math.Exp)];
            double[] p = [.. e.Select(v => v / e.Sum())];
            int best = Array.IndexOf(p, p.Max());
            Assert.Equal("", f[6]); // no regression value for a class
            Assert.Equal(TestPackages.ClassNames[best], f[8]);
            seen.Add(f[8]);
            Assert.Equal(p.Max(), double.Parse(f[9], CultureInfo.InvariantCulture), 2e-5);
            Assert.Equal(1 - p.Max(), double.Parse(f[7], CultureInfo.InvariantCulture), 2e-5);
            string[] pairs = f[10].Split(';');
            for (int c = 0; c < 3; c++)
            {
                string[] kv = pairs[c].Split('=');
                Assert.Equal(TestPackages.ClassNames[c], kv[0]);
                Assert.Equal(p[c], double.Parse(kv[1], CultureInfo.InvariantCulture), 2e-5);
            }
        }

        Assert.True(seen.Count >= 2, "the test data should produce more than one class");
    }

    private static PredictionRunSummary Predict(string pkg, string catalog, string output)
    {
        var package = ModelPackage.Load(pkg);
        var service = new PredictionService(package, new PredictionServiceOptions { BatchSize = 16, ChunkRows = 13 });
        using PredictionWriter writer = PredictionWriter.Create(output, PredictionOutputInfo.FromPackage(package, catalog));
        return service.PredictCatalog(catalog, writer);
    }

    private static PredictionBatch PredictAll(PredictionService service, string catalog)
    {
        (CatalogChunk rows, _) = service.CreateCatalogReader().ReadAll(catalog);
        return service.Predict(rows);
    }
}
