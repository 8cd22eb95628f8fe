using System.Security.Cryptography;
using System.Text;

namespace Astro.Services.Storage;

/// <summary>
/// Local copies of blob versions (one file per container/name/ETag, keeping the blob's extension so readers can detect the
/// format), downloaded with an If-Match condition so a replaced blob is never mixed up with the version asked for.
/// </summary>
public class BlobFileCache
{
    private static readonly System.Buffers.SearchValues<char> s_extensionCharacters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
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
    /// <param name="container">The blob's container.</param>
    /// <param name="blob">The blob name.</param>
    /// <param name="etag">The version wanted.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The path.</returns>
    /// <exception cref="BlobChangedException">The blob is gone or changed.</exception>
    public virtual async Task<string> GetAsync(IBlobContainer container, string blob, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(blob);
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{container.Name}/{blob}")))[..20];
        string version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(etag)))[..12];
        string path = Path.Combine(_directory, $"{key}-{version}{Extension(blob)}");
        if (File.Exists(path))
        {
            return path;
        }

        string temp = path + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            await container.DownloadToFileAsync(blob, temp, etag, cancellationToken: cancellationToken).ConfigureAwait(false);
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
        ArgumentNullException.ThrowIfNull(name);

        // The extension becomes part of a local file name: only short alphanumeric extensions are kept, whatever the blob is called.
        string file = name[(name.LastIndexOf('/') + 1)..];
        string ext = Safe(Path.GetExtension(file));
        if (ext.Equals(".gz", StringComparison.OrdinalIgnoreCase))
        {
            string inner = Safe(Path.GetExtension(Path.GetFileNameWithoutExtension(file)));
            return inner.Length is > 1 and <= 6 ? inner + ext : ext;
        }

        return ext;
    }

    private static string Safe(string ext) => ext.Length is > 1 and <= 8 && ext.AsSpan(1).ContainsAnyExcept(s_extensionCharacters) is false ? ext : "";
}
