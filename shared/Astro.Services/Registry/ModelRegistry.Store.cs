using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Astro.Contract.Packaging;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Microsoft.Extensions.Logging;

namespace Astro.Services.Registry;

/// <summary>The registry's storage layout: the <c>current</c> pointer, downloading a version, publishing one.</summary>
public partial class ModelRegistry
{
    /// <summary>The manifest's file name inside a package: <c>manifest.json</c>.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>The most bytes of a pointer blob read (it holds one version string).</summary>
    private const long MaxPointerBytes = 1024;

    /// <summary>The version the <c>{name}/current</c> pointer names.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The version, or <see langword="null"/> when the model has no (usable) pointer.</returns>
    public virtual async Task<string?> ReadCurrentVersionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        BlobContent? pointer;
        try
        {
            pointer = await _container.DownloadAsync(PointerBlob(name), MaxPointerBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException)
        {
            return null;
        }

        string version = pointer?.ToString().Trim() ?? "";
        return version.Length == 0 || version.Contains('/', StringComparison.Ordinal) || !BlobNames.IsPlain(version) ? null : version;
    }

    /// <summary>Downloads one version of a model into a folder, checking every file against its stored MD5.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="directory">The folder (created; files are written below it only).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The number of files.</returns>
    /// <exception cref="ModelPackageException">The version has no files, a file escapes the folder, or a file does not match its MD5.</exception>
    /// <exception cref="BlobChangedException">A file vanished during the download.</exception>
    public virtual async Task<int> DownloadAsync(string name, string version, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        string prefix = $"{name}/{version}/";
        int files = 0;
        await foreach (BlobProperties item in _container.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string path = Path.GetFullPath(Path.Combine(root, item.Name[prefix.Length..]));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new ModelPackageException($"Model {name} {version}: blob '{BlobNames.Printable(item.Name)}' escapes the package folder.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            BlobProperties got = await _container.DownloadToFileAsync(item.Name, path, item.ETag, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (got.ContentMd5 is { Length: > 0 } md5)
            {
                byte[] actual;
                await using (FileStream file = File.OpenRead(path))
                {
                    actual = await MD5.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
                }

                if (!md5.AsSpan().SequenceEqual(actual))
                {
                    throw new ModelPackageException($"Model {name} {version}: {BlobNames.Printable(item.Name)} does not match its stored MD5.");
                }
            }

            files++;
        }

        return files == 0
            ? throw new ModelPackageException($"Model {name} {version}: no files under {_container.Name}/{prefix}.")
            : files;
    }

    /// <summary>
    /// Publishes a package folder as <c>{name}/{version}/</c> (name and version from its manifest): uploads every file
    /// with its MD5 and checks what was stored, then moves the <c>current</c> pointer, then sends a
    /// <see cref="ModelPublishedMessage"/> (when the registry has a model-published queue). A failure before the pointer
    /// leaves the previous version current; a failure after it is repaired by the hosts' periodic check.
    /// </summary>
    /// <param name="packageDirectory">The package folder (manifest.json, model.onnx, profile.json, …).</param>
    /// <param name="cancellationToken">Cancels the upload (not the pointer move once the files are in).</param>
    /// <returns>The model's name and version.</returns>
    /// <exception cref="ModelPackageException">The folder is not a valid package.</exception>
    /// <exception cref="IOException">A stored file does not verify.</exception>
    public virtual async Task<(string Name, string Version)> PublishAsync(string packageDirectory, CancellationToken cancellationToken = default)
    {
        (ModelManifest manifest, string root) = LoadAny(packageDirectory);
        string name = manifest.Name;
        string version = manifest.Version;
        if (!BlobNames.IsPlain(name) || name.Contains('/', StringComparison.Ordinal) || !BlobNames.IsPlain(version) || version.Contains('/', StringComparison.Ordinal))
        {
            throw new ModelPackageException($"Model package '{root}': name '{BlobNames.Printable(name)}' and version '{BlobNames.Printable(version)}' must be plain names without '/'.");
        }

        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            string blob = $"{name}/{version}/{relative}";
            BlobProperties stored;
            long length;
            await using (FileStream content = File.OpenRead(file))
            {
                length = content.Length;
                stored = await _container.UploadAsync(blob, content, new BlobWriteOptions { StoreMd5 = true }, cancellationToken).ConfigureAwait(false);
            }

            BlobProperties check = await _container.GetPropertiesAsync(blob, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException($"Upload of {blob} did not verify: the blob is not there.");
            if (check.Length != length || check.ETag != stored.ETag)
            {
                throw new IOException($"Upload of {blob} did not verify ({check.Length} bytes stored, {length} sent).");
            }
        }

        // The files are in and verified: from here the publication completes even if the caller gives up.
        using (var pointer = new MemoryStream(Encoding.UTF8.GetBytes(version)))
        {
            await _container.UploadAsync(PointerBlob(name), pointer, new BlobWriteOptions { ContentType = "text/plain" }, CancellationToken.None).ConfigureAwait(false);
        }

        _logger.LogInformation("Model {ModelName} {ModelVersion} published", name, version);
        if (_published is not null)
        {
            await _published.SendAsync(JsonSerializer.Serialize(new ModelPublishedMessage { Name = name, Version = version }, StorageJson.Compact), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }

        return (name, version);
    }

    /// <summary>The versions stored for a model (folders under <c>{name}/</c>), in name order.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The versions.</returns>
    public virtual async Task<IReadOnlyList<string>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var versions = new List<string>();
        await foreach (string folder in _container.ListFoldersAsync(name + "/", cancellationToken).ConfigureAwait(false))
        {
            versions.Add(folder[(name.Length + 1)..].TrimEnd('/'));
        }

        return versions;
    }

    /// <summary>The model names that have a folder in the container, in name order.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The names.</returns>
    public virtual async Task<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        await foreach (string folder in _container.ListFoldersAsync("", cancellationToken).ConfigureAwait(false))
        {
            names.Add(folder.TrimEnd('/'));
        }

        return names;
    }

    /// <summary>Reads the manifest of a stored version.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The manifest, or <see langword="null"/> when the version has none.</returns>
    /// <exception cref="ModelPackageException">The manifest is not valid.</exception>
    public virtual async Task<ModelManifest?> ReadManifestAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        string blob = $"{name}/{version}/{ManifestFileName}";
        BlobContent? manifest = await _container.DownloadAsync(blob, 16 << 20, cancellationToken).ConfigureAwait(false);
        return manifest is null ? null : ModelManifest.Parse(manifest.ToString(), $"{_container.Name}/{blob}");
    }

    private static string PointerBlob(string name) => $"{name}/{ModelRegistryDefaults.PointerName}";
}
