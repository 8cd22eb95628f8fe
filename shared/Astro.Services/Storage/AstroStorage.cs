namespace Astro.Services.Storage;

/// <summary>
/// The containers and queues of the app by role (<see cref="StorageLayoutOptions"/> names them), made once from a
/// storage provider: Azure Storage in the hosts, memory in the tests.
/// </summary>
public class AstroStorage
{
    private readonly IStorageProvider _provider = null!;

    /// <summary>For mocking only.</summary>
    protected AstroStorage()
    {
        Layout = new StorageLayoutOptions();
    }

    /// <summary>Creates the role map.</summary>
    /// <param name="provider">Makes containers and queues.</param>
    /// <param name="layout">The names (validated).</param>
    /// <exception cref="ArgumentException">A name is invalid.</exception>
    public AstroStorage(IStorageProvider provider, StorageLayoutOptions layout)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(layout);
        IReadOnlyList<string> problems = layout.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid storage layout: {string.Join("; ", problems)}.", nameof(layout));
        }

        _provider = provider;
        Layout = layout;
        Cutouts = provider.GetContainer(layout.CutoutsContainer);
        Catalogs = provider.GetContainer(layout.CatalogsContainer);
        Predictions = provider.GetContainer(layout.PredictionsContainer);
        Models = provider.GetContainer(layout.ModelsContainer);
        TrainingData = provider.GetContainer(layout.TrainingDataContainer);
        Quarantine = provider.GetContainer(layout.QuarantineContainer);
        CatalogChunks = provider.GetQueue(layout.CatalogChunksQueue);
        TrainingJobs = provider.GetQueue(layout.TrainingJobsQueue);
        ModelPublished = provider.GetQueue(layout.ModelPublishedQueue);
        BlobEvents = provider.GetQueue(layout.BlobEventsQueue);
    }

    /// <summary>Gets the names.</summary>
    public virtual StorageLayoutOptions Layout { get; }

    /// <summary>Gets the container of incoming cutouts.</summary>
    public virtual IBlobContainer Cutouts { get; } = null!;

    /// <summary>Gets the container of incoming catalogs.</summary>
    public virtual IBlobContainer Catalogs { get; } = null!;

    /// <summary>Gets the output container.</summary>
    public virtual IBlobContainer Predictions { get; } = null!;

    /// <summary>Gets the model-package container.</summary>
    public virtual IBlobContainer Models { get; } = null!;

    /// <summary>Gets the training-data container.</summary>
    public virtual IBlobContainer TrainingData { get; } = null!;

    /// <summary>Gets the quarantine container.</summary>
    public virtual IBlobContainer Quarantine { get; } = null!;

    /// <summary>Gets the chunk queue of the catalog fan-out.</summary>
    public virtual IMessageQueue CatalogChunks { get; } = null!;

    /// <summary>Gets the training-job queue.</summary>
    public virtual IMessageQueue TrainingJobs { get; } = null!;

    /// <summary>Gets the model-published queue.</summary>
    public virtual IMessageQueue ModelPublished { get; } = null!;

    /// <summary>Gets the queue Event Grid delivers blob-created events to.</summary>
    public virtual IMessageQueue BlobEvents { get; } = null!;

    /// <summary>The container of a name, when it is one of the app's input containers.</summary>
    /// <param name="name">A container name.</param>
    /// <returns>The container, or <see langword="null"/>.</returns>
    public virtual IBlobContainer? Container(string name) =>
        name == Layout.CatalogsContainer ? Catalogs
        : name == Layout.CutoutsContainer ? Cutouts
        : name == Layout.PredictionsContainer ? Predictions
        : name == Layout.ModelsContainer ? Models
        : name == Layout.TrainingDataContainer ? TrainingData
        : name == Layout.QuarantineContainer ? Quarantine
        : null;

    /// <summary>The poison twin of a queue (<c>{name}-poison</c>).</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>Its poison queue.</returns>
    public virtual IMessageQueue PoisonOf(IMessageQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return _provider.GetQueue(queue.Name + StorageLayoutDefaults.PoisonSuffix);
    }

    /// <summary>Creates every container and queue (and the poison twins) that does not exist yet.</summary>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The names created.</returns>
    public virtual async Task<IReadOnlyList<string>> EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var created = new List<string>();
        foreach (string c in Layout.Containers)
        {
            if (await _provider.CreateContainerIfNotExistsAsync(c, cancellationToken).ConfigureAwait(false))
            {
                created.Add(c);
            }
        }

        foreach (string q in Layout.Queues)
        {
            if (await _provider.CreateQueueIfNotExistsAsync(q, cancellationToken).ConfigureAwait(false))
            {
                created.Add(q);
            }
        }

        return created;
    }
}
