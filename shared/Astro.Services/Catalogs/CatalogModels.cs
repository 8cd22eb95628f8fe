using Astro.Services.Messages;

namespace Astro.Services.Catalogs;

/// <summary>The documented defaults of <see cref="CatalogPipelineOptions"/>.</summary>
public static class CatalogPipelineDefaults
{
    /// <summary>Rows per chunk message: 50,000.</summary>
    public const int ChunkRows = 50_000;

    /// <summary>The profile of catalogs that name none: <c>gama-pdr</c>.</summary>
    public const string DefaultProfile = "gama-pdr";

    /// <summary>The suffix of profile sidecars: <c>.profile</c> (<c>{catalog}.profile</c> holds the profile name).</summary>
    public const string ProfileSidecarSuffix = ".profile";

    /// <summary>The blob metadata key naming a catalog's profile: <c>profile</c>.</summary>
    public const string ProfileMetadataKey = "profile";

    /// <summary>The most bytes read of a profile sidecar (it holds one name): 1 KiB.</summary>
    public const long MaxSidecarBytes = 1024;

    /// <summary>The most bytes read of a plan or summary the pipeline wrote itself: 16 MiB.</summary>
    public const long MaxJsonBytes = 16 << 20;

    /// <summary>The local work folder: <c>{temp}/astro-work</c>.</summary>
    public static string WorkDirectory => Path.Combine(Path.GetTempPath(), "astro-work");
}

/// <summary>Options of <see cref="CatalogPipeline"/>.</summary>
public sealed class CatalogPipelineOptions
{
    /// <summary>Gets or sets the rows per chunk message.</summary>
    /// <value>The default value is <see cref="CatalogPipelineDefaults.ChunkRows"/> (50,000). Range 1 to 16,777,216.</value>
    public int ChunkRows { get; set; } = CatalogPipelineDefaults.ChunkRows;

    /// <summary>Gets or sets the profile used when a catalog names none (metadata or sidecar).</summary>
    /// <value>The default value is <see cref="CatalogPipelineDefaults.DefaultProfile"/> (<c>gama-pdr</c>).</value>
    public string DefaultProfile { get; set; } = CatalogPipelineDefaults.DefaultProfile;

    /// <summary>Gets or sets the local folder for downloaded inputs and temporary outputs.</summary>
    /// <value>The default value is <see cref="CatalogPipelineDefaults.WorkDirectory"/>.</value>
    public string WorkDirectory { get; set; } = CatalogPipelineDefaults.WorkDirectory;

    /// <summary>Checks the values.</summary>
    /// <returns>One line per problem.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ChunkRows is < 1 or > 16_777_216)
        {
            problems.Add($"ChunkRows = {ChunkRows} is outside 1..16777216");
        }

        if (string.IsNullOrWhiteSpace(DefaultProfile))
        {
            problems.Add("DefaultProfile is empty");
        }

        if (string.IsNullOrWhiteSpace(WorkDirectory))
        {
            problems.Add("WorkDirectory is empty");
        }

        return problems;
    }
}

/// <summary>The plan of one catalog version, written before its chunks are sent (<c>catalogs/{stem}/parts/plan.json</c>).</summary>
public sealed record CatalogPlan
{
    /// <summary>The catalog's blob name.</summary>
    public required string Blob { get; init; }

    /// <summary>The version planned.</summary>
    public required string ETag { get; init; }

    /// <summary>CSV or FITS.</summary>
    public required CatalogFormat Format { get; init; }

    /// <summary>The survey profile.</summary>
    public required string Profile { get; init; }

    /// <summary>Where the profile came from: metadata, sidecar or default.</summary>
    public required string ProfileSource { get; init; }

    /// <summary>Well-formed rows.</summary>
    public required long Rows { get; init; }

    /// <summary>Rows the reader could not use (malformed lines).</summary>
    public long MalformedRows { get; init; }

    /// <summary>Rows per chunk.</summary>
    public required int ChunkRows { get; init; }

    /// <summary>Chunks.</summary>
    public required int ChunkCount { get; init; }

    /// <summary>Blob size in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary>The correlation id.</summary>
    public required string CorrelationId { get; init; }

    /// <summary>"name version" of the models serving the profile at planning time.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>When the blob version was written (its Last-Modified).</summary>
    public DateTimeOffset UploadedUtc { get; init; }

    /// <summary>When the plan was made.</summary>
    public DateTimeOffset PlannedUtc { get; init; }

    /// <summary>Seconds the planning took (download, validation, row count).</summary>
    public double PlanSeconds { get; init; }
}

/// <summary>Per-model counts in a catalog summary.</summary>
public sealed record ModelSummary
{
    /// <summary>The model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The versions used (more than one when the model was updated during the run).</summary>
    public required IReadOnlyList<string> Versions { get; init; }

