using System.Collections.Immutable;
using System.Security.Cryptography;
using Astro.Contract.Packaging;
using Astro.Inference;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Storage.Registry;

/// <summary>The documented defaults of <see cref="ModelRegistryOptions"/>.</summary>
public static class ModelRegistryDefaults
{
    /// <summary>The pointer blob of a model: <c>{name}/current</c>, holding the version text.</summary>
    public const string PointerName = "current";

    /// <summary>The local cache folder: <c>{temp}/astro-model-cache</c>.</summary>
    public static string CacheDirectory => Path.Combine(Path.GetTempPath(), "astro-model-cache");
}

/// <summary>Options of <see cref="ModelRegistry"/>.</summary>
public sealed class ModelRegistryOptions
{
    /// <summary>Gets or sets where packages are downloaded (one folder per load).</summary>
    /// <value>The default value is <see cref="ModelRegistryDefaults.CacheDirectory"/>.</value>
    public string CacheDirectory { get; set; } = ModelRegistryDefaults.CacheDirectory;

    /// <summary>Gets or sets the options of the prediction services created for loaded packages.</summary>
    /// <value>The default value is <c>new PredictionServiceOptions()</c>.</value>
    public PredictionServiceOptions Prediction { get; set; } = new();

    /// <summary>Gets or sets the options of the image prediction services created for loaded image packages.</summary>
    /// <value>The default value is <c>new ImagePredictionServiceOptions()</c>.</value>
    public ImagePredictionServiceOptions Images { get; set; } = new();
}

/// <summary>A model version being served.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Package">The loaded package.</param>
/// <param name="Service">The prediction service (its ONNX session is shared per file).</param>
/// <param name="LoadedUtc">When it was loaded.</param>
public sealed record LoadedModel(string Name, string Version, ModelPackage Package, PredictionService Service, DateTimeOffset LoadedUtc)
{
    /// <summary>The survey profile the model takes.</summary>
    public string Profile => Package.Manifest.Profile;
}

/// <summary>An image model version being served (its manifest has an <c>image</c> section).</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Package">The loaded package.</param>
/// <param name="Service">The image prediction service (its ONNX sessions are shared per file).</param>
/// <param name="LoadedUtc">When it was loaded.</param>
public sealed record LoadedImageModel(string Name, string Version, ImagePackage Package, ImagePredictionService Service, DateTimeOffset LoadedUtc);

/// <summary>What one <see cref="ModelRegistry.RefreshAsync"/> did.</summary>
/// <param name="Loaded">"name version" of the versions loaded now.</param>
/// <param name="Removed">Names no longer served (their pointer is gone).</param>
/// <param name="Failed">"name version: reason" of versions that could not be loaded (the previous version keeps serving).</param>
public sealed record RegistryRefreshResult(IReadOnlyList<string> Loaded, IReadOnlyList<string> Removed, IReadOnlyList<string> Failed);

/// <summary>
/// The blob-backed model registry. Packages live under <c>{name}/{version}/</c> in the models container, and
/// <c>{name}/current</c> (written last by <see cref="PublishAsync"/>) names the version to serve, so a half-written package
/// is never loaded. <see cref="RefreshAsync"/> downloads a new current version to a local cache, loads and checks it
/// (manifest, profile, ONNX graph, ONNX Runtime session) and only then swaps it in; on any failure the previous version
/// keeps serving.
/// </summary>
/// <remarks>
/// Catalog packages (no <c>image</c> section in the manifest) are served through <see cref="Models"/>, image packages
/// through <see cref="ImageModels"/>; one name is one model of one kind. Thread-safe: both lists are immutable snapshots;
/// refreshes are serialised.
/// </remarks>
public class ModelRegistry
{
    private readonly BlobContainerClient _container = null!;
    private readonly ModelRegistryOptions _options = null!;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ImmutableArray<LoadedModel> _models = [];
    private ImmutableArray<LoadedImageModel> _imageModels = [];

    /// <summary>For mocking only.</summary>
    protected ModelRegistry()
    {
    }

