using System.Globalization;
using System.Text.Json.Nodes;
using Astro.Catalogs;
using Astro.Contract.Packaging;
using Astro.Onnx;

namespace Astro.Inference.Packaging;

/// <summary>The kind of one graph input, resolved against the package's profile.</summary>
internal enum ResolvedInputKind
{
    Band = 1,
    Redshift,
    Mask,
}

/// <summary>Where one graph input comes from: a feature column of <c>PreprocessedChunk.Features</c> or a band of its mask.</summary>
internal readonly record struct ResolvedInput(ResolvedInputKind Kind, int Source);

/// <summary>
/// A model package loaded from a folder and checked: <c>manifest.json</c> (validated), <c>model.onnx</c> (its input and
/// outputs match the manifest), <c>profile.json</c> (the survey profile the inputs follow).
/// </summary>
/// <remarks>
/// Loading reads the ONNX file's declarations only; the ONNX Runtime session is created by <see cref="PredictionService"/>
/// (shared per file). Every problem is reported as one <see cref="ModelPackageException"/> whose message names the folder.
/// </remarks>
public sealed class ModelPackage
{
    /// <summary>The manifest file name.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>The profile file name.</summary>
    public const string ProfileFileName = "profile.json";

    /// <summary>The metrics file name.</summary>
    public const string MetricsFileName = "metrics.json";

    private ModelPackage(string directory, ModelManifest manifest, SurveyProfile profile, string profileJson, string modelPath, OnnxModelDescription graph, ResolvedInput[] inputs)
    {
        Directory = directory;
        Manifest = manifest;
        Profile = profile;
        ProfileJson = profileJson;
        ModelPath = modelPath;
        Graph = graph;
        ResolvedInputs = inputs;
    }

    /// <summary>The package folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The validated manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The survey profile the model was trained with (profile.json).</summary>
    public SurveyProfile Profile { get; }

    /// <summary>The text of profile.json.</summary>
    public string ProfileJson { get; }

    /// <summary>The full path of the ONNX file.</summary>
    public string ModelPath { get; }

    /// <summary>What the ONNX file declares.</summary>
    public OnnxModelDescription Graph { get; }

    /// <summary>"name version", for messages and logs.</summary>
    public string DisplayName => $"{Manifest.Name} {Manifest.Version}";

    internal ResolvedInput[] ResolvedInputs { get; }

    /// <summary>Loads and checks a package folder.</summary>
    /// <param name="directory">The folder holding manifest.json, model.onnx and profile.json.</param>
    /// <returns>The package.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    /// <exception cref="ModelPackageException">A file is missing or unreadable, the manifest is invalid, the graph does not match it, or the profile does not fit it.</exception>
    public static ModelPackage Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.GetFullPath(directory);
        string where = $"Model package '{directory}'";
        if (!System.IO.Directory.Exists(dir))
        {
            throw new ModelPackageException($"{where}: the folder does not exist.");
        }

        string manifestPath = Path.Combine(dir, ManifestFileName);
        ModelManifest manifest = ModelManifest.Parse(ReadText(where, manifestPath), $"{where}: {ManifestFileName}");

        string profilePath = Path.Combine(dir, ProfileFileName);
        string profileJson = ReadText(where, profilePath);
        SurveyProfile profile;
        try
        {
            profile = SurveyProfile.Parse(profileJson, profilePath);
        }
        catch (CatalogException e)
        {
            throw new ModelPackageException($"{where}: {ProfileFileName} is invalid: {OneLine(e.Message)}", e);
        }

        if (!string.Equals(profile.Name, manifest.Profile, StringComparison.Ordinal))
        {
            throw new ModelPackageException($"{where}: the manifest names profile '{manifest.Profile}' but {ProfileFileName} is profile '{profile.Name}'.");
        }

        string file = manifest.Onnx.File;
        if (string.IsNullOrWhiteSpace(file) || Path.IsPathRooted(file) || file.Contains("..", StringComparison.Ordinal))
        {
            throw new ModelPackageException($"{where}: onnx.file '{file}' must be a file name inside the package.");
        }

