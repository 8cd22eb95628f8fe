using System.Collections.Immutable;
using Astro.Contract.Packaging;
using Astro.Inference;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Astro.Services.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Services.Registry;

/// <summary>
/// The blob-backed model registry: the one owner of the model-package layout in the models container. Packages live
/// under <c>{name}/{version}/</c>, and <c>{name}/current</c> names the version to serve. <see cref="PublishAsync"/>
/// uploads and verifies a package, then moves the pointer, then notifies the model-published queue, in that order, so
/// a half-written package is never served and a crash anywhere leaves the previous version current.
/// <see cref="RefreshAsync"/> downloads a new current version to a local cache, loads and checks it (manifest, profile,
/// ONNX graph, ONNX Runtime session) and only then swaps it in; on any failure the previous version keeps serving.
/// </summary>
/// <remarks>
/// Catalog packages (no <c>image</c> section in the manifest) are served through <see cref="Models"/>, image packages
/// through <see cref="ImageModels"/>; one name is one model of one kind. Thread-safe: both lists are immutable snapshots;
/// refreshes are serialised.
/// </remarks>
public partial class ModelRegistry
{
    private readonly IBlobContainer _container = null!;
    private readonly IMessageQueue? _published;
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
    /// <param name="published">The model-published queue <see cref="PublishAsync"/> notifies, or <see langword="null"/> for none.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or null.</param>
    public ModelRegistry(IBlobContainer container, IMessageQueue? published, ModelRegistryOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        _container = container;
        _published = published;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a registry over the app's models container and model-published queue.</summary>
    /// <param name="storage">The storage roles.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or null.</param>
    public ModelRegistry(AstroStorage storage, ModelRegistryOptions options, ILogger? logger = null)
        : this((storage ?? throw new ArgumentNullException(nameof(storage))).Models, storage.ModelPublished, options, logger)
    {
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
    /// <remarks>Storage failures of the listing propagate; a version that cannot be loaded is reported in the result.</remarks>
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
            await foreach (string folder in _container.ListFoldersAsync("", cancellationToken).ConfigureAwait(false))
            {
                string name = folder.TrimEnd('/');
                string? version = await ReadCurrentVersionAsync(name, cancellationToken).ConfigureAwait(false);
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
                catch (Exception e) when (e is ModelPackageException or BlobChangedException or IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    string reason = Printable.Line(e.Message);
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

    private async Task<Served> LoadAsync(string name, string version, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(_options.CacheDirectory, Safe(name), $"{Safe(version)}.{Guid.NewGuid():N}");
        try
        {
            await DownloadAsync(name, version, dir, cancellationToken).ConfigureAwait(false);
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
