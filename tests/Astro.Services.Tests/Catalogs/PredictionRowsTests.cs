using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Inference.Models;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Testing;

namespace Astro.Services.Tests.Catalogs;

/// <summary>Prediction rows in CSV and FITS.</summary>
public sealed class PredictionRowsTests
{
    [Fact]
    public void Prediction_rows_round_trip_through_csv_with_quoting()
    {
        var rows = new[]
        {
            new PredictionRow(0, "id,with \"comma\"", "m", "v1", "logMstar", "dex(Msun)", 10.123457f, 0.2f, "", float.NaN, "", 0, "", "catalogs/a b.csv", "\"0x8D\""),
            new PredictionRow(1, " padded ", "m", "v1", "logMstar", "dex(Msun)", float.NaN, float.NaN, "", float.NaN, "", 4, "missingFlux", "catalogs/a b.csv", "\"0x8D\""),
            new PredictionRow(2, "c", "cls", "v2", "class", "", float.NaN, 0.1f, "GALAXY", 0.9f, "STAR=0.05;GALAXY=0.9;QSO=0.05", 2, "", "x", "e"),
        };
        var w = new StringWriter { NewLine = "\n" };
        PredictionCsv.WriteHeader(w);
        PredictionCsv.WriteRows(w, rows);
        List<PredictionRow> back = [.. PredictionCsv.ReadRows(new StringReader(w.ToString()), "test")];
        Assert.Equal(rows.Length, back.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].Id, back[i].Id);
            Assert.Equal(rows[i].ETag, back[i].ETag);
            Assert.Equal(rows[i].Prediction, back[i].Prediction);
            Assert.Equal(rows[i].Probability, back[i].Probability);
            Assert.Equal(rows[i].Flags, back[i].Flags);
            Assert.Equal(rows[i].Probabilities, back[i].Probabilities);
        }

        Assert.StartsWith(PredictionCsv.Header + "\n0,\"id,with \"\"comma\"\"\",m,v1,logMstar,dex(Msun),10.123457,0.2,", w.ToString(), StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => PredictionCsv.ReadRows(new StringReader("1,2,3\n"), "short").ToList());
    }

    [Fact]
    public void Fits_output_has_one_table_per_model_readable_by_astro_fits()
    {
        var a = new List<PredictionRow> { new(0, "s1", "alpha", "1", "logMstar", "dex(Msun)", 10.5f, 0.1f, "", float.NaN, "", 0, "", "catalogs/x.csv", "e"), new(1, "s2", "alpha", "1", "logMstar", "dex(Msun)", float.NaN, float.NaN, "", float.NaN, "", 4, "missingFlux", "catalogs/x.csv", "e") };
        var b = new List<PredictionRow> { new(0, "s1", "beta", "7", "class", "", float.NaN, 0.2f, "GALAXY", 0.8f, "GALAXY=0.8;STAR=0.2", 0, "", "catalogs/x.csv", "e"), new(1, "s2", "beta", "7", "class", "", float.NaN, 0.4f, "STAR", 0.6f, "GALAXY=0.4;STAR=0.6", 0, "", "catalogs/x.csv", "e") };
        using var ms = new MemoryStream();
        PredictionRowsFits.Write(ms, [a, b], "catalogs/x.csv", "e");
        using FitsFile f = FitsFile.Open(ms.ToArray());
        Assert.Equal(3, f.Count);
        var ta = Assert.IsAssignableFrom<TableHdu>(f[1]);
        Assert.Equal([10.5, double.NaN], ta.ReadColumnAsDouble("PREDICTION"));
        Assert.Equal(["", "missingFlux"], ta.ReadStrings("REASON").Select(s => s.TrimEnd()));
        var tb = Assert.IsAssignableFrom<TableHdu>(f[2]);
        Assert.Equal(["GALAXY", "STAR"], tb.ReadStrings("CLASS").Select(s => s.TrimEnd()));
        Assert.Equal("beta", f[2].Header.Find("MODEL")?.Value.AsString?.Trim());
        Assert.All(f, h => Assert.True(h.VerifyChecksums().IsValid));
        Assert.Equal(Astro.Fits.Checksums.ChecksumStatus.Valid, f[1].VerifyChecksums().Checksum);
    }
}