        string modelPath = Path.Combine(dir, file);
        if (!File.Exists(modelPath))
        {
            throw new ModelPackageException($"{where}: {file} is missing.");
        }

        OnnxModelDescription graph;
        try
        {
            graph = OnnxModelDescription.Read(File.ReadAllBytes(modelPath));
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or IOException or UnauthorizedAccessException)
        {
            throw new ModelPackageException($"{where}: {file} is not a readable ONNX model: {OneLine(e.Message)}", e);
        }

        var problems = new List<string>();
        CheckGraph(manifest, graph, problems);
        ResolvedInput[] inputs = ResolveInputs(manifest, profile, problems);
        CheckParameters(manifest, profile, problems);
        if (problems.Count > 0)
        {
            throw new ModelPackageException($"{where}: {string.Join("; ", problems)}.");
        }

        return new ModelPackage(dir, manifest, profile, profileJson, modelPath, graph, inputs);
    }

    /// <summary>
    /// The profile used to read catalogs for this model: the trained profile without its error columns (no SNR cut when
    /// serving) and, unless asked for, without labels, so unlabelled catalogs can be read.
    /// </summary>
    /// <param name="includeTarget">Keep the model's target label (regression) or class label (classification), for evaluation.</param>
    /// <returns>A profile that needs only the columns the model (and the evaluation) use.</returns>
    public SurveyProfile CreateServingProfile(bool includeTarget = false)
    {
        JsonNode root = JsonNode.Parse(ProfileJson) ?? throw new ModelPackageException($"Model package '{Directory}': {ProfileFileName} is empty.");
        JsonObject o = root.AsObject();
        bool classification = Manifest.Task == ModelTask.Classification;
        if (o["labels"] is JsonArray labels)
        {
            if (includeTarget && !classification)
            {
                for (int i = labels.Count - 1; i >= 0; i--)
                {
                    if (labels[i]?["name"]?.GetValue<string>() != Manifest.Target.Name)
                    {
                        labels.RemoveAt(i);
                    }
                }
            }
            else
            {
                o.Remove("labels");
            }
        }

        if (!(includeTarget && classification))
        {
            o.Remove("classLabel");
        }

        if (o["bands"] is JsonArray bands)
        {
            foreach (JsonNode? b in bands)
            {
                (b as JsonObject)?.Remove("errorColumn");
            }
        }

        if (!Profile.Model.IncludeRedshift)
        {
            o.Remove("redshift");
        }

        return SurveyProfile.Parse(root.ToJsonString(), Path.Combine(Directory, ProfileFileName));
    }

    private static void CheckGraph(ModelManifest m, OnnxModelDescription graph, List<string> problems)
    {
        string file = m.Onnx.File;
        if (graph.Inputs.Count != 1)
        {
            problems.Add($"{file} has {graph.Inputs.Count} inputs; a package graph has exactly one");
        }
        else
        {
            OnnxValueDescription input = graph.Inputs[0];
            if (input.Name != m.Onnx.Input)
            {
                problems.Add($"{file}'s input is '{input.Name}' but the manifest says '{m.Onnx.Input}'");
            }

            if (input.ElementType != 1)
            {
                problems.Add($"{file}'s input '{input.Name}' is not float32");
            }

            if (input.Shape.Count != 2 || input.Shape[1].Value != m.Inputs.Count)
            {
                problems.Add($"{file}'s input has shape [{string.Join(", ", input.Shape)}] but the manifest lists {m.Inputs.Count} inputs ([batch, {m.Inputs.Count}] expected)");
            }
        }

        var outputs = graph.Outputs.ToDictionary(o => o.Name, StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> role in m.Onnx.Outputs)
        {
            if (role.Key is not ("mean" or "logVariance" or "probabilities" or "members"))
            {
                problems.Add($"onnx.outputs has unknown role '{role.Key}' (known: mean, logVariance, probabilities, members)");
            }

            if (!outputs.TryGetValue(role.Value, out OnnxValueDescription? o))
            {
                problems.Add($"onnx.outputs.{role.Key} names '{role.Value}' but {file} has outputs {string.Join(", ", graph.Outputs.Select(x => "'" + x.Name + "'"))}");
                continue;
            }

            if (o.ElementType != 1)
            {
                problems.Add($"{file}'s output '{o.Name}' is not float32");
            }

            string shape = string.Join(", ", o.Shape);
            bool shared = role.Key is "mean" or "logVariance" && m.Onnx.Outputs.TryGetValue("mean", out string? mn) && m.Onnx.Outputs.TryGetValue("logVariance", out string? lv) && mn == lv;
            switch (role.Key)
            {
                case "mean" or "logVariance" when shared:
                    if (o.Shape.Count != 2 || o.Shape[1].Value != 2)
                    {
                        problems.Add($"'{o.Name}' serves as mean and logVariance, so it must be [batch, 2], not [{shape}]");
                    }

                    break;
                case "mean" or "logVariance":
                    if (o.Shape.Count != 2 || o.Shape[1].Value != 1)
                    {
                        problems.Add($"{role.Key} output '{o.Name}' must be [batch, 1], not [{shape}]");
                    }

                    break;
                case "probabilities":
                    if (o.Shape.Count != 2 || o.Shape[1].Value != m.Classes.Count)
                    {
                        problems.Add($"probabilities output '{o.Name}' must be [batch, {m.Classes.Count}] for {m.Classes.Count} classes, not [{shape}]");
                    }

                    break;
                case "members":
                    if (!((o.Shape.Count == 2 && o.Shape[1].Value >= 2) || (o.Shape.Count == 3 && o.Shape[1].Value >= 2 && o.Shape[2].Value == 2)))
                    {
                        problems.Add($"members output '{o.Name}' must be [batch, M] (member means) or [batch, M, 2] (member mean, logVariance) with M >= 2, not [{shape}]");
                    }

                    break;
            }
        }

        if (m.Task == ModelTask.Regression && !m.Onnx.Outputs.ContainsKey("mean") && !m.Onnx.Outputs.ContainsKey("members"))
        {
            problems.Add("a regression package needs a 'mean' or 'members' output role");
        }

        if (m.Task == ModelTask.Classification && !m.Onnx.Outputs.ContainsKey("probabilities"))
        {
            problems.Add("a classification package needs a 'probabilities' output role");
        }

        if (graph.Opsets.TryGetValue(string.Empty, out long opset) && opset != m.Onnx.Opset)
        {
            problems.Add($"{file} imports opset {opset} but the manifest says {m.Onnx.Opset}");
        }
    }

    private static ResolvedInput[] ResolveInputs(ModelManifest m, SurveyProfile profile, List<string> problems)
    {
        var result = new ResolvedInput[m.Inputs.Count];
        int bands = profile.Bands.Count;
        bool sawMask = false;
        for (int i = 0; i < m.Inputs.Count; i++)
        {
            InputInfo input = m.Inputs[i];
            switch (input.Kind)
            {
                case InputKind.Band:
                    int b = IndexOfBand(profile, input.Name);
                    if (b < 0)
                    {
                        problems.Add($"input {i} '{input.Name}' is not a band of profile '{profile.Name}' (bands: {string.Join(", ", profile.Bands.Select(x => x.Name))})");
                    }

                    result[i] = new ResolvedInput(ResolvedInputKind.Band, b);
                    break;
                case InputKind.Redshift:
                    if (!profile.Model.IncludeRedshift || profile.Redshift is null)
                    {
                        problems.Add($"input {i} is the redshift but profile '{profile.Name}' does not feed it to models (model.includeRedshift)");
                    }

                    result[i] = new ResolvedInput(ResolvedInputKind.Redshift, bands);
                    break;
                case InputKind.Mask:
                    sawMask = true;
                    int mb = input.Band is null ? -1 : IndexOfBand(profile, input.Band);
                    if (mb < 0)
                    {
                        problems.Add($"mask input {i} '{input.Name}' names band '{input.Band}', which profile '{profile.Name}' does not have");
                    }

                    result[i] = new ResolvedInput(ResolvedInputKind.Mask, mb);
                    break;
                default:
                    problems.Add($"input {i} '{input.Name}' has an unknown kind");
                    break;
            }

            if (input.Kind == InputKind.Mask && i > 0 && m.Inputs.Take(i).Count(x => x.Kind != InputKind.Mask) == 0)
            {
                problems.Add("mask inputs must follow the feature inputs");
            }
        }

        if (sawMask != m.MissingBands.MaskInputs)
        {
            problems.Add(m.MissingBands.MaskInputs ? "missingBands.maskInputs is true but no input is a mask" : "inputs include masks but missingBands.maskInputs is false");
        }

        return result;
    }

    private static void CheckParameters(ModelManifest m, SurveyProfile profile, List<string> problems)
    {
        if (m.MissingBands.Policy is not ("drop" or "keepAndFlag"))
        {
            problems.Add($"missingBands.policy '{m.MissingBands.Policy}' is not 'drop' or 'keepAndFlag'");
        }

        if (!float.IsFinite(m.MissingBands.FillValue))
        {
            problems.Add("missingBands.fillValue must be finite");
        }

        string representation = profile.Model.Representation == ModelInputRepresentation.ABMagnitude ? "abMagnitude" : "fluxMicroJansky";
        if (!string.Equals(m.FeatureTransform.Representation, representation, StringComparison.Ordinal))
        {
            problems.Add($"featureTransform.representation is '{m.FeatureTransform.Representation}' but profile '{profile.Name}' gives '{representation}'");
        }

        if (!Enum.IsDefined(m.FeatureTransform.Kind))
        {
            problems.Add("featureTransform.kind is unknown");
        }

        if (m.FeatureTransform.Kind == FeatureTransformKind.Asinh && !(m.FeatureTransform.Softening > 0 && double.IsFinite(m.FeatureTransform.Softening)))
        {
            problems.Add($"featureTransform.softening must be positive, not {m.FeatureTransform.Softening.ToString(CultureInfo.InvariantCulture)}");
        }

        if (m.Standardization.Std.Any(s => !(s > 0) || !float.IsFinite(s)))
        {
            problems.Add("standardization.std has a non-positive or non-finite entry");
        }

        if (m.Uncertainty is { } u && !(u.CalibrationScale > 0 && double.IsFinite(u.CalibrationScale)))
        {
            problems.Add($"uncertainty.calibrationScale must be positive, not {u.CalibrationScale.ToString(CultureInfo.InvariantCulture)}");
        }

        if (m.SlopeCorrection is { } sc && (sc.Count == 0 || sc.Any(c => !double.IsFinite(c))))
        {
            problems.Add("slopeCorrection must list finite coefficients, lowest order first");
        }

        if (m.OutOfDistribution is { } ood)
        {
            int features = m.Inputs.Count(i => i.Kind != InputKind.Mask);
            int d = ood.Mean.Count;
            if (d != features && d != m.Inputs.Count)
            {
                problems.Add($"outOfDistribution.mean has {d} entries; expected {features} (features) or {m.Inputs.Count} (all inputs)");
            }
            else if (ood.Precision.Count != d * d)
            {
                problems.Add($"outOfDistribution.precision has {ood.Precision.Count} entries; a {d}x{d} matrix has {d * d}");
            }

            if (!(ood.Threshold > 0))
            {
                problems.Add("outOfDistribution.threshold must be positive");
            }
        }
    }

    private static int IndexOfBand(SurveyProfile profile, string name)
    {
        for (int b = 0; b < profile.Bands.Count; b++)
        {
            if (string.Equals(profile.Bands[b].Name, name, StringComparison.Ordinal))
            {
                return b;
            }
        }

        return -1;
    }

    private static string ReadText(string where, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelPackageException($"{where}: {Path.GetFileName(path)} is missing.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPackageException($"{where}: cannot read {Path.GetFileName(path)}: {OneLine(e.Message)}", e);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
