using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Astro.Storage;

/// <summary>
/// The Azure Storage clients of the app, created once from a connection string: blob and queue service clients, and a
/// client per container and queue of the <see cref="StorageLayoutOptions"/>. Queue clients use Base64 message encoding,
/// which the WebJobs SDK's queue triggers expect.
/// </summary>
public class AstroStorageClient
{
    private readonly StorageLayoutOptions _layout = null!;

    /// <summary>For mocking only.</summary>
    protected AstroStorageClient()
    {
    }

    /// <summary>Creates the clients.</summary>
    /// <param name="connectionString">An Azure Storage connection string (<c>UseDevelopmentStorage=true</c> or account key / SAS form).</param>
    /// <param name="layout">The container and queue names (validated).</param>
    /// <exception cref="ArgumentException">The connection string is empty or malformed, or a name is invalid.</exception>
    public AstroStorageClient(string connectionString, StorageLayoutOptions layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        string? problem = CheckConnectionString(connectionString);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(connectionString));
        }

        IReadOnlyList<string> problems = layout.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid storage layout: {string.Join("; ", problems)}.", nameof(layout));
        }

        _layout = layout;
        BlobService = new BlobServiceClient(connectionString);
        QueueService = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    /// <summary>The container and queue names.</summary>
    public virtual StorageLayoutOptions Layout => _layout;

    /// <summary>The blob service.</summary>
    public virtual BlobServiceClient BlobService { get; } = null!;

    /// <summary>The queue service (Base64 messages).</summary>
    public virtual QueueServiceClient QueueService { get; } = null!;

    /// <summary>The cutouts container.</summary>
    public virtual BlobContainerClient Cutouts => BlobService.GetBlobContainerClient(_layout.CutoutsContainer);

    /// <summary>The catalogs container.</summary>
    public virtual BlobContainerClient Catalogs => BlobService.GetBlobContainerClient(_layout.CatalogsContainer);

    /// <summary>The predictions container.</summary>
    public virtual BlobContainerClient Predictions => BlobService.GetBlobContainerClient(_layout.PredictionsContainer);

    /// <summary>The models container.</summary>
    public virtual BlobContainerClient Models => BlobService.GetBlobContainerClient(_layout.ModelsContainer);

    /// <summary>The training-data container.</summary>
    public virtual BlobContainerClient TrainingData => BlobService.GetBlobContainerClient(_layout.TrainingDataContainer);

    /// <summary>The quarantine container.</summary>
    public virtual BlobContainerClient Quarantine => BlobService.GetBlobContainerClient(_layout.QuarantineContainer);

    /// <summary>The catalog-chunks queue.</summary>
    public virtual QueueClient CatalogChunks => QueueService.GetQueueClient(_layout.CatalogChunksQueue);

    /// <summary>The training-jobs queue.</summary>
    public virtual QueueClient TrainingJobs => QueueService.GetQueueClient(_layout.TrainingJobsQueue);

    /// <summary>The model-published queue.</summary>
    public virtual QueueClient ModelPublished => QueueService.GetQueueClient(_layout.ModelPublishedQueue);

    /// <summary>The blob-events queue.</summary>
    public virtual QueueClient BlobEvents => QueueService.GetQueueClient(_layout.BlobEventsQueue);

    /// <summary>Creates every container and queue (and the poison twins) that does not exist yet.</summary>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The names created.</returns>
    /// <exception cref="RequestFailedException">The service refused (authentication, network).</exception>
    public virtual async Task<IReadOnlyList<string>> EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var created = new List<string>();
        foreach (string c in _layout.Containers)
        {
            Response<Azure.Storage.Blobs.Models.BlobContainerInfo>? r = await BlobService.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (r is not null)
            {
                created.Add(c);
            }
        }

        foreach (string q in _layout.Queues)
        {
            Response? r = await QueueService.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (r is not null && r.Status == 201)
            {
                created.Add(q);
            }
        }

        return created;
    }

    /// <summary>Checks that a connection string is present and parses, without contacting the service.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <returns>A one-line problem, or <see langword="null"/> when it is usable.</returns>
    public static string? CheckConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "the storage connection string is not set";
        }

        try
        {
            _ = new BlobServiceClient(connectionString);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return $"the storage connection string is malformed ({e.Message.ReplaceLineEndings(" ")})";
        }
    }
}
