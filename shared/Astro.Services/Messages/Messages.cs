using System.Text.Json;
using System.Text.Json.Serialization;

namespace Astro.Services.Messages;

/// <summary>The JSON settings of every message and record this library writes: camelCase, enums as strings, no nulls.</summary>
public static class StorageJson
{
    /// <summary>Compact JSON for queue messages.</summary>
    public static JsonSerializerOptions Compact { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Indented JSON for blobs people read (summaries, reasons).</summary>
    public static JsonSerializerOptions Indented { get; } = new(Compact) { WriteIndented = true };

    /// <summary>Parses a message, naming the queue in the error.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="json">The message text.</param>
    /// <param name="what">What the message is, for the error.</param>
    /// <returns>The message.</returns>
    /// <exception cref="InvalidInputException">The text is not a valid message.</exception>
    public static T Parse<T>(string json, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Compact) ?? throw new InvalidInputException(InputProblem.InvalidMessage, $"{what}: the message is empty (null).");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(InputProblem.InvalidMessage, $"{what}: the message is not valid JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}

/// <summary>Which input format a catalog has.</summary>
public enum CatalogFormat
{
    /// <summary>CSV-like text (any delimiter the reader detects; may be gzip-compressed).</summary>
    Csv = 1,

    /// <summary>A FITS binary table.</summary>
    Fits,
}

/// <summary>One chunk of a catalog fan-out: the blob version, the row range and the profile. Sent on the catalog-chunks queue.</summary>
public sealed record ChunkMessage
{
    /// <summary>The catalog's blob name (in the catalogs container).</summary>
    public required string Blob { get; init; }

    /// <summary>The ETag of the blob version this chunk belongs to; chunks of a replaced version are dropped.</summary>
    public required string ETag { get; init; }

    /// <summary>CSV or FITS.</summary>
    public required CatalogFormat Format { get; init; }

    /// <summary>The survey profile the catalog follows.</summary>
    public required string Profile { get; init; }

    /// <summary>0-based chunk index.</summary>
    public required int Chunk { get; init; }

    /// <summary>How many chunks the catalog has.</summary>
    public required int ChunkCount { get; init; }

    /// <summary>0-based index of the first row (among the catalog's well-formed rows).</summary>
    public required long FirstRow { get; init; }

    /// <summary>Rows in this chunk.</summary>
    public required int RowCount { get; init; }

    /// <summary>The correlation id of the catalog (flows blob → chunk → prediction in the logs).</summary>
    public required string CorrelationId { get; init; }
}

/// <summary>A training job for the trainer worker (issue 6), sent on the training-jobs queue.</summary>
public sealed record TrainingJobMessage
{
    /// <summary>A unique id of the job.</summary>
    public string JobId { get; init; } = "";

    /// <summary>The model to (re)train (its name in the registry).</summary>
    public required string ModelName { get; init; }

    /// <summary>The survey profile of the training data.</summary>
    public required string Profile { get; init; }

    /// <summary>The target label (e.g. logMstar), or null for the model's current target.</summary>
    public string? Target { get; init; }

    /// <summary>Blob names in the training-data container.</summary>
    public IReadOnlyList<string> TrainingData { get; init; } = [];

    /// <summary>Training options as given (architecture, epochs, seed, publish rule, …).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Why: "schedule" or "http".</summary>
    public string Reason { get; init; } = "";

    /// <summary>When the job was requested (UTC).</summary>
    public DateTimeOffset RequestedUtc { get; init; }

    /// <summary>The correlation id.</summary>
    public string CorrelationId { get; init; } = "";
}

/// <summary>"A model version is current", sent on the model-published queue after the <c>current</c> pointer moved.</summary>
public sealed record ModelPublishedMessage
{
    /// <summary>The model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version now current.</summary>
    public required string Version { get; init; }
}

/// <summary>Why an input was quarantined; written next to it as <c>{name}.reason.json</c>.</summary>
public sealed record QuarantineRecord
{
    /// <summary>The container the input came from.</summary>
    public required string SourceContainer { get; init; }

    /// <summary>The input's blob name.</summary>
    public required string Blob { get; init; }

    /// <summary>The ETag of the version quarantined.</summary>
    public string? ETag { get; init; }

    /// <summary>The problem class.</summary>
    public required InputProblem Problem { get; init; }

    /// <summary>The one-line reason.</summary>
    public required string Reason { get; init; }

    /// <summary>The correlation id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>When it was quarantined (UTC).</summary>
    public DateTimeOffset QuarantinedUtc { get; init; }
}
