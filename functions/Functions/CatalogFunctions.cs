using System.Text.Json;
using Astro.Functions.Hosting;
using Astro.Storage;
using Astro.Storage.Catalogs;
using Astro.Storage.Cutouts;
using Astro.Storage.Events;
using Astro.Storage.Models;
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
    private readonly AstroStorageClient _storage;
    private readonly FunctionAppSettings _settings;
    private readonly ILogger<CatalogFunctions> _logger;

    /// <summary>Creates the functions (by the WebJobs job activator, from DI).</summary>
    public CatalogFunctions(CatalogPipeline catalogs, CutoutPipeline cutouts, AstroStorageClient storage, FunctionAppSettings settings, ILogger<CatalogFunctions> logger)
    {
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
        return _catalogs.DropAsync(name, cancellationToken);
    }

    /// <summary>A cutout blob arrived: validate and summarise it.</summary>
    [FunctionName("CutoutDrop")]
    [Disable(SettingKeys.DisableBlobTriggers)]
    public Task CutoutDrop([BlobTrigger("%Astro:Storage:CutoutsContainer%/{name}")] ICloudBlob blob, string name, CancellationToken cancellationToken)
    {
        _ = blob;
        return _cutouts.ProcessAsync(name, cancellationToken);
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
            await PoisonNowAsync(_settings.Storage.BlobEventsQueue, message, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (BlobCreated b in blobs)
        {
            if (b.Container == _settings.Storage.CatalogsContainer)
            {
                await _catalogs.DropAsync(b.Blob, cancellationToken).ConfigureAwait(false);
            }
            else if (b.Container == _settings.Storage.CutoutsContainer)
            {
                await _cutouts.ProcessAsync(b.Blob, cancellationToken).ConfigureAwait(false);
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
            await PoisonNowAsync(_settings.Storage.CatalogChunksQueue, message, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await _catalogs.PredictChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (dequeueCount >= _settings.QueueMaxDequeueCount && e is not OperationCanceledException)
        {
            string record = await _catalogs.RecordChunkFailureAsync(chunk, e, cancellationToken).ConfigureAwait(false);
            _logger.LogError("Chunk {Chunk} of {Blob} failed {Attempts} times; it goes to the poison queue, reason in {Record}: {Reason}", chunk.Chunk, chunk.Blob, dequeueCount, record, e.Message.ReplaceLineEndings(" "));
            throw;
        }
    }

    private async Task PoisonNowAsync(string queue, string message, string reason, CancellationToken cancellationToken)
    {
        string poison = queue + StorageLayoutDefaults.PoisonSuffix;
        await _storage.QueueService.GetQueueClient(poison).SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
        _logger.LogError("Message on {Queue} can never be processed; moved to {Poison}: {Reason}", queue, poison, reason);
    }

    internal static string Json<T>(T value) => JsonSerializer.Serialize(value, StorageJson.Compact);
}
