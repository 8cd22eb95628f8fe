using System.Text.Json;
using System.Text.Json.Serialization;

namespace Astro.Contract.Packaging;

/// <summary>Version of the model-package format; starts at 1 so that an unset 0 is rejected.</summary>
public enum ModelPackageFormat
{
    /// <summary>The first format: model.onnx + manifest.json + metrics.json + plots/.</summary>
    V1 = 1,
}

/// <summary>What a model predicts.</summary>
public enum ModelTask
{
    /// <summary>A continuous target (stellar mass, SFR, redshift, …) with a per-object uncertainty.</summary>
    Regression = 1,

    /// <summary>Class probabilities (star / galaxy / QSO).</summary>
    Classification,
}

/// <summary>
/// manifest.json: everything needed to use a model package — the only contract between training and serving.
/// </summary>
/// <remarks>
/// A package is a folder: <c>model.onnx</c>, <c>manifest.json</c>, <c>metrics.json</c>, <c>profile.json</c>
/// (the survey profile it was trained with) and <c>plots/*.png</c>. The ONNX graph takes one float32 input
/// of shape [batch, <see cref="Inputs"/>.Count] holding the transformed features (see
/// <see cref="FeatureTransform"/>) followed by the band mask when <see cref="MissingBands"/> says so;
/// standardisation happens inside the graph.
/// </remarks>
public sealed record ModelManifest
{
    /// <summary>The package format.</summary>
    public ModelPackageFormat FormatVersion { get; init; } = ModelPackageFormat.V1;

    /// <summary>Model name, e.g. "dustpedia-logmstar"; with <see cref="Version"/> it names the package in the registry.</summary>
    public required string Name { get; init; }

    /// <summary>Version, sortable: UTC timestamp "yyyyMMdd.HHmmss" (+ optional suffix).</summary>
    public required string Version { get; init; }

    /// <summary>Regression or classification.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The target: name, unit and transform (for classification, the class-label name).</summary>
    public required TargetInfo Target { get; init; }

    /// <summary>Class names in output order (classification only).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>Name of the survey profile the inputs follow (its JSON is shipped as profile.json).</summary>
    public required string Profile { get; init; }

    /// <summary>Model inputs in the order of the ONNX input's last axis (features, then mask entries).</summary>
    public required IReadOnlyList<InputInfo> Inputs { get; init; }

    /// <summary>How raw features (µJy or AB mag from the profile) become the values fed to the graph.</summary>
    public required FeatureTransformInfo FeatureTransform { get; init; }

    /// <summary>Standardisation fitted on the training split (also applied inside the graph; kept here for people and checks).</summary>
    public required StandardizationInfo Standardization { get; init; }

    /// <summary>How missing bands are handled at prediction time.</summary>
    public required MissingBandsInfo MissingBands { get; init; }

    /// <summary>The ONNX file and the names of its input and outputs.</summary>
    public required OnnxInfo Onnx { get; init; }

    /// <summary>How the uncertainty is produced and calibrated (regression).</summary>
    public UncertaintyInfo? Uncertainty { get; init; }

    /// <summary>
    /// Post-hoc linear/polynomial correction of predictions (paper 001's slope correction), applied after the graph:
    /// coefficients c0, c1, … lowest order first, served value = Σ cₖ·yᵏ of the graph's mean y ([0, 1] is the identity;
    /// paper 001's y' = (y − a)/b is [−a/b, 1/b]); σ is multiplied by |dy'/dy|.
    /// </summary>
    public IReadOnlyList<double>? SlopeCorrection { get; init; }

    /// <summary>The out-of-distribution test applied to standardised inputs.</summary>
    public OutOfDistributionInfo? OutOfDistribution { get; init; }

    /// <summary>Where the training data came from.</summary>
    public required TrainingDataInfo TrainingData { get; init; }

    /// <summary>
    /// For image models only (absent for catalog models): the cutout preprocessing that makes the graph's
    /// <c>[batch, bands, size, size]</c> input, the outputs' meaning and the optional LightGBM second stage.
    /// </summary>
    public ImageInputInfo? Image { get; init; }

    /// <summary>Headline test-set metrics (the full set is in metrics.json).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Training configuration as given (architecture, epochs, seed, …), for provenance.</summary>
    public IReadOnlyDictionary<string, string> Training { get; init; } = new Dictionary<string, string>();

    /// <summary>When the package was made (UTC).</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The code version that made it (git commit, or assembly version).</summary>
    public required string CodeVersion { get; init; }

    /// <summary>JSON options used for manifest files: camelCase, enums as strings, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and validates a manifest.</summary>
    /// <exception cref="ModelPackageException">The JSON is malformed or a required part is missing or inconsistent.</exception>
    public static ModelManifest Parse(string json, string source)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"{source}: invalid manifest: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new ModelPackageException($"{source}: the manifest is empty");
        }

        manifest.Validate(source);
        return manifest;
    }

    /// <summary>Serialises to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Checks the parts that must agree with each other; lists every problem.</summary>
    public void Validate(string source)
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(FormatVersion))
        {
            problems.Add($"unknown formatVersion {(int)FormatVersion}");
        }

        if (!Enum.IsDefined(Task))
        {
            problems.Add("task must be regression or classification");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Contains('/', StringComparison.Ordinal))
        {
            problems.Add("name must be non-empty and have no '/'");
        }

        if (string.IsNullOrWhiteSpace(Version) || Version.Contains('/', StringComparison.Ordinal))
        {
            problems.Add("version must be non-empty and have no '/'");
        }

        int features = Inputs.Count(i => i.Kind != InputKind.Mask);
        if (Standardization.Mean.Count != Inputs.Count || Standardization.Std.Count != Inputs.Count)
        {
            problems.Add($"standardization has {Standardization.Mean.Count} means and {Standardization.Std.Count} stds for {Inputs.Count} inputs");
        }

        if (Task == ModelTask.Classification && Classes.Count < 2)
        {
            problems.Add("a classification model needs at least two classes");
        }

        if (features == 0)
        {
            problems.Add("no feature inputs");
        }

        if (problems.Count > 0)
        {
            throw new ModelPackageException($"{source}: invalid manifest: {string.Join("; ", problems)}");
        }
    }
}

