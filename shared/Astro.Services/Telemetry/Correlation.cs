using System.Security.Cryptography;
using System.Text;

namespace Astro.Services.Telemetry;

/// <summary>Correlation ids: deterministic per blob version, so every path that processes the same version logs the same id.</summary>
public static class Correlation
{
    /// <summary>The metadata key an uploader may set to choose the correlation id.</summary>
    public const string MetadataKey = "correlationid";

    /// <summary>The id of a blob version: <c>c-</c> + 16 hex digits of SHA-256(container/name/etag).</summary>
    /// <param name="container">The container.</param>
    /// <param name="blob">The blob name.</param>
    /// <param name="etag">The version's ETag.</param>
    /// <returns>The id.</returns>
    public static string ForBlob(string container, string blob, string etag) =>
        "c-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{container}/{blob}/{etag}")))[..16];

    /// <summary>The id from blob metadata (key <see cref="MetadataKey"/>, any case), else <see cref="ForBlob"/>.</summary>
    /// <param name="metadata">The blob's metadata.</param>
    /// <param name="container">The container.</param>
    /// <param name="blob">The blob name.</param>
    /// <param name="etag">The version's ETag.</param>
    /// <returns>The id.</returns>
    public static string FromMetadata(IReadOnlyDictionary<string, string> metadata, string container, string blob, string etag)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (KeyValuePair<string, string> kv in metadata)
        {
            if (string.Equals(kv.Key, MetadataKey, StringComparison.OrdinalIgnoreCase) && kv.Value.Length is > 0 and <= 128)
            {
                return kv.Value;
            }
        }

        return ForBlob(container, blob, etag);
    }
}
