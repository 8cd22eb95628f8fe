using System.Text.Json;
using Astro.Storage.Models;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Storage;

/// <summary>
/// Puts inputs that cannot be processed into the quarantine container: <c>{source container}/{blob name}</c> (the bytes of
/// the version that failed) and <c>{source container}/{blob name}.reason.json</c> (a <see cref="QuarantineRecord"/>).
/// The input itself is left where it was. Writing the same input again overwrites both with the same content.
/// </summary>
public class QuarantineWriter
{
    /// <summary>The suffix of reason files.</summary>
    public const string ReasonSuffix = ".reason.json";

    private readonly BlobContainerClient _quarantine = null!;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>For mocking only.</summary>
    protected QuarantineWriter()
    {
    }

    /// <summary>Creates a writer.</summary>
    /// <param name="quarantine">The quarantine container.</param>
    /// <param name="logger">The logger, or null.</param>
    public QuarantineWriter(BlobContainerClient quarantine, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        _quarantine = quarantine;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The quarantine blob name of an input.</summary>
    /// <param name="sourceContainer">The input's container.</param>
    /// <param name="blob">The input's blob name.</param>
    /// <returns><c>{sourceContainer}/{blob}</c>.</returns>
    public static string QuarantineName(string sourceContainer, string blob) => $"{sourceContainer}/{blob}";

    /// <summary>Quarantines an input whose bytes were already read.</summary>
    /// <param name="source">The input blob.</param>
    /// <param name="content">The bytes that failed (null to copy them from <paramref name="source"/>).</param>
    /// <param name="record">Why.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The reason blob's name.</returns>
    public virtual async Task<string> QuarantineAsync(BlobClient source, BinaryData? content, QuarantineRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(record);
        string name = QuarantineName(record.SourceContainer, record.Blob);
        if (content is null)
        {
            try
            {
                content = (await source.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                content = null;
            }
        }

        if (content is not null)
        {
            await _quarantine.GetBlobClient(name).UploadAsync(content, new BlobUploadOptions
            {
                Metadata = new Dictionary<string, string> { ["sourceEtag"] = Header(record.ETag ?? ""), ["problem"] = record.Problem.ToString() },
            }, cancellationToken).ConfigureAwait(false);
        }

        string reasonName = name + ReasonSuffix;
        await _quarantine.GetBlobClient(reasonName).UploadAsync(
            BinaryData.FromString(JsonSerializer.Serialize(record, StorageJson.Indented)),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken).ConfigureAwait(false);
        _logger.LogWarning("Quarantined {Container}/{Blob} ({Problem}): {Reason}", record.SourceContainer, record.Blob, record.Problem, record.Reason);
        return reasonName;
    }

    private static string Header(string s) => string.Concat(s.Where(c => c is >= ' ' and <= '~'));
}
