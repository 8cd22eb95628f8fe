namespace Astro.Contract.Packaging;

/// <summary>
/// How an image model's input is made from a cutout (added for the image models; optional in <see cref="ModelManifest"/>).
/// </summary>
/// <param name="Size">The network's input side in pixels (the graph takes [batch, bands, Size, Size]).</param>
/// <param name="Bands">The bands in channel order (e.g. "R", "G", "B" for colour JPEG/PNG composites, or FITS band names).</param>
/// <param name="Stretch">"rgb8": 8-bit composites divided by 255; "log003": paper 003's per-band log stretch (after star removal when <paramref name="RemoveStars"/>).</param>
/// <param name="TargetNoiseLevel">For "log003": the stretched noise level (0.2).</param>
/// <param name="NoiseSigmas">For "log003": noise level = sigma-clipped mean + this many σ (2).</param>
/// <param name="RemoveStars">Whether point sources are removed before the stretch.</param>
/// <param name="Resampling">How the cutout reaches Size × Size: "areaShrinkBicubicEnlarge" (same field of view).</param>
/// <param name="TestTimeAugmentation">Whether the graph averages over the 8 flips/90° rotations itself.</param>
/// <param name="EnsembleSize">Members averaged inside the graph (output "output"; their standard deviation is "output_std").</param>
public sealed record ImageInputInfo(int Size, IReadOnlyList<string> Bands, string Stretch, double TargetNoiseLevel, double NoiseSigmas, bool RemoveStars,
    string Resampling, bool TestTimeAugmentation, int EnsembleSize)
{
    /// <summary>The names of the "output" columns (targets, or "question/answer" probabilities).</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>For answer-probability models: the decision tree (question, answers, parent answers).</summary>
    public IReadOnlyList<ImageQuestionInfo>? Questions { get; init; }

    /// <summary>The LightGBM second stage (paper 003), or null.</summary>
    public SecondStageInfo? SecondStage { get; init; }
}

/// <summary>One question of an answer-probability model.</summary>
/// <param name="Name">The question.</param>
/// <param name="Answers">Its answers in output order.</param>
/// <param name="Parent">"question/answer" names whose probabilities sum to the probability that it is asked (empty: always asked).</param>
public sealed record ImageQuestionInfo(string Name, IReadOnlyList<string> Answers, IReadOnlyList<string> Parent);

/// <summary>
/// Paper 003's second stage: a LightGBM model (ONNX TreeEnsembleRegressor) on the CNN's "features" and "output" values,
/// the luminosity features of the cutout and the redshift.
/// </summary>
/// <param name="File">The ONNX file inside the package.</param>
/// <param name="Input">Its input name ([batch, Features.Count]).</param>
/// <param name="Output">Its output name ([batch, 1]).</param>
/// <param name="Target">What it predicts.</param>
/// <param name="Features">The input columns in order: "cnn:…" (graph outputs), "lum:BAND:…" (luminosity features), "redshift".</param>
public sealed record SecondStageInfo(string File, string Input, string Output, string Target, IReadOnlyList<string> Features);
