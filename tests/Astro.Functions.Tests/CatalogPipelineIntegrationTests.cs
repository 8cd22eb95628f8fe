using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Fits.Writing;
using Astro.Functions.Tests.Infrastructure;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Testing;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;

namespace Astro.Functions.Tests;

/// <summary>Catalog drops end to end through the real host on Azurite: fan-out, merge, idempotency, Event Grid path.</summary>
[Collection(HostCollection.Name)]
public sealed class CatalogPipelineIntegrationTests(HostFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static (string Id, double F1, double F2, double F3, double Z)[] Rows(int n, int seed) =>
        [.. Enumerable.Range(0, n).Select(i => ($"S{seed}-{i}", 10.0 + i, 20.0 + (2 * i), 30.0 + (3 * i), 0.05 + (0.01 * i)))];

    [Fact]
    public async Task Csv_catalog_fans_out_into_chunks_and_merges_csv_fits_and_summary()
    {
        var rows = Rows(7, 1).ToList();
        rows[4] = (rows[4].Id, rows[4].F1, double.NaN, rows[4].F3, rows[4].Z); // a missing band: not predicted (policy drop)
        string name = "fanout/seven.csv";
        await fixture.Storage.Catalogs.GetBlobClient(name).UploadAsync(BinaryData.FromString(TestPackages.Csv(rows)), overwrite: true);
        string etag = (await fixture.Storage.Catalogs.GetBlobClient(name).GetPropertiesAsync()).Value.ETag.ToString();

        BinaryData summaryJson = await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/fanout/seven.summary.json", s_timeout);
        CatalogSummary summary = JsonSerializer.Deserialize<CatalogSummary>(summaryJson.ToString(), StorageJson.Compact)!;
        Assert.Equal(etag, summary.ETag);
        Assert.Equal(7, summary.RowsIn);
        Assert.Equal(3, summary.Chunks); // 7 rows, 3 per chunk
        Assert.Equal(6, summary.RowsPredicted);
        Assert.Equal(1, summary.RowsDropped);
        Assert.Equal("default", summary.ProfileSource);
        ModelSummary model = Assert.Single(summary.Models);
        Assert.Equal(HostFixture.ModelName, model.Name);
        Assert.Equal([HostFixture.ModelVersion], model.Versions);
        Assert.Equal(1, model.RowsNotPredicted);
        Assert.Equal(1, Assert.Single(model.DroppedByReason).Value);

        // Three parts, one per chunk.
        var parts = new List<string>();
        await foreach (BlobItem b in fixture.Storage.Predictions.GetBlobsAsync(BlobTraits.None, BlobStates.None, "catalogs/fanout/seven/parts/", default))
        {
            parts.Add(b.Name[(b.Name.LastIndexOf('/') + 1)..]);
        }

        Assert.Equal(["000000.csv", "000001.csv", "000002.csv", "plan.json"], parts.Order().ToArray());

        // The merged CSV: one line per row, in order, with the model, version, input and ETag on every line.
        string csv = (await fixture.Storage.Predictions.GetBlobClient("catalogs/fanout/seven.csv").DownloadContentAsync()).Value.Content.ToString();
        List<PredictionRow> merged = [.. PredictionCsv.ReadRows(new StringReader(csv), "merged")];
        Assert.Equal(7, merged.Count);
        for (int i = 0; i < 7; i++)
        {
            PredictionRow r = merged[i];
            Assert.Equal(i, r.Row);
            Assert.Equal(rows[i].Id, r.Id);
            Assert.Equal(HostFixture.ModelName, r.Model);
            Assert.Equal(HostFixture.ModelVersion, r.Version);
            Assert.Equal("catalogs/" + name, r.Input);
            Assert.Equal(etag, r.ETag);
            if (i == 4)
            {
                Assert.False(r.Predicted);
                Assert.True(float.IsNaN(r.Prediction));
                Assert.NotEmpty(r.Reason);
            }
            else
            {
                Assert.True(r.Predicted);
                Assert.Equal(TestPackages.Expected(rows[i].F1, rows[i].F2, rows[i].F3, rows[i].Z, HostFixture.Bias), r.Prediction, 4);
                Assert.Equal(TestPackages.Sigma, r.Uncertainty, 5);
            }
        }

        // The FITS: a PREDICTIONS table with the same rows (read back with Astro.Fits).
        byte[] fits = (await fixture.Storage.Predictions.GetBlobClient("catalogs/fanout/seven.fits").DownloadContentAsync()).Value.Content.ToArray();
        using FitsFile file = FitsFile.Open(fits);
        var table = Assert.IsAssignableFrom<TableHdu>(file[1]);
        Assert.Equal("PREDICTIONS", file[1].Name);
        Assert.Equal(7, table.RowCount);
        double[] predictions = table.ReadColumnAsDouble("PREDICTION");
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(merged[i].Prediction, (float)predictions[i]);
        }

        Assert.Equal(merged.Select(r => r.Id), table.ReadStrings("ID").Select(s => s.TrimEnd()));
        Assert.Equal(HostFixture.ModelVersion, file[1].Header.Find("MODELVER")?.Value.AsString?.Trim());

        // Correlation: the drop, every chunk and the merge logged the same id.
        string correlation = summary.CorrelationId;
        Assert.Equal(Correlation.ForBlob("catalogs", name, etag), correlation);
        string[] lines = [.. fixture.Logs.Where(l => l.Contains("CorrelationId=" + correlation, StringComparison.Ordinal))];
        Assert.Contains(lines, l => l.Contains("chunk(s) sent", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.Contains("Chunk ", StringComparison.Ordinal) && l.Contains("predicted by", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("merged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Redelivery_and_reprocessing_give_the_same_outputs()
    {
        string name = "idem/cat.csv";
        var rows = Rows(5, 2);
        await fixture.Storage.Catalogs.GetBlobClient(name).UploadAsync(BinaryData.FromString(TestPackages.Csv(rows)), overwrite: true);
        var blob = fixture.Storage.Catalogs.GetBlobClient(name);
        string etag = (await blob.GetPropertiesAsync()).Value.ETag.ToString();
        await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/idem/cat.summary.json", s_timeout);
        byte[] csv1 = (await fixture.Storage.Predictions.GetBlobClient("catalogs/idem/cat.csv").DownloadContentAsync()).Value.Content.ToArray();
        byte[] fits1 = (await fixture.Storage.Predictions.GetBlobClient("catalogs/idem/cat.fits").DownloadContentAsync()).Value.Content.ToArray();
        Azure.ETag merged1 = (await fixture.Storage.Predictions.GetBlobClient("catalogs/idem/cat.summary.json").GetPropertiesAsync()).Value.ETag;

        // Re-delivery of the same blob version (an Event Grid event for it) and of a chunk message.
        await fixture.Storage.BlobEvents.SendMessageAsync(fixture.Storage.BlobCreatedEvent(blob.BlobContainerName, blob.Name, etag, 10));
        var chunk = new ChunkMessage { Blob = name, ETag = etag, Format = CatalogFormat.Csv, Profile = HostFixture.Profile, Chunk = 1, ChunkCount = 2, FirstRow = 3, RowCount = 2, CorrelationId = "redelivered" };
        await fixture.Storage.CatalogChunks.SendMessageAsync(JsonSerializer.Serialize(chunk, StorageJson.Compact));
        await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/idem/cat.summary.json", s_timeout, p => p.ETag != merged1);
        await Task.Delay(1500); // let the second re-delivery finish too
        byte[] csv2 = (await fixture.Storage.Predictions.GetBlobClient("catalogs/idem/cat.csv").DownloadContentAsync()).Value.Content.ToArray();
        byte[] fits2 = (await fixture.Storage.Predictions.GetBlobClient("catalogs/idem/cat.fits").DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(csv1, csv2);
        Assert.Equal(fits1, fits2);

        // A chunk of a version that is no longer current is dropped, not retried.
        var stale = chunk with { ETag = "\"0xSTALE\"", CorrelationId = "stale-chunk" };
        await fixture.Storage.CatalogChunks.SendMessageAsync(JsonSerializer.Serialize(stale, StorageJson.Compact));
        await WaitForLogAsync("no longer planned", TimeSpan.FromSeconds(20));
        Assert.Equal(csv1, (await fixture.Storage.Predictions.GetBlobClient("catalogs/idem/cat.csv").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task Fits_catalog_with_profile_in_metadata_is_predicted()
    {
        var rows = Rows(4, 3);
        var columns = new List<TableColumn>
        {
            new TableColumn<string>("id", [.. rows.Select(r => r.Id)]),
            new TableColumn<double>("f1", [.. rows.Select(r => r.F1)]),
            new TableColumn<double>("f2", [.. rows.Select(r => r.F2)]),
            new TableColumn<double>("f3", [.. rows.Select(r => r.F3)]),
            new TableColumn<double>("z", [.. rows.Select(r => r.Z)]),
        };
        using var ms = new MemoryStream();
        using (var w = new FitsWriter(ms, new FitsWriterOptions { LeaveOpen = true }))
        {
            w.WriteTable(columns);
        }

        string name = "table.fits";
        await fixture.Storage.Catalogs.GetBlobClient(name).UploadAsync(new BinaryData(ms.ToArray()), new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["profile"] = HostFixture.Profile } });
        BinaryData summaryJson = await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/table.summary.json", s_timeout);
        CatalogSummary summary = JsonSerializer.Deserialize<CatalogSummary>(summaryJson.ToString(), StorageJson.Compact)!;
        Assert.Equal(CatalogFormat.Fits, summary.Format);
        Assert.Equal("metadata", summary.ProfileSource);
        Assert.Equal(4, summary.RowsPredicted);
        string csv = (await fixture.Storage.Predictions.GetBlobClient("catalogs/table.csv").DownloadContentAsync()).Value.Content.ToString();
        List<PredictionRow> merged = [.. PredictionCsv.ReadRows(new StringReader(csv), "merged")];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(TestPackages.Expected(rows[i].F1, rows[i].F2, rows[i].F3, rows[i].Z, HostFixture.Bias), merged[i].Prediction, 4);
        }
    }

    [Fact]
    public async Task Event_grid_events_on_the_queue_drive_the_same_processing()
    {
        var storage = fixture.EventStorage;
        var rows = Rows(4, 4);
        var blob = storage.Catalogs.GetBlobClient("events/cat.csv");
        await blob.UploadAsync(BinaryData.FromString(TestPackages.Csv(rows)), overwrite: true);
        var cutout = storage.Cutouts.GetBlobClient("galaxy.fits");
        await cutout.UploadAsync(BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(Azurite.RepoRoot(), "samples", "cutouts", "G266033fitim.fits"))), overwrite: true);

        // Blob triggers are disabled on this host: nothing happens until the events arrive.
        await Task.Delay(1500);
        Assert.False(await storage.Predictions.GetBlobClient("catalogs/events/cat.summary.json").ExistsAsync());

        foreach (var b in new[] { blob, cutout })
        {
            string etag = (await b.GetPropertiesAsync()).Value.ETag.ToString();
            await storage.BlobEvents.SendMessageAsync(storage.BlobCreatedEvent(b.BlobContainerName, b.Name, etag, 1));
        }

        BinaryData summary = await HostFixture.WaitForBlobAsync(storage.Predictions, "catalogs/events/cat.summary.json", s_timeout);
        Assert.Equal(4, JsonNode.Parse(summary.ToString())!["rowsPredicted"]!.GetValue<long>());
        BinaryData cut = await HostFixture.WaitForBlobAsync(storage.Predictions, "cutouts/galaxy.json", s_timeout);
        Assert.Equal("galaxy.fits", JsonNode.Parse(cut.ToString())!["input"]!.GetValue<string>());

        // A message that is not an event goes straight to the poison queue.
        await storage.BlobEvents.SendMessageAsync("{not an event");
        QueueMessage poisoned = await WaitForMessageAsync(storage.QueueService.GetQueueClient("eg-blob-events-poison"), TimeSpan.FromSeconds(20));
        Assert.Equal("{not an event", poisoned.Body.ToString());
    }

    [Fact]
    public async Task Chunk_that_keeps_failing_is_poisoned_with_its_reason()
    {
        // A plan blob that cannot be parsed makes every delivery fail: 5 attempts, then the poison queue.
        string name = "broken/plan.csv";
        await fixture.Storage.Predictions.GetBlobClient("catalogs/broken/plan/parts/plan.json").UploadAsync(BinaryData.FromString("{ this is not json"), overwrite: true);
        var chunk = new ChunkMessage { Blob = name, ETag = "\"0x1\"", Format = CatalogFormat.Csv, Profile = HostFixture.Profile, Chunk = 0, ChunkCount = 1, FirstRow = 0, RowCount = 1, CorrelationId = "poison-test" };
        string text = JsonSerializer.Serialize(chunk, StorageJson.Compact);
        var watch = Stopwatch.StartNew();
        await fixture.Storage.CatalogChunks.SendMessageAsync(text);
        QueueMessage poisoned = await WaitForMessageAsync(fixture.Storage.QueueService.GetQueueClient("catalog-chunks-poison"), TimeSpan.FromSeconds(60), m => m.Body.ToString().Contains("poison-test", StringComparison.Ordinal));
        Assert.Contains("broken/plan.csv", poisoned.Body.ToString(), StringComparison.Ordinal);
        BinaryData error = await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/broken/plan/parts/000000.error.json", TimeSpan.FromSeconds(10));
        Assert.Contains("JsonException", error.ToString(), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60));

        // A chunk message that is not JSON is poisoned at once.
        await fixture.Storage.CatalogChunks.SendMessageAsync("garbage chunk");
        await WaitForMessageAsync(fixture.Storage.QueueService.GetQueueClient("catalog-chunks-poison"), TimeSpan.FromSeconds(20), m => m.Body.ToString() == "garbage chunk");
    }

    internal static async Task<QueueMessage> WaitForMessageAsync(Azure.Storage.Queues.QueueClient queue, TimeSpan timeout, Func<QueueMessage, bool>? match = null)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            QueueMessage[] messages = await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1));
            QueueMessage? m = messages.FirstOrDefault(x => match is null || match(x));
            if (m is not null)
            {
                return m;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no matching message on {queue.Name} within {timeout.TotalSeconds} s");
    }

    private async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!fixture.Logs.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(watch.Elapsed < timeout, $"no log line with '{text}' within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
