using System.Globalization;
using System.Text.Json.Nodes;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Fits.Statistics;
using Astro.Functions.Tests.Infrastructure;
using Astro.Imaging.IO;
using Astro.Inference.Images;
using Astro.Inference.Images.Models;
using Astro.Services;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Astro.Functions.Tests.Cutouts;

/// <summary>The cutout trigger with image models in the registry, end to end on Azurite.</summary>
[Collection(CutoutHostCollection.Name)]
public sealed class CutoutPredictionIntegrationTests(CutoutHostFixture fixture)
{
    private const string SampleId = "1237661465452740762";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Jpeg_cutout_gets_the_shipped_image_model_prediction_with_version_and_etag()
    {
        byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(Azurite.RepoRoot(), "samples", "cutouts", $"sdss-{SampleId}.jpg"));
        var upload = await fixture.Storage.Cutouts.GetBlobClient($"sdss/{SampleId}.jpg").UploadAsync(new BinaryData(bytes), overwrite: true);
        JsonNode doc = JsonNode.Parse((await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, $"cutouts/sdss/{SampleId}.json", s_timeout)).ToString())!;

        Assert.Equal("jpeg", doc["format"]!.GetValue<string>());
        Assert.Equal(128, doc["image"]!["width"]!.GetValue<int>());
        Assert.Null(doc["stats"]);
        JsonNode p = Assert.Single(doc["predictions"]!.AsArray())!;
        string manifest = await File.ReadAllTextAsync(Path.Combine(CutoutHostFixture.ShippedImagePackage, "manifest.json"));
        JsonNode m = JsonNode.Parse(manifest)!;
        Assert.Equal(m["name"]!.GetValue<string>(), p["model"]!.GetValue<string>());
        Assert.Equal(m["version"]!.GetValue<string>(), p["version"]!.GetValue<string>());
        Assert.Equal($"sdss/{SampleId}.jpg", p["input"]!.GetValue<string>());
        Assert.Equal(upload.Value.ETag.ToString(), p["etag"]!.GetValue<string>());
        Assert.Equal(upload.Value.ETag.ToString(), doc["etag"]!.GetValue<string>());

        // The package's own test predictions for this object (predictions-test.csv, written by the trainer).
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(CutoutHostFixture.ShippedImagePackage, "predictions-test.csv"));
        string[] header = lines[0].Split(',');
        string[] row = lines.First(l => l.StartsWith(SampleId + ",", StringComparison.Ordinal)).Split(',');
        double Column(string name) => double.Parse(row[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        JsonNode output = Assert.Single(p["outputs"]!.AsArray())!;
        Assert.Equal("oh_p50", output["name"]!.GetValue<string>());
        Assert.Equal(Column("oh_p50_pred"), output["value"]!.GetValue<double>(), 4);
        Assert.Equal(Column("oh_p50_std"), output["std"]!.GetValue<double>(), 4);
        Assert.Equal(Column("stage2_oh_p50_pred"), p["secondStage"]!["value"]!.GetValue<double>(), 3);
        string[] flags = [.. p["flags"]!.AsArray().Select(f => f!.GetValue<string>())];
        Assert.Contains("resampled", flags);
        Assert.Contains("galaxyNotChecked", flags);
        Assert.Equal((int)(ImagePredictionFlags.Resampled | ImagePredictionFlags.GalaxyNotChecked | ImagePredictionFlags.NoRedshift), p["flagBits"]!.GetValue<int>());

        JsonNode skipped = Assert.Single(doc["skipped"]!.AsArray())!;
        Assert.Equal(CutoutHostFixture.TinyModel, skipped["model"]!.GetValue<string>());
        Assert.Contains("3 band(s)", skipped["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fits_cutout_keeps_the_fits_stats_and_gets_the_log003_model_prediction()
    {
        byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(Azurite.RepoRoot(), "samples", "cutouts", "G266033fitim.fits"));
        var upload = await fixture.Storage.Cutouts.GetBlobClient("kids/G266033fitim.fits").UploadAsync(new BinaryData(bytes), overwrite: true);
        JsonNode doc = JsonNode.Parse((await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "cutouts/kids/G266033fitim.json", s_timeout)).ToString())!;

        using FitsFile file = FitsFile.Open(bytes);
        Assert.Equal(JsonNode.Parse(FitsStatisticsJson.Serialize(FitsStatisticsCalculator.Compute(file)))!.ToJsonString(), doc["stats"]!.ToJsonString());

        // The same package, loaded here from its folder, on the same bytes.
        var local = new ImagePredictionService(ImagePackage.Load(fixture.TinyPackage));
        ImagePredictionResult expected = local.Predict(CutoutReader.Read(bytes, "kids/G266033fitim.fits"));
        JsonNode p = Assert.Single(doc["predictions"]!.AsArray())!;
        Assert.Equal(CutoutHostFixture.TinyModel, p["model"]!.GetValue<string>());
        Assert.Equal(CutoutHostFixture.TinyVersion, p["version"]!.GetValue<string>());
        Assert.Equal(upload.Value.ETag.ToString(), p["etag"]!.GetValue<string>());
        double value = p["outputs"]![0]!["value"]!.GetValue<double>();
        Assert.Equal(expected.Outputs[0].Value, value, 6);
        Assert.InRange(value, 0.0001, 1);
        Assert.Equal(0.1 * value, p["outputs"]![0]!["std"]!.GetValue<double>(), 6);
        Assert.True(p["galaxyFound"]!.GetValue<bool>());
        Assert.Equal(expected.StarsRemoved, p["starsRemoved"]!.GetValue<int>());
        JsonNode skipped = Assert.Single(doc["skipped"]!.AsArray())!;
        Assert.Contains("1 band(s), the model needs 3", skipped["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nan.fits", "allNaN")]
    [InlineData("noise.fits", "noGalaxy")]
    [InlineData("small.fits", "wrongSize")]
    [InlineData("garbage.png", "badImage")]
    public async Task Unusable_cutouts_are_quarantined_with_the_reason(string name, string problem)
    {
        byte[] bytes = name switch
        {
            "nan.fits" => CutoutHostFixture.Fits(Enumerable.Repeat(double.NaN, 64 * 64).ToArray(), 64, 64),
            "noise.fits" => CutoutHostFixture.Fits(CutoutHostFixture.Noise(64), 64, 64),
            "small.fits" => CutoutHostFixture.Fits(CutoutHostFixture.Galaxy(24), 24, 24),
            _ => "not a PNG"u8.ToArray(),
        };
        string blob = "bad/" + name;
        await fixture.Storage.Cutouts.GetBlobClient(blob).UploadAsync(new BinaryData(bytes), overwrite: true);
        JsonNode reason = JsonNode.Parse((await HostFixture.WaitForBlobAsync(fixture.Storage.Quarantine, $"cutouts/{blob}{QuarantineWriter.ReasonSuffix}", s_timeout)).ToString())!;
        Assert.Equal(problem, reason["problem"]!.GetValue<string>());
        Assert.Contains(blob, reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await fixture.Storage.Quarantine.GetBlobClient($"cutouts/{blob}").ExistsAsync());
        Assert.False(await fixture.Storage.Predictions.GetBlobClient(Astro.Services.Cutouts.CutoutPipeline.OutputName(blob)).ExistsAsync());
    }

    [Fact]
    public async Task Registry_with_both_kinds_serves_catalog_predictions_too()
    {
        ModelRegistry registry = fixture.Host.Services.GetRequiredService<ModelRegistry>();
        Assert.Equal([HostFixture.ModelName], registry.Models.Select(m => m.Name));
        Assert.Equal([JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CutoutHostFixture.ShippedImagePackage, "manifest.json")))!["name"]!.GetValue<string>(), CutoutHostFixture.TinyModel],
            registry.ImageModels.Select(m => m.Name).Order(StringComparer.Ordinal));

        await fixture.Storage.Catalogs.GetBlobClient("both/rows.csv").UploadAsync(BinaryData.FromString(TestPackages.Csv([("a", 100, 200, 300, 0.1), ("b", 10, 20, 30, 0.2)])), overwrite: true);
        string csv = (await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/both/rows.csv", s_timeout)).ToString();
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(HostFixture.ModelName, lines[1], StringComparison.Ordinal);
        double expectedA = TestPackages.Expected(100, 200, 300, 0.1, HostFixture.Bias);
        Assert.Contains(lines[1].Split(','), c => double.TryParse(c, CultureInfo.InvariantCulture, out double v) && Math.Abs(v - expectedA) < 1e-4);
        Assert.DoesNotContain(fixture.Logs, l => l.Contains("not loaded", StringComparison.Ordinal));
    }
}
