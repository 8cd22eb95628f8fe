using Astro.Imaging.ModelInput;

namespace Astro.Inference.Images;

/// <summary>The documented defaults of <see cref="ImagePredictionServiceOptions"/>.</summary>
public static class ImagePredictionServiceDefaults
{
    /// <summary>Threads one ONNX Runtime call may use: 1 (parallelism comes from concurrent cutouts).</summary>
    public const int IntraOpThreads = 1;

    /// <summary>A cutout's smaller side must be at least this fraction of the network's input side: 0.5.</summary>
    public const double MinimumSizeFraction = 0.5;

    /// <summary>Cutouts in which star removal finds no central galaxy are refused: true.</summary>
    public const bool RequireGalaxy = true;
}

/// <summary>Options of <see cref="ImagePredictionService"/>.</summary>
public sealed class ImagePredictionServiceOptions
{
    /// <summary>Gets or sets the threads one ONNX Runtime call may use (the shared session is keyed on it).</summary>
    /// <value>The default value is <see cref="ImagePredictionServiceDefaults.IntraOpThreads"/> (1). Range 1 to 64.</value>
    public int IntraOpThreads { get; set; } = ImagePredictionServiceDefaults.IntraOpThreads;

    /// <summary>
    /// Gets or sets the smallest cutout side, as a fraction of the model's input size, that is accepted; smaller cutouts
    /// are refused with <see cref="ImageInputProblem.WrongSize"/>. The minimum is never below
    /// <see cref="ImageInputPreprocessor.AbsoluteMinSize"/> (16) pixels.
    /// </summary>
    /// <value>The default value is <see cref="ImagePredictionServiceDefaults.MinimumSizeFraction"/> (0.5). Range 0 to 1.</value>
    public double MinimumSizeFraction { get; set; } = ImagePredictionServiceDefaults.MinimumSizeFraction;

    /// <summary>
    /// Gets or sets whether a cutout in which the model's star removal finds no central galaxy is refused with
    /// <see cref="ImageInputProblem.NoGalaxy"/>. Ignored for models that do not remove stars (they flag
    /// <see cref="Models.ImagePredictionFlags.GalaxyNotChecked"/>).
    /// </summary>
    /// <value>The default value is <see cref="ImagePredictionServiceDefaults.RequireGalaxy"/> (true).</value>
    public bool RequireGalaxy { get; set; } = ImagePredictionServiceDefaults.RequireGalaxy;

    internal ImagePredictionServiceOptions Clone() => (ImagePredictionServiceOptions)MemberwiseClone();

    internal void Validate()
    {
        var errors = new List<string>();
        if (IntraOpThreads is < 1 or > 64)
        {
            errors.Add($"{nameof(IntraOpThreads)} = {IntraOpThreads} is outside 1–64");
        }

        if (!(MinimumSizeFraction is >= 0 and <= 1))
        {
            errors.Add($"{nameof(MinimumSizeFraction)} = {MinimumSizeFraction} is outside 0–1");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid ImagePredictionServiceOptions: {string.Join("; ", errors)}.");
        }
    }
}
