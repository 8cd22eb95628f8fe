using System.Text.Json;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Services.Quarantine;

/// <summary>
/// Puts inputs that cannot be processed into the quarantine container: <c>{source container}/{blob name}</c> (the bytes of
/// the version that failed) and <c>{source container}/{blob name}.reason.json</c> (a <see cref="QuarantineRecord"/>).
/// Names that are not plain (<see cref="BlobNames.IsPlain"/>: dot segments, control characters, very long) are stored
/// under <c>{source container}/_names/{digest}</c> instead; the record carries the original name. The input itself is
/// left where it was. Writing the same input again overwrites both with the same content.
/// </summary>
public class QuarantineWriter
{
    /// <summary>The suffix of reason files.</summary>
    public const string ReasonSuffix = ".reason.json";

    private readonly IBlobContainer _quarantine = null!;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>For mocking only.</summary>
    protected QuarantineWriter()
    {
    }

    /// <summary>Creates a writer.</summary>
    /// <param name="quarantine">The quarantine container.</param>
    /// <param name="logger">The logger, or null.</param>
    public QuarantineWriter(IBlobContainer quarantine, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        _quarantine = quarantine;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The quarantine blob name of an input.</summary>
    /// <param name="sourceContainer">The input's container.</param>
    /// <param name="blob">The input's blob name.</param>
    /// <returns><c>{sourceContainer}/{blob}</c>, or <c>{sourceContainer}/_names/{digest}</c> for a name that is not plain.</returns>
    public static string QuarantineName(string sourceContainer, string blob) => $"{sourceContainer}/{BlobNames.PlainOrDigest(blob)}";

    /// <summary>Quarantines an input.</summary>
    /// <param name="source">The input's container.</param>
    /// <param name="content">The bytes that failed, or <see langword="null"/> to copy the version named by the record from <paramref name="source"/> (streamed: any size).</param>
    /// <param name="record">Why.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The reason blob's name.</returns>
    public virtual async Task<string> QuarantineAsync(IBlobContainer source, ReadOnlyMemory<byte>? content, QuarantineRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(record);
        string name = QuarantineName(record.SourceContainer, record.Blob);
        var metadata = new Dictionary<string, string> { ["sourceEtag"] = Ascii(record.ETag ?? ""), ["problem"] = record.Problem.ToString() };
        if (content is { } bytes)
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            await _quarantine.UploadAsync(name, stream, new BlobWriteOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                using Stream stream = await source.OpenReadAsync(record.Blob, record.ETag, cancellationToken: cancellationToken).ConfigureAwait(false);
                await _quarantine.UploadAsync(name, stream, new BlobWriteOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobChangedException)
            {
                // Gone or replaced: the reason is recorded all the same (a replacement has its own trigger).
            }
        }

        string reasonName = name + ReasonSuffix;
        using (var reason = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, StorageJson.Indented)))
        {
            await _quarantine.UploadAsync(reasonName, reason, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }

        _logger.LogWarning("Quarantined {Container}/{Blob} ({Problem}): {Reason}", record.SourceContainer, BlobNames.Printable(record.Blob), record.Problem, record.Reason);
        return reasonName;
    }

    private static string Ascii(string s) => string.Concat(s.Where(c => c is >= ' ' and <= '~'));
}
