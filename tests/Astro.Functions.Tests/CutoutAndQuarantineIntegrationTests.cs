using System.Text.Json.Nodes;
using Astro.Fits;
using Astro.Fits.Statistics;
using Astro.Functions.Tests.Infrastructure;
using Astro.Services;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Testing;
using Azure.Storage.Blobs.Models;

namespace Astro.Functions.Tests;

/// <summary>Cutout drops and every quarantine path through the real host on Azurite.</summary>
[Collection(HostCollection.Name)]
public sealed class CutoutAndQuarantineIntegrationTests(HostFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Cutout_is_validated_and_summarised_with_the_fits_stats_of_astro_fits()
    {
        byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(Azurite.RepoRoot(), "samples", "cutouts", "G266033fitim.fits"));
        await fixture.Storage.Cutouts.GetBlobClient("kids/G266033fitim.fits").UploadAsync(new BinaryData(bytes), overwrite: true);
        BinaryData json = await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "cutouts/kids/G266033fitim.json", s_timeout);
        JsonNode doc = JsonNode.Parse(json.ToString())!;
        using FitsFile file = FitsFile.Open(bytes);
        string expected = FitsStatisticsJson.Serialize(FitsStatisticsCalculator.Compute(file));
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), doc["stats"]!.ToJsonString());
        Assert.Equal("kids/G266033fitim.fits", doc["input"]!.GetValue<string>());
        Assert.Equal(2, doc["image"]!["axes"]!.AsArray().Count);
    }

    [Fact]
    public async Task Bad_fits_cutout_goes_to_quarantine_with_a_reason_and_is_not_retried()
    {
        await fixture.Storage.Cutouts.GetBlobClient("bad.fits").UploadAsync(BinaryData.FromString("this is not a FITS file at all"), overwrite: true);
        JsonNode reason = await ReasonAsync("cutouts/bad.fits");
        Assert.Equal("badFits", reason["problem"]!.GetValue<string>());
        Assert.Contains("bad.fits", reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await fixture.Storage.Quarantine.GetBlobClient("cutouts/bad.fits").ExistsAsync());
        Assert.False(await fixture.Storage.Predictions.GetBlobClient("cutouts/bad.json").ExistsAsync());
        Assert.Equal(1, fixture.Logs.Count(l => l.Contains("Quarantined cutouts/bad.fits", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Csv_missing_a_profile_column_is_quarantined_naming_the_column()
    {
        await fixture.Storage.Catalogs.GetBlobClient("nocol.csv").UploadAsync(BinaryData.FromString("id,f1,f2,z\n1,1,2,0.1\n"), overwrite: true);
        JsonNode reason = await ReasonAsync("catalogs/nocol.csv");
        Assert.Equal("badCatalog", reason["problem"]!.GetValue<string>());
        Assert.Contains("f3", reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("nocol.csv", reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp", reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_without_usable_rows_is_quarantined()
    {
        await fixture.Storage.Catalogs.GetBlobClient("empty.csv").UploadAsync(BinaryData.FromString("id,f1,f2,f3,z\n1,,,,0.1\n2,,,,0.2\n"), overwrite: true);
        JsonNode reason = await ReasonAsync("catalogs/empty.csv");
        Assert.Equal("noUsableRows", reason["problem"]!.GetValue<string>());
        Assert.False(await fixture.Storage.Predictions.GetBlobClient("catalogs/empty.csv").ExistsAsync());
    }

    [Fact]
    public async Task Catalog_for_a_profile_no_model_serves_is_quarantined()
    {
        await fixture.Storage.Catalogs.GetBlobClient("other.csv.profile").UploadAsync(BinaryData.FromString("sdss-boss-dr10\n"), overwrite: true);
        await fixture.Storage.Catalogs.GetBlobClient("other.csv").UploadAsync(BinaryData.FromString("id,f1,f2,f3,z\n1,1,2,3,0.1\n"), overwrite: true);
        JsonNode reason = await ReasonAsync("catalogs/other.csv");
        Assert.Equal("unknownProfile", reason["problem"]!.GetValue<string>());
        Assert.Contains("sdss-boss-dr10", reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("sidecar", reason["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<JsonNode> ReasonAsync(string name)
    {
        BinaryData data = await HostFixture.WaitForBlobAsync(fixture.Storage.Quarantine, name + QuarantineWriter.ReasonSuffix, s_timeout);
        return JsonNode.Parse(data.ToString())!;
    }
}
