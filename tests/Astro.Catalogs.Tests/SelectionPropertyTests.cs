using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astro.Catalogs.Tests;

public class SelectionPropertyTests
{
    private static readonly SurveyProfile s_profile = SurveyProfile.Load(TestPaths.Profile("gama-pdr.json"));

    private static readonly double[] s_specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -999, 0, -1e-3, 1e-9, 99, -99];

    private static Gen<double> Value() => Gen.Frequency(
        (6, Gen.Choose(-1000, 100000).Select(i => i / 1000.0)),
        (3, Gen.Elements(s_specials)));

    private static Arbitrary<CatalogChunk> Chunks()
    {
        string[] names = [.. s_profile.GetRequiredNumericColumns()];
        Gen<CatalogChunk> gen =
            from n in Gen.Choose(0, 40)
            from values in Gen.ArrayOf(Value(), n * names.Length)
            select Build(names, n, values);
        return gen.ToArbitrary();
    }

    private static CatalogChunk Build(string[] names, int n, double[] values)
    {
        var cols = new double[names.Length][];
        for (int c = 0; c < names.Length; c++)
        {
            cols[c] = new double[n];
            for (int r = 0; r < n; r++)
            {
                double v = values[(c * n) + r];

                // Keep z and log masses in a range where every cut is exercised.
                cols[c][r] = names[c] == "Z" ? v / 100 : names[c].Contains("percentile", StringComparison.Ordinal) ? v / 5 + 5 : v;
            }
        }

        return CatalogModelFactory.CatalogChunk(n, names, cols, ids: Enumerable.Range(0, n).Select(i => "g" + i).ToArray());
    }

    private static Arbitrary<SelectionOptions> Options() =>
        (from policy in Gen.Elements(MissingBandPolicy.Drop, MissingBandPolicy.KeepAndFlag)
         from neg in Gen.Elements(true, false)
         from clip in Gen.Elements(SentinelHandling.TreatAsMissing, SentinelHandling.ClipToRange)
         from minBands in Gen.Elements<int?>(null, 0, 3, 6, 21)
         select new SelectionOptions { MissingBandPolicy = policy, DropNegativeFlux = neg, SentinelHandling = clip, MinHighSnrBands = minBands }).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property NothingDisappearsSilently()
        => Prop.ForAll(Chunks(), Options(), (chunk, options) =>
        {
            var pre = new CatalogPreprocessor(s_profile, options);
            PreprocessedChunk result = pre.Process(chunk);
            SelectionReport r = result.Report;
            int keptByStatus = result.Status.Count(s => s is RowStatus.Kept or RowStatus.KeptWithMissingBands);
            return r.RowsIn == chunk.RowCount
                && r.RowsIn == r.RowsKept + r.DroppedByReason.Values.Sum()
                && r.RowsKept == result.RowCount
                && keptByStatus == result.RowCount
                && result.Status.Length == chunk.RowCount
                && result.Features.Length == result.RowCount * 22
                && result.BandMask.Length == result.RowCount * 21
                && result.Features.All(float.IsFinite)
                && (options.MissingBandPolicy == MissingBandPolicy.KeepAndFlag || result.BandMask.All(m => m == 1));
        });

    [Property(MaxTest = 100)]
    public Property ReportsAddUp()
        => Prop.ForAll(Chunks(), Chunks(), (a, b) =>
        {
            var pre = new CatalogPreprocessor(s_profile, new SelectionOptions { MissingBandPolicy = MissingBandPolicy.KeepAndFlag });
            SelectionReport ra = pre.Process(a).Report;
            SelectionReport rb = pre.Process(b).Report;
            return pre.Report.RowsIn == ra.RowsIn + rb.RowsIn
                && pre.Report.RowsKept == ra.RowsKept + rb.RowsKept
                && pre.Report.RowsIn == pre.Report.RowsKept + pre.Report.RowsDropped;
        });
}