/// <summary>The predicted quantity.</summary>
/// <param name="Name">Label name in the profile (e.g. logMstar), or the class-label name.</param>
/// <param name="Unit">Unit of the prediction as served (e.g. "dex(Msun)").</param>
/// <param name="Transform">"log10" when the model predicts log10 of the physical label, else "none".</param>
public sealed record TargetInfo(string Name, string? Unit, string Transform);

/// <summary>What an input is.</summary>
public enum InputKind
{
    /// <summary>A band's flux or magnitude.</summary>
    Band = 1,

    /// <summary>The redshift.</summary>
    Redshift,

    /// <summary>1 when the band named by <see cref="InputInfo.Band"/> was measured, 0 when it was missing and filled.</summary>
    Mask,
}

/// <summary>One input of the graph.</summary>
/// <param name="Name">Feature name (band name, "z", or "mask:BAND").</param>
/// <param name="Kind">Band, redshift or mask.</param>
/// <param name="Band">For masks, the band they describe.</param>
public sealed record InputInfo(string Name, InputKind Kind, string? Band = null);

/// <summary>Feature transforms applied before the graph (elementwise, on band inputs only).</summary>
public enum FeatureTransformKind
{
    /// <summary>Values as the profile gives them (µJy or AB mag).</summary>
    None = 1,

    /// <summary>asinh(x / Softening): log-like for bright fluxes, linear through zero and negatives.</summary>
    Asinh,
}

/// <summary>The feature transform and its parameter.</summary>
/// <param name="Kind">The transform.</param>
/// <param name="Representation">The profile representation the raw values use: "fluxMicroJansky" or "abMagnitude".</param>
/// <param name="Softening">Softening of the asinh transform, in the representation's unit.</param>
public sealed record FeatureTransformInfo(FeatureTransformKind Kind, string Representation, double Softening = 1.0);

/// <summary>Mean and standard deviation per input, fitted on the training split.</summary>
public sealed record StandardizationInfo(IReadOnlyList<float> Mean, IReadOnlyList<float> Std);

/// <summary>Missing-band policy of the model.</summary>
/// <param name="Policy">"drop" (rows with missing bands are not predicted) or "keepAndFlag" (filled, masked and flagged).</param>
/// <param name="FillValue">The value missing bands take, in transformed units, before standardisation.</param>
/// <param name="MaskInputs">True when the graph takes the band mask as extra inputs.</param>
public sealed record MissingBandsInfo(string Policy, float FillValue, bool MaskInputs);

/// <summary>The ONNX graph.</summary>
/// <param name="File">File name inside the package.</param>
/// <param name="Input">Input name.</param>
/// <param name="Outputs">Output roles → output names: "mean", "logVariance" (regression); "probabilities" (classification); "members" for an ensemble stack.</param>
/// <param name="Opset">The ai.onnx opset.</param>
public sealed record OnnxInfo(string File, string Input, IReadOnlyDictionary<string, string> Outputs, long Opset);

/// <summary>How the per-object uncertainty is made.</summary>
/// <param name="Kind">"heteroscedastic", "ensemble" or "heteroscedasticEnsemble".</param>
/// <param name="CalibrationScale">Factor applied to the raw σ so that the 68% interval covers 68% on validation data.</param>
/// <param name="Coverage68">Coverage of ±1σ on the test set after calibration.</param>
/// <param name="Coverage95">Coverage of ±1.96σ on the test set after calibration.</param>
public sealed record UncertaintyInfo(string Kind, double CalibrationScale, double Coverage68, double Coverage95);

/// <summary>
/// Out-of-distribution test: the squared Mahalanobis distance of the standardised inputs from the
/// training mean, against a threshold (a high quantile of the training distances).
/// </summary>
/// <param name="Mean">Mean of the standardised training inputs (≈ 0).</param>
/// <param name="Precision">Row-major inverse covariance of the standardised training inputs.</param>
/// <param name="Threshold">Distances above it are flagged.</param>
/// <param name="Quantile">The training quantile the threshold is (e.g. 0.999).</param>
public sealed record OutOfDistributionInfo(IReadOnlyList<double> Mean, IReadOnlyList<double> Precision, double Threshold, double Quantile);

/// <summary>Provenance of the training data.</summary>
/// <param name="Files">Catalog file names.</param>
/// <param name="Sha256">SHA-256 of the catalog bytes (of all files, in order).</param>
/// <param name="Rows">Rows used after selection (train + validation + test).</param>
/// <param name="Split">e.g. "64/16/20 seed 42" or "5-fold seed 42".</param>
public sealed record TrainingDataInfo(IReadOnlyList<string> Files, string Sha256, long Rows, string Split);
