using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Astro.Storage;

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
    public static string FromMetadata(IDictionary<string, string> metadata, string container, string blob, string etag)
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

/// <summary>
/// Local copies of blob versions (one file per container/name/ETag, keeping the blob's extension so readers can detect the
/// format), downloaded with an If-Match condition so a replaced blob is never mixed up with the version asked for.
/// </summary>
public class BlobFileCache
{
    private readonly string _directory = null!;

    /// <summary>For mocking only.</summary>
    protected BlobFileCache()
    {
    }

    /// <summary>Creates a cache in a folder.</summary>
    /// <param name="directory">The folder (created).</param>
    public BlobFileCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>The local path of a blob version, downloading it when it is not cached yet.</summary>
    /// <param name="blob">The blob.</param>
    /// <param name="etag">The version wanted.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The path.</returns>
    /// <exception cref="RequestFailedException">The blob is gone (404) or changed (412), or the download failed.</exception>
    public virtual async Task<string> GetAsync(BlobClient blob, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{blob.BlobContainerName}/{blob.Name}")))[..20];
        string version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(etag)))[..12];
        string path = Path.Combine(_directory, $"{key}-{version}{Extension(blob.Name)}");
        if (File.Exists(path))
        {
            return path;
        }

        string temp = path + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            await blob.DownloadToAsync(temp, new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } }, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        foreach (string old in Directory.EnumerateFiles(_directory, key + "-*"))
        {
            if (old != path && !old.EndsWith(".part", StringComparison.Ordinal))
            {
                try
                {
                    File.Delete(old);
                }
                catch (IOException)
                {
                    // in use by another reader; a later download removes it
                }
            }
        }

        return path;
    }

    /// <summary>The extension of a blob name, including <c>.gz</c> double extensions (<c>.csv.gz</c>).</summary>
    /// <param name="name">The blob name.</param>
    /// <returns>The extension, or empty.</returns>
    public static string Extension(string name)
    {
        string file = name[(name.LastIndexOf('/') + 1)..];
        string ext = Path.GetExtension(file);
        if (ext.Equals(".gz", StringComparison.OrdinalIgnoreCase))
        {
            string inner = Path.GetExtension(Path.GetFileNameWithoutExtension(file));
            return inner.Length is > 1 and <= 6 ? inner + ext : ext;
        }

        return ext.Length <= 8 ? ext : "";
    }
}