    /// <summary>The predicted quantity.</summary>
    public string Target { get; init; } = "";

    /// <summary>Its unit.</summary>
    public string Unit { get; init; } = "";

    /// <summary>Rows with a prediction.</summary>
    public long RowsPredicted { get; init; }

    /// <summary>Predicted rows with a flag (missing bands, out of distribution, invalid output).</summary>
    public long RowsFlagged { get; init; }

    /// <summary>Predicted rows whose missing bands were filled.</summary>
    public long RowsMissingBands { get; init; }

    /// <summary>Predicted rows outside the training domain.</summary>
    public long RowsOutOfDistribution { get; init; }

    /// <summary>Rows not predicted.</summary>
    public long RowsNotPredicted { get; init; }

    /// <summary>Rows not predicted, by reason.</summary>
    public IReadOnlyDictionary<string, long> DroppedByReason { get; init; } = new Dictionary<string, long>();
}

/// <summary><c>predictions/catalogs/{stem}.summary.json</c>: what happened to a catalog.</summary>
public sealed record CatalogSummary
{
    /// <summary>The input blob (<c>container/name</c>).</summary>
    public required string Input { get; init; }

    /// <summary>The version processed.</summary>
    public required string ETag { get; init; }

    /// <summary>CSV or FITS.</summary>
    public required CatalogFormat Format { get; init; }

    /// <summary>The profile and where it came from.</summary>
    public required string Profile { get; init; }

    /// <summary>metadata, sidecar or default.</summary>
    public required string ProfileSource { get; init; }

    /// <summary>The correlation id.</summary>
    public required string CorrelationId { get; init; }

    /// <summary>Well-formed rows read.</summary>
    public long RowsIn { get; init; }

    /// <summary>Rows the reader could not use.</summary>
    public long MalformedRows { get; init; }

    /// <summary>Rows predicted by at least one model.</summary>
    public long RowsPredicted { get; init; }

    /// <summary>Rows predicted with a flag by at least one model.</summary>
    public long RowsFlagged { get; init; }

    /// <summary>Rows no model predicted.</summary>
    public long RowsDropped { get; init; }

    /// <summary>Rows no model predicted, by the first model's reason.</summary>
    public IReadOnlyDictionary<string, long> DroppedByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>Per model.</summary>
    public IReadOnlyList<ModelSummary> Models { get; init; } = [];

    /// <summary>Chunks and rows per chunk.</summary>
    public int Chunks { get; init; }

    /// <summary>Rows per chunk.</summary>
    public int ChunkRows { get; init; }

    /// <summary>Output blob names (predictions container).</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Timings.</summary>
    public required CatalogTimings Timings { get; init; }
}

/// <summary>Timings of a catalog run.</summary>
public sealed record CatalogTimings
{
    /// <summary>When the input version was written.</summary>
    public DateTimeOffset UploadedUtc { get; init; }

    /// <summary>When it was planned.</summary>
    public DateTimeOffset PlannedUtc { get; init; }

    /// <summary>When the outputs were written.</summary>
    public DateTimeOffset MergedUtc { get; init; }

    /// <summary>Planning seconds.</summary>
    public double PlanSeconds { get; init; }

    /// <summary>Seconds of chunk work, summed over chunks.</summary>
    public double ChunkSecondsTotal { get; init; }

    /// <summary>The slowest chunk's seconds.</summary>
    public double ChunkSecondsMax { get; init; }

    /// <summary>Merge seconds.</summary>
    public double MergeSeconds { get; init; }

    /// <summary>From upload (Last-Modified) to outputs written.</summary>
    public double UploadToOutputSeconds { get; init; }
}

/// <summary>What <see cref="CatalogPipeline.DropAsync"/> did.</summary>
public enum DropOutcome
{
    /// <summary>Chunks were sent.</summary>
    Planned = 1,

    /// <summary>This version was already planned (and its missing chunks were sent again) or done.</summary>
    AlreadyPlanned,

    /// <summary>The input went to quarantine.</summary>
    Quarantined,

    /// <summary>Nothing to do (a sidecar, or the blob is gone).</summary>
    Ignored,
}

/// <summary>What <see cref="CatalogPipeline.PredictChunkAsync"/> did.</summary>
public enum ChunkOutcome
{
    /// <summary>The part was written; the catalog is not complete yet.</summary>
    Written = 1,

    /// <summary>The part was written and the outputs merged.</summary>
    Merged,

    /// <summary>The part already existed (re-delivery).</summary>
    AlreadyDone,

    /// <summary>The blob was replaced or deleted; the chunk belongs to an old version.</summary>
    Superseded,

    /// <summary>The chunk's input turned out to be unusable; the catalog went to quarantine.</summary>
    Quarantined,
}
