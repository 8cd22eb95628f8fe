using System.Text;
using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Output;

namespace Astro.Inference.Tests.Output;

/// <summary>The CLI's fast CSV writer writes the one prediction-row schema: the bytes of <see cref="PredictionCsv.WriteRows"/>.</summary>
public sealed class PredictionCsvWriterTests
{
    private static readonly string[] s_ids = ["a", "with,comma", "say \"hi\"", " padded ", "line\nbreak", "", "ü-ñ"];

    [Fact]
    public void Regression_BytesEqualTheSchemaWriter_OverManySlices()
    {
        int n = 40_000; // more than two parallel slices
        string[] ids = [.. Enumerable.Range(0, n).Select(i => s_ids[i % s_ids.Length] + i)];
        float[] values = [.. Enumerable.Range(0, n).Select(i => i % 11 == 0 ? float.NaN : (float)Math.Sin(i) * 3.3e-3f)];
        float[] sigmas = [.. Enumerable.Range(0, n).Select(i => i % 13 == 0 ? float.NaN : 0.1f + (i * 1e-7f))];
        PredictionFlags[] flags = [.. Enumerable.Range(0, n).Select(i => i % 11 == 0 ? PredictionFlags.NotPredicted : (PredictionFlags)(i % 3))];
        RowStatus[] status = [.. Enumerable.Range(0, n).Select(i => i % 11 == 0 ? RowStatus.MissingFlux : RowStatus.Kept)];
        PredictionBatch batch = PredictionModelFactory.RegressionBatch("m,1", "v \"2\"", ids, values, sigmas, flags, status, firstRowIndex: 1000);
        var info = new PredictionOutputInfo("m,1", "v \"2\"", ModelTask.Regression, [], "logMstar", "dex(Msun)", "catalogs/a b.csv") { ETag = "\"0x8D\"" };

        AssertSameBytes(batch, info);
    }

    [Fact]
    public void Classification_BytesEqualTheSchemaWriter()
    {
        string[] classes = ["STAR", "GALAXY", "QSO"];
        int n = 500;
        var probs = new float[n * 3];
        var flags = new PredictionFlags[n];
        for (int i = 0; i < n; i++)
        {
            float a = (i % 7) / 10f;
            probs[(i * 3) + 0] = a;
            probs[(i * 3) + 1] = 0.9f - a;
            probs[(i * 3) + 2] = 0.1f;
            if (i % 17 == 0)
            {
                probs.AsSpan(i * 3, 3).Fill(float.NaN);
                flags[i] = PredictionFlags.NotPredicted;
            }
        }

        RowStatus[] status = [.. flags.Select(f => f == PredictionFlags.NotPredicted ? RowStatus.MissingFlux : RowStatus.Kept)];
        PredictionBatch batch = PredictionModelFactory.ClassificationBatch("cls", "7", classes, [.. Enumerable.Range(0, n).Select(i => s_ids[i % s_ids.Length])], probs, flags, status);
        var info = new PredictionOutputInfo("cls", "7", ModelTask.Classification, classes, "class", null, "in.csv");

        AssertSameBytes(batch, info);
    }

    [Fact]
    public void HeaderAlone_ThenParts_IsTheWholeFile()
    {
        var info = new PredictionOutputInfo("m", "1", ModelTask.Regression, [], "z", null, "x.csv");
        PredictionBatch first = PredictionModelFactory.RegressionBatch("m", "1", ["a", "b"], [1f, 2f], [0.1f, 0.2f], [PredictionFlags.None, PredictionFlags.None]);
        PredictionBatch second = PredictionModelFactory.RegressionBatch("m", "1", ["c"], [3f], [0.3f], [PredictionFlags.OutOfDistribution], firstRowIndex: 2);
        var whole = new MemoryStream();
        using (var w = new PredictionCsvWriter(whole, info, leaveOpen: true))
        {
            w.Write(first);
            w.Write(second);
            w.Complete();
        }

        var merged = new MemoryStream();
        PredictionCsvWriter.WriteHeader(merged);
        foreach (PredictionBatch part in new[] { first, second })
        {
            var bytes = new MemoryStream();
            using (var w = new PredictionCsvWriter(bytes, info, leaveOpen: true, writeHeader: false))
            {
                w.Write(part);
                w.Complete();
            }

            Assert.DoesNotContain(PredictionCsv.Header, Encoding.UTF8.GetString(bytes.ToArray()), StringComparison.Ordinal);
            merged.Write(bytes.ToArray());
        }

        Assert.Equal(whole.ToArray(), merged.ToArray());
        List<PredictionRow> rows = [.. PredictionCsv.ReadRows(new StringReader(Encoding.UTF8.GetString(whole.ToArray())), "whole")];
        Assert.Equal([0L, 1L, 2L], rows.Select(r => r.Row));
        Assert.Equal(2, rows[2].Flags);
    }

    private static void AssertSameBytes(PredictionBatch batch, PredictionOutputInfo info)
    {
        var fast = new MemoryStream();
        using (var w = new PredictionCsvWriter(fast, info, leaveOpen: true))
        {
            w.Write(batch);
            w.Complete();
        }

        var text = new StringWriter { NewLine = "\n" };
        PredictionCsv.WriteHeader(text);
        PredictionCsv.WriteRows(text, PredictionRows.FromBatch(batch, info));
        string expected = text.ToString();
        string actual = Encoding.UTF8.GetString(fast.ToArray());
        Assert.Equal(expected, actual);

        // And it reads back as the schema.
        List<PredictionRow> back = [.. PredictionCsv.ReadRows(new StringReader(actual), "fast")];
        Assert.Equal(batch.RowCount, back.Count);
    }
}
