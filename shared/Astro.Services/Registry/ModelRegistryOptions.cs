using Astro.Inference;
using Astro.Inference.Images;
using Astro.Inference.Packaging;

namespace Astro.Services.Registry;

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
