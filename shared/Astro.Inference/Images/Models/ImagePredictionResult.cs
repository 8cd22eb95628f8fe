namespace Astro.Inference.Images.Models;

/// <summary>What is special about one image prediction (a bit mask, written as names and as an integer).</summary>
[Flags]
public enum ImagePredictionFlags
{
    /// <summary>A normal prediction.</summary>
    None = 0,

    /// <summary>1: some input pixels were not finite (NaN/blank); "rgb8" sets them to 0, "log003" ignores them.</summary>
    UndefinedPixels = 1,

    /// <summary>2: the cutout was resampled to the network size (its side differs from the model's).</summary>
    Resampled = 2,

    /// <summary>4: star removal replaced one or more point sources with the local background.</summary>
    StarsRemoved = 4,

    /// <summary>8: the model does not remove stars, so the preprocessing did not check for a central galaxy.</summary>
    GalaxyNotChecked = 8,

    /// <summary>16: the package has no uncertainty output (std is NaN).</summary>
    NoUncertainty = 16,

    /// <summary>32: the model returned a non-finite value.</summary>
    InvalidOutput = 32,

    /// <summary>64: no redshift was given, so the second stage saw NaN for the redshift and pixel-size features.</summary>
    NoRedshift = 64,
}

/// <summary>One predicted quantity.</summary>
/// <param name="Name">The output's name (target, or "question/answer").</param>
/// <param name="Value">The ensemble mean.</param>
/// <param name="Std">The ensemble members' standard deviation (the graph's <c>output_std</c>), or NaN without one.</param>
public sealed record ImageOutputValue(string Name, double Value, double Std);

/// <summary>The LightGBM second stage's prediction.</summary>
/// <param name="Target">What it predicts.</param>
/// <param name="Value">The prediction.</param>
public sealed record ImageSecondStageValue(string Target, double Value);

/// <summary>The prediction of one image model for one cutout. Made by <see cref="ImagePredictionService"/> (tests: <see cref="ImagePredictionModelFactory"/>).</summary>
public sealed class ImagePredictionResult
{
    internal ImagePredictionResult(string modelName, string modelVersion, string source, IReadOnlyList<ImageOutputValue> outputs, ImageSecondStageValue? secondStage,
        ImagePredictionFlags flags, bool? galaxyFound, int starsRemoved, long undefinedPixels, float[] features)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Source = source;
        Outputs = outputs;
        SecondStage = secondStage;
        Flags = flags;
        GalaxyFound = galaxyFound;
        StarsRemoved = starsRemoved;
        UndefinedPixels = undefinedPixels;
        Features = features;
    }

    /// <summary>Gets the model's name.</summary>
    public string ModelName { get; }

    /// <summary>Gets the model's version.</summary>
    public string ModelVersion { get; }

    /// <summary>Gets the cutout's name.</summary>
    public string Source { get; }

    /// <summary>Gets the outputs with their uncertainties, in the manifest's order.</summary>
    public IReadOnlyList<ImageOutputValue> Outputs { get; }

    /// <summary>Gets the second stage's prediction, or null when the package has none.</summary>
    public ImageSecondStageValue? SecondStage { get; }

    /// <summary>Gets the flags.</summary>
    public ImagePredictionFlags Flags { get; }

    /// <summary>Gets whether a central galaxy was found (null when the model does not remove stars).</summary>
    public bool? GalaxyFound { get; }

    /// <summary>Gets the number of point sources removed.</summary>
    public int StarsRemoved { get; }

    /// <summary>Gets the number of non-finite input pixels.</summary>
    public long UndefinedPixels { get; }

    /// <summary>Gets the network's "features" output (empty without one).</summary>
    public float[] Features { get; }
}

/// <summary>Builds <see cref="ImagePredictionResult"/> instances for tests and mocks.</summary>
public static class ImagePredictionModelFactory
{
    /// <summary>Creates a result.</summary>
    /// <returns>The result.</returns>
    public static ImagePredictionResult ImagePredictionResult(string modelName, string modelVersion, string source, IReadOnlyList<ImageOutputValue> outputs,
        ImageSecondStageValue? secondStage = null, ImagePredictionFlags flags = ImagePredictionFlags.None, bool? galaxyFound = null, int starsRemoved = 0, long undefinedPixels = 0) =>
        new(modelName, modelVersion, source, outputs, secondStage, flags, galaxyFound, starsRemoved, undefinedPixels, []);
}