    /// <summary>Creates a registry over a models container.</summary>
    /// <param name="container">The models container.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or null.</param>
    public ModelRegistry(BlobContainerClient container, ModelRegistryOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        _container = container;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The catalog models served now, by name.</summary>
    public virtual IReadOnlyList<LoadedModel> Models => _models;

    /// <summary>The image (cutout) models served now, by name.</summary>
    public virtual IReadOnlyList<LoadedImageModel> ImageModels => _imageModels;

    /// <summary>When the last refresh finished, or null before the first.</summary>
    public virtual DateTimeOffset? LastRefreshUtc { get; private set; }

    /// <summary>The models that take a profile.</summary>
    /// <param name="profile">The profile name.</param>
    /// <returns>The models, by name.</returns>
    public virtual IReadOnlyList<LoadedModel> ForProfile(string profile) =>
        [.. _models.Where(m => string.Equals(m.Profile, profile, StringComparison.Ordinal))];

    /// <summary>Loads every model whose current pointer names a version other than the one served.</summary>
    /// <param name="cancellationToken">Cancels the refresh.</param>
    /// <returns>What changed.</returns>
    /// <exception cref="RequestFailedException">The models container cannot be listed.</exception>
    public virtual async Task<RegistryRefreshResult> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var loaded = new List<string>();
            var failed = new List<string>();
            var removed = new List<string>();
            Dictionary<string, Served> current = _models.Select(m => new Served(m.Version, m, null))
                .Concat(_imageModels.Select(m => new Served(m.Version, null, m)))
                .ToDictionary(m => m.Catalog?.Name ?? m.Image!.Name, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await foreach (BlobHierarchyItem item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", null, cancellationToken).ConfigureAwait(false))
            {
                if (!item.IsPrefix)
                {
                    continue;
                }

                string name = item.Prefix.TrimEnd('/');
                string? version = await ReadPointerAsync(name, cancellationToken).ConfigureAwait(false);
                if (version is null)
                {
                    continue;
                }

                seen.Add(name);
                if (current.TryGetValue(name, out Served? served) && served.Version == version)
                {
                    continue;
                }

                try
                {
                    Served model = await LoadAsync(name, version, cancellationToken).ConfigureAwait(false);
                    current[name] = model;
                    loaded.Add($"{name} {version}");
                    _logger.LogInformation("Model {ModelName} {ModelVersion} loaded (was {PreviousVersion})", name, version, served?.Version ?? "none");
                }
                catch (Exception e) when (e is ModelPackageException or RequestFailedException or IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    string reason = e.Message.ReplaceLineEndings(" ");
                    failed.Add($"{name} {version}: {reason}");
                    _logger.LogError("Model {ModelName} {ModelVersion} not loaded, {PreviousVersion} keeps serving: {Reason}", name, version, served?.Version ?? "nothing", reason);
                }
            }

            foreach (string name in current.Keys.Where(n => !seen.Contains(n)).ToList())
            {
                current.Remove(name);
                removed.Add(name);
                _logger.LogWarning("Model {ModelName} is no longer published (no {Pointer} pointer); not serving it", name, ModelRegistryDefaults.PointerName);
            }

            _models = [.. current.Values.Select(m => m.Catalog).OfType<LoadedModel>().OrderBy(m => m.Name, StringComparer.Ordinal)];
            _imageModels = [.. current.Values.Select(m => m.Image).OfType<LoadedImageModel>().OrderBy(m => m.Name, StringComparer.Ordinal)];
            LastRefreshUtc = DateTimeOffset.UtcNow;
            return new RegistryRefreshResult(loaded, removed, failed);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// Publishes a package folder as <c>{name}/{version}/</c> (name and version from its manifest): uploads every file,
    /// checks each upload's MD5, then writes the <c>current</c> pointer. A crash before the pointer leaves the previous
    /// version current.
    /// </summary>
    /// <param name="packageDirectory">The package folder (manifest.json, model.onnx, profile.json, …).</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The model's name and version.</returns>
    /// <exception cref="ModelPackageException">The folder is not a valid package.</exception>
    /// <exception cref="RequestFailedException">An upload failed.</exception>
    public virtual async Task<(string Name, string Version)> PublishAsync(string packageDirectory, CancellationToken cancellationToken = default)
    {
        (ModelManifest manifest, string root) = LoadAny(packageDirectory);
        string name = manifest.Name;
        string version = manifest.Version;
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            BlobClient blob = _container.GetBlobClient($"{name}/{version}/{relative}");
            byte[] bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            byte[] md5 = MD5.HashData(bytes);
            await blob.UploadAsync(BinaryData.FromBytes(bytes), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = md5 } }, cancellationToken).ConfigureAwait(false);
            BlobProperties p = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (p.ContentLength != bytes.Length || (p.ContentHash is { Length: > 0 } h && !h.AsSpan().SequenceEqual(md5)))
            {
                throw new IOException($"Upload of {blob.Name} did not verify ({p.ContentLength} bytes stored, {bytes.Length} sent).");
            }
        }

        await _container.GetBlobClient($"{name}/{ModelRegistryDefaults.PointerName}").UploadAsync(BinaryData.FromString(version), overwrite: true, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Model {ModelName} {ModelVersion} published", name, version);
        return (name, version);
    }

    private async Task<string?> ReadPointerAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            BlobDownloadResult r = await _container.GetBlobClient($"{name}/{ModelRegistryDefaults.PointerName}").DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            string version = r.Content.ToString().Trim();
            return version.Length == 0 || version.Contains('/', StringComparison.Ordinal) ? null : version;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    // A catalog package is checked by ModelPackage, an image package (manifest with an image section) by ImagePackage.
    private static (ModelManifest Manifest, string Directory) LoadAny(string directory)
    {
        if (ImagePackage.IsImagePackage(directory))
        {
            ImagePackage image = ImagePackage.Load(directory);
            return (image.Manifest, image.Directory);
        }

        ModelPackage package = ModelPackage.Load(directory);
        return (package.Manifest, package.Directory);
    }

    private async Task<Served> LoadAsync(string name, string version, CancellationToken cancellationToken)
    {
        string prefix = $"{name}/{version}/";
        string dir = Path.Combine(_options.CacheDirectory, Safe(name), $"{Safe(version)}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            int files = 0;
            await foreach (BlobItem item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                string relative = item.Name[prefix.Length..];
                string path = Path.GetFullPath(Path.Combine(dir, relative));
                if (!path.StartsWith(dir, StringComparison.Ordinal))
                {
                    throw new ModelPackageException($"Model {name} {version}: blob '{item.Name}' escapes the package folder.");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                BlobDownloadResult r = await _container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                byte[] bytes = r.Content.ToArray();
                if (r.Details.ContentHash is { Length: > 0 } h && r.Details.ContentRange is null && !h.AsSpan().SequenceEqual(MD5.HashData(bytes)))
                {
                    throw new ModelPackageException($"Model {name} {version}: {item.Name} does not match its stored MD5.");
                }

                await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
                files++;
            }

            if (files == 0)
            {
                throw new ModelPackageException($"Model {name} {version}: the pointer names a version with no files under {_container.Name}/{prefix}.");
            }

            (ModelManifest manifest, _) = LoadAny(dir);
            if (manifest.Name != name || manifest.Version != version)
            {
                throw new ModelPackageException($"Model {name} {version}: its manifest says {manifest.Name} {manifest.Version}.");
            }

            if (manifest.Image is not null)
            {
                ImagePackage image = ImagePackage.Load(dir);
                var imageService = new ImagePredictionService(image, _options.Images);
                return new Served(version, null, new LoadedImageModel(name, version, image, imageService, DateTimeOffset.UtcNow));
            }

            ModelPackage package = ModelPackage.Load(dir);
            var service = new PredictionService(package, _options.Prediction);
            return new Served(version, new LoadedModel(name, version, package, service, DateTimeOffset.UtcNow), null);
        }
        catch
        {
            TryDelete(dir);
            throw;
        }
    }

    private sealed record Served(string Version, LoadedModel? Catalog, LoadedImageModel? Image);

    private static string Safe(string s) => string.Concat(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }
}
