using System.Diagnostics;
using System.Text.Json;
using Astro.Functions.Hosting;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Storage;
using Microsoft.Azure.Storage.Blob;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Functions;

/// <summary>
/// Data-drop triggers: catalogs and cutouts arriving in blob storage (blob triggers locally; Event Grid events on the
/// blob-events queue in Azure; the same processing code), and the chunk workers of the catalog fan-out.
/// </summary>
public sealed class CatalogFunctions
{
    private readonly CatalogPipeline _catalogs;
    private readonly CutoutPipeline _cutouts;
    private readonly AstroStorage _storage;
    private readonly FunctionAppSettings _settings;
    private readonly ILogger<CatalogFunctions> _logger;
    private readonly FunctionMetrics _metrics;

    /// <summary>Creates the functions (by the WebJobs job activator, from DI).</summary>
    public CatalogFunctions(CatalogPipeline catalogs, CutoutPipeline cutouts, AstroStorage storage, FunctionAppSettings settings, FunctionMetrics metrics, ILogger<CatalogFunctions> logger)
    {
        _metrics = metrics;
        _catalogs = catalogs;
        _cutouts = cutouts;
        _storage = storage;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>A catalog blob arrived: plan it and send its chunks.</summary>
    [FunctionName("CatalogDrop")]
    [Disable(SettingKeys.DisableBlobTriggers)]
    public Task CatalogDrop([BlobTrigger("%Astro:Storage:CatalogsContainer%/{name}")] ICloudBlob blob, string name, CancellationToken cancellationToken)
    {
        _ = blob;
        return DropCatalogAsync(name, TelemetryNames.Values.Blob, cancellationToken);
    }

    /// <summary>A cutout blob arrived: validate and summarise it.</summary>
    [FunctionName("CutoutDrop")]
    [Disable(SettingKeys.DisableBlobTriggers)]
    public Task CutoutDrop([BlobTrigger("%Astro:Storage:CutoutsContainer%/{name}")] ICloudBlob blob, string name, CancellationToken cancellationToken)
    {
        _ = blob;
        return ProcessCutoutAsync(name, TelemetryNames.Values.Blob, cancellationToken);
    }

    /// <summary>Event Grid blob-created events (delivered to a storage queue): the same processing as the blob triggers.</summary>
    [FunctionName("BlobEvents")]
    public async Task BlobEvents([QueueTrigger("%Astro:Storage:BlobEventsQueue%")] string message, CancellationToken cancellationToken)
    {
        IReadOnlyList<BlobCreated> blobs;
        try
        {
            blobs = BlobEventParser.Parse(message);
        }
        catch (InvalidInputException e)
        {
            await PoisonNowAsync(_storage.BlobEvents, message, e.Message, cancellationToken).ConfigureAwait(false);
            _metrics.InputProcessed(TelemetryNames.Values.Event, TelemetryNames.Values.Poisoned, TelemetryNames.Values.EventGrid);
            return;
        }

        foreach (BlobCreated b in blobs)
        {
            if (b.Container == _settings.Storage.CatalogsContainer)
            {
                await DropCatalogAsync(b.Blob, TelemetryNames.Values.EventGrid, cancellationToken).ConfigureAwait(false);
            }
            else if (b.Container == _settings.Storage.CutoutsContainer)
            {
                await ProcessCutoutAsync(b.Blob, TelemetryNames.Values.EventGrid, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _logger.LogInformation("Blob event {EventId} for {Container}/{Blob} ignored: not an input container", b.EventId, b.Container, b.Blob);
            }
        }
    }

    /// <summary>One chunk of a catalog: predict, write the part, merge when complete.</summary>
    [FunctionName("ChunkPredict")]
    public async Task ChunkPredict([QueueTrigger("%Astro:Storage:CatalogChunksQueue%")] string message, int dequeueCount, CancellationToken cancellationToken)
    {
        ChunkMessage chunk;
        try
        {
            chunk = StorageJson.Parse<ChunkMessage>(message, _settings.Storage.CatalogChunksQueue);
        }
        catch (InvalidInputException e)
        {
            await PoisonNowAsync(_storage.CatalogChunks, message, e.Message, cancellationToken).ConfigureAwait(false);
            _metrics.InputProcessed(TelemetryNames.Values.Chunk, TelemetryNames.Values.Poisoned, TelemetryNames.Values.Queue);
            return;
        }

        var watch = Stopwatch.StartNew();
        ChunkOutcome outcome;
        try
        {
            outcome = await _catalogs.PredictChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (dequeueCount >= _settings.QueueMaxDequeueCount && e is not OperationCanceledException)
        {
            Completed(TelemetryNames.Values.Poisoned);
            using IDisposable? scope = _logger.BeginScope(LogScope.ForBlob(chunk.CorrelationId, $"{_settings.Storage.CatalogsContainer}/{chunk.Blob}", chunk.Chunk));
            string record = await _catalogs.RecordChunkFailureAsync(chunk, e, cancellationToken).ConfigureAwait(false);
            _logger.LogError("Chunk {Chunk} of {Blob} failed {Attempts} times; it goes to the poison queue, reason in {Record}: {Reason}", chunk.Chunk, chunk.Blob, dequeueCount, record, e.Message.ReplaceLineEndings(" "));
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Completed(TelemetryNames.Values.Failed);
            throw;
        }

        Completed(FunctionMetrics.OutcomeOf(outcome));
        if (outcome == ChunkOutcome.Merged)
        {
            await RecordMergeAsync(chunk.Blob, cancellationToken).ConfigureAwait(false);
        }

        void Completed(string result)
        {
            _metrics.ChunkProcessed(result, watch.Elapsed.TotalSeconds);
            _metrics.InputProcessed(TelemetryNames.Values.Chunk, result, TelemetryNames.Values.Queue);
        }
    }

    private async Task DropCatalogAsync(string name, string path, CancellationToken cancellationToken)
    {
        DropOutcome outcome;
        try
        {
            outcome = await _catalogs.DropAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _metrics.InputProcessed(TelemetryNames.Values.Catalog, TelemetryNames.Values.Failed, path);
            throw;
        }

        _metrics.InputProcessed(TelemetryNames.Values.Catalog, FunctionMetrics.OutcomeOf(outcome), path);
    }

    private async Task ProcessCutoutAsync(string name, string path, CancellationToken cancellationToken)
    {
        CutoutOutcome outcome;
        try
        {
            outcome = await _cutouts.ProcessAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _metrics.InputProcessed(TelemetryNames.Values.Cutout, TelemetryNames.Values.Failed, path);
            throw;
        }

        _metrics.InputProcessed(TelemetryNames.Values.Cutout, FunctionMetrics.OutcomeOf(outcome), path);
        if (outcome == CutoutOutcome.Written)
        {
            // Upload → output: the blob version's last-modified time (storage clock, 1 s resolution) to now (just written).
            try
            {
                Astro.Services.Storage.BlobProperties? props = await _storage.Cutouts.GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false);
                _metrics.UploadToOutput(TelemetryNames.Values.Cutout, (DateTimeOffset.UtcNow - (props?.LastModified ?? DateTimeOffset.UtcNow)).TotalSeconds);

                // Image-model predictions in the output (predictions[]: model, version, flags[]): one row each, flagged when any flag is set.
                BlobContent? output = await _storage.Predictions.DownloadAsync(CutoutPipeline.OutputName(name), 16 << 20, cancellationToken).ConfigureAwait(false);
                if (output is not null && System.Text.Json.Nodes.JsonNode.Parse(output.ToString())?["predictions"] is System.Text.Json.Nodes.JsonArray predictions)
                {
                    foreach (System.Text.Json.Nodes.JsonNode? p in predictions)
                    {
                        if (p?["model"]?.GetValue<string>() is string model && p["version"]?.GetValue<string>() is string version)
                        {
                            _metrics.RowsPredicted(model, version, path, 1, p["flags"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } ? 1 : 0);
                        }
                    }
                }
            }
            catch (Exception e) when (e is Azure.RequestFailedException or BlobTooLargeException or JsonException or InvalidOperationException)
            {
                _logger.LogDebug("Cutout {Blob}: metrics not recorded ({Reason})", name, e.Message.Split('\n')[0]);
            }
        }
    }

    /// <summary>Records a merged catalog's rows per model version and its upload → output latency, from its summary.</summary>
    private async Task RecordMergeAsync(string blob, CancellationToken cancellationToken)
    {
        try
        {
            BlobContent? r = await _storage.Predictions.DownloadAsync(CatalogPipeline.OutputNames(blob).Summary, 16 << 20, cancellationToken).ConfigureAwait(false);
            CatalogSummary? summary = r is null ? null : JsonSerializer.Deserialize<CatalogSummary>(r.Content.Span, StorageJson.Compact);
            if (summary is not null)
            {
                _metrics.RowsPredicted(summary);
                _metrics.UploadToOutput(TelemetryNames.Values.Catalog, summary.Timings.UploadToOutputSeconds);
            }
        }
        catch (Exception e) when (e is Azure.RequestFailedException or BlobTooLargeException or JsonException)
        {
            _logger.LogWarning("Catalog {Blob}: merged, but its summary could not be read for the metrics: {Reason}", blob, e.Message.Split('\n')[0]);
        }
    }

    private async Task PoisonNowAsync(IMessageQueue queue, string message, string reason, CancellationToken cancellationToken)
    {
        IMessageQueue poison = _storage.PoisonOf(queue);
        await poison.SendAsync(message, cancellationToken: cancellationToken).ConfigureAwait(false);
        _logger.LogError("Message on {Queue} can never be processed; moved to {Poison}: {Reason}", queue.Name, poison.Name, reason);
    }

    internal static string Json<T>(T value) => JsonSerializer.Serialize(value, StorageJson.Compact);
}
