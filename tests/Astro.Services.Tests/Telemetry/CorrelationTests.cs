using System.Text.Json;
using Astro.Catalogs.Models;
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

namespace Astro.Services.Tests.Telemetry;

/// <summary>Correlation ids.</summary>
public sealed class CorrelationTests
{
    [Fact]
    public void Correlation_ids_are_deterministic_per_blob_version_unless_the_uploader_sets_one()
    {
        string a = Correlation.ForBlob("catalogs", "x.csv", "e1");
        Assert.Equal(a, Correlation.ForBlob("catalogs", "x.csv", "e1"));
        Assert.NotEqual(a, Correlation.ForBlob("catalogs", "x.csv", "e2"));
        Assert.Equal("mine", Correlation.FromMetadata(new Dictionary<string, string> { ["CorrelationId"] = "mine" }, "c", "b", "e"));
    }
}
