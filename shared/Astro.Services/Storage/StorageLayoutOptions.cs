using System.Text.RegularExpressions;

namespace Astro.Services.Storage;

/// <summary>The documented defaults of <see cref="StorageLayoutOptions"/>.</summary>
public static class StorageLayoutDefaults
{
    /// <summary>Incoming FITS cutouts: <c>cutouts</c>.</summary>
    public const string CutoutsContainer = "cutouts";

    /// <summary>Incoming catalog files (CSV-like text or FITS tables): <c>catalogs</c>.</summary>
    public const string CatalogsContainer = "catalogs";

    /// <summary>Outputs: <c>predictions</c>.</summary>
    public const string PredictionsContainer = "predictions";

    /// <summary>Published model packages: <c>models</c>.</summary>
    public const string ModelsContainer = "models";

    /// <summary>Training catalogs: <c>training-data</c>.</summary>
    public const string TrainingDataContainer = "training-data";

    /// <summary>Inputs that could not be processed, each with a reason JSON: <c>quarantine</c>.</summary>
    public const string QuarantineContainer = "quarantine";

    /// <summary>Chunk messages of the catalog fan-out: <c>catalog-chunks</c>.</summary>
    public const string CatalogChunksQueue = "catalog-chunks";

    /// <summary>Training jobs for the trainer worker: <c>training-jobs</c>.</summary>
    public const string TrainingJobsQueue = "training-jobs";

    /// <summary>"A new model version is current" notices: <c>model-published</c>.</summary>
    public const string ModelPublishedQueue = "model-published";

    /// <summary>Event Grid blob-created events delivered to a storage queue: <c>blob-events</c>.</summary>
    public const string BlobEventsQueue = "blob-events";

    /// <summary>The suffix the WebJobs SDK gives a queue's poison twin: <c>-poison</c>.</summary>
    public const string PoisonSuffix = "-poison";
}

/// <summary>The container and queue names the function app and the trainer use. Every name is a setting with a default.</summary>
public sealed class StorageLayoutOptions
{
    private static readonly Regex s_name = new("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$", RegexOptions.CultureInvariant);

    /// <summary>Gets or sets the container of incoming cutouts.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.CutoutsContainer"/> (<c>cutouts</c>).</value>
    public string CutoutsContainer { get; set; } = StorageLayoutDefaults.CutoutsContainer;

    /// <summary>Gets or sets the container of incoming catalogs.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.CatalogsContainer"/> (<c>catalogs</c>).</value>
    public string CatalogsContainer { get; set; } = StorageLayoutDefaults.CatalogsContainer;

    /// <summary>Gets or sets the output container.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.PredictionsContainer"/> (<c>predictions</c>).</value>
    public string PredictionsContainer { get; set; } = StorageLayoutDefaults.PredictionsContainer;

    /// <summary>Gets or sets the model-package container.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.ModelsContainer"/> (<c>models</c>).</value>
    public string ModelsContainer { get; set; } = StorageLayoutDefaults.ModelsContainer;

    /// <summary>Gets or sets the training-data container.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.TrainingDataContainer"/> (<c>training-data</c>).</value>
    public string TrainingDataContainer { get; set; } = StorageLayoutDefaults.TrainingDataContainer;

    /// <summary>Gets or sets the quarantine container.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.QuarantineContainer"/> (<c>quarantine</c>).</value>
    public string QuarantineContainer { get; set; } = StorageLayoutDefaults.QuarantineContainer;

    /// <summary>Gets or sets the chunk queue of the catalog fan-out.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.CatalogChunksQueue"/> (<c>catalog-chunks</c>).</value>
    public string CatalogChunksQueue { get; set; } = StorageLayoutDefaults.CatalogChunksQueue;

    /// <summary>Gets or sets the training-job queue.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.TrainingJobsQueue"/> (<c>training-jobs</c>).</value>
    public string TrainingJobsQueue { get; set; } = StorageLayoutDefaults.TrainingJobsQueue;

    /// <summary>Gets or sets the model-published queue.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.ModelPublishedQueue"/> (<c>model-published</c>).</value>
    public string ModelPublishedQueue { get; set; } = StorageLayoutDefaults.ModelPublishedQueue;

    /// <summary>Gets or sets the queue Event Grid delivers blob-created events to.</summary>
    /// <value>The default value is <see cref="StorageLayoutDefaults.BlobEventsQueue"/> (<c>blob-events</c>).</value>
    public string BlobEventsQueue { get; set; } = StorageLayoutDefaults.BlobEventsQueue;

    /// <summary>The six containers, in a fixed order.</summary>
    public IReadOnlyList<string> Containers =>
        [CutoutsContainer, CatalogsContainer, PredictionsContainer, ModelsContainer, TrainingDataContainer, QuarantineContainer];

    /// <summary>The four queues and their poison twins.</summary>
    public IReadOnlyList<string> Queues
    {
        get
        {
            string[] main = [CatalogChunksQueue, TrainingJobsQueue, ModelPublishedQueue, BlobEventsQueue];
            return [.. main, .. main.Select(q => q + StorageLayoutDefaults.PoisonSuffix)];
        }
    }

    /// <summary>Checks every name against the Azure Storage rules (3–63 lowercase letters, digits and single hyphens,
    /// starting and ending with a letter or digit; queues leave room for <c>-poison</c>) and that no two are equal.</summary>
    /// <returns>One line per problem, naming the setting; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        (string Setting, string? Value, bool Queue)[] all =
        [
            (nameof(CutoutsContainer), CutoutsContainer, false), (nameof(CatalogsContainer), CatalogsContainer, false),
            (nameof(PredictionsContainer), PredictionsContainer, false), (nameof(ModelsContainer), ModelsContainer, false),
            (nameof(TrainingDataContainer), TrainingDataContainer, false), (nameof(QuarantineContainer), QuarantineContainer, false),
            (nameof(CatalogChunksQueue), CatalogChunksQueue, true), (nameof(TrainingJobsQueue), TrainingJobsQueue, true),
            (nameof(ModelPublishedQueue), ModelPublishedQueue, true), (nameof(BlobEventsQueue), BlobEventsQueue, true),
        ];
        foreach ((string setting, string? value, bool queue) in all)
        {
            int max = queue ? 63 - StorageLayoutDefaults.PoisonSuffix.Length : 63;
            if (string.IsNullOrEmpty(value))
            {
                problems.Add($"{setting} is empty");
            }
            else if (!s_name.IsMatch(value) || value.Length > max)
            {
                problems.Add($"{setting} '{value}' is not a valid {(queue ? "queue" : "container")} name (3-{max} lowercase letters, digits and single hyphens, starting and ending with a letter or digit)");
            }
        }

        foreach (IGrouping<string?, (string Setting, string? Value, bool Queue)> g in all.Where(a => !string.IsNullOrEmpty(a.Value)).GroupBy(a => (a.Queue ? "q:" : "c:") + a.Value))
        {
            if (g.Count() > 1)
            {
                problems.Add($"{string.Join(" and ", g.Select(x => x.Setting))} are both '{g.First().Value}'");
            }
        }

        return problems;
    }
}
