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

/// <summary>The per-catalog summary.</summary>
public sealed class CatalogSummaryTests
{
    [Fact]
    public void Summary_counts_rows_per_model_and_overall()
    {
        var plan = new CatalogPlan { Blob = "x.csv", ETag = "e", Format = CatalogFormat.Csv, Profile = "p", ProfileSource = "default", Rows = 3, ChunkRows = 2, ChunkCount = 2, CorrelationId = "c" };
        var rows = new Dictionary<string, List<PredictionRow>>
        {
            ["a"] = [R(0, "a", 0), R(1, "a", 4, "missingFlux"), R(2, "a", 1)],
            ["b"] = [R(0, "b", 4, "missingRedshift"), R(1, "b", 0), R(2, "b", 4, "missingRedshift")],
        };
        CatalogSummary s = CatalogPipeline.Summarise(plan, rows, CatalogPipeline.OutputNames("x.csv"), 1.5, 1.0, 0.1);
        Assert.Equal(3, s.RowsIn);
        Assert.Equal(3, s.RowsPredicted); // every row is predicted by at least one model
        Assert.Equal(1, s.RowsFlagged);
        Assert.Equal(0, s.RowsDropped);
        Assert.Equal(2, s.Models[0].RowsPredicted);
        Assert.Equal(1, s.Models[0].RowsMissingBands);
        Assert.Equal(2, s.Models[1].DroppedByReason["missingRedshift"]);
        Assert.Equal("catalogs/x.summary.json", s.Outputs["summary"]);

        static PredictionRow R(long row, string model, int flags, string reason = "") => new(row, $"s{row}", model, "1", "t", "", flags == 4 ? float.NaN : 1f, 0.1f, "", float.NaN, "", flags, reason, "x", "e");
    }
}
