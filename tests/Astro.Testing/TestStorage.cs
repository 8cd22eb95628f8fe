using Astro.Services.Storage;
using Astro.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Astro.Testing;

/// <summary>
/// What a test needs of one storage layout on Azurite: the application services' view (<see cref="Services"/>, through
/// the Azure adapter under test) and the raw Azure SDK clients, for arranging inputs and checking outputs the way an
/// outside uploader or operator would.
/// </summary>
public sealed class TestStorage
{
    /// <summary>Creates the clients.</summary>
    /// <param name="connectionString">Azurite's connection string.</param>
    /// <param name="layout">The container and queue names.</param>
    public TestStorage(string connectionString, StorageLayoutOptions layout)
    {
        ConnectionString = connectionString;
        Layout = layout;
        Provider = new AzureStorageProvider(connectionString);
        Services = new AstroStorage(Provider, layout);
        BlobService = new BlobServiceClient(connectionString);
        QueueService = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    /// <summary>Gets the connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the names.</summary>
    public StorageLayoutOptions Layout { get; }

    /// <summary>Gets the Azure adapter.</summary>
    public AzureStorageProvider Provider { get; }

    /// <summary>Gets the services' view of the storage.</summary>
    public AstroStorage Services { get; }

    /// <summary>Gets the raw blob service client.</summary>
    public BlobServiceClient BlobService { get; }

    /// <summary>Gets the raw queue service client (Base64 messages, as the queue triggers expect).</summary>
    public QueueServiceClient QueueService { get; }

    public BlobContainerClient Cutouts => BlobService.GetBlobContainerClient(Layout.CutoutsContainer);

    public BlobContainerClient Catalogs => BlobService.GetBlobContainerClient(Layout.CatalogsContainer);

    public BlobContainerClient Predictions => BlobService.GetBlobContainerClient(Layout.PredictionsContainer);

    public BlobContainerClient Models => BlobService.GetBlobContainerClient(Layout.ModelsContainer);

    public BlobContainerClient TrainingData => BlobService.GetBlobContainerClient(Layout.TrainingDataContainer);

    public BlobContainerClient Quarantine => BlobService.GetBlobContainerClient(Layout.QuarantineContainer);

    public QueueClient CatalogChunks => QueueService.GetQueueClient(Layout.CatalogChunksQueue);

    public QueueClient TrainingJobs => QueueService.GetQueueClient(Layout.TrainingJobsQueue);

    public QueueClient ModelPublished => QueueService.GetQueueClient(Layout.ModelPublishedQueue);

    public QueueClient BlobEvents => QueueService.GetQueueClient(Layout.BlobEventsQueue);

    /// <summary>The poison twin of a queue.</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>Its poison queue.</returns>
    public QueueClient PoisonOf(QueueClient queue) => QueueService.GetQueueClient(queue.Name + StorageLayoutDefaults.PoisonSuffix);

    /// <summary>The Event Grid BlobCreated event (as delivered to a queue) for a blob of this account.</summary>
    /// <param name="container">The container.</param>
    /// <param name="blob">The blob name.</param>
    /// <param name="etag">Its ETag.</param>
    /// <param name="length">Its size.</param>
    /// <returns>The message text.</returns>
    public string BlobCreatedEvent(string container, string blob, string etag, long length) =>
        Astro.Services.Events.BlobEventParser.CreateBlobCreatedEvent(Provider.Connection.AccountName, container, blob, Provider.BlobUri(container, blob).AbsoluteUri, etag, length);

    /// <summary>Creates every container and queue of the layout.</summary>
    /// <returns>The names created.</returns>
    public Task<IReadOnlyList<string>> EnsureCreatedAsync() => Services.EnsureCreatedAsync();
}
