using Astro.Contract.Packaging;
using Astro.Imaging.ModelInput;
using Astro.Inference.Packaging;
using Astro.Onnx;

namespace Astro.Inference.Images;

/// <summary>
/// An image model package loaded from a folder and checked: <c>manifest.json</c> with an <c>image</c> section,
/// <c>model.onnx</c> (input <c>[batch, bands, size, size]</c>; outputs "mean" and optionally "std" and "features" of the
/// right widths) and, when the manifest names one, the LightGBM second stage's ONNX graph (input <c>[batch, features]</c>
/// whose columns are the CNN features, the CNN outputs and the luminosity features, in that order).
/// </summary>
/// <remarks>
/// Catalog packages (no <c>image</c> section) are loaded by <see cref="ModelPackage"/>; <see cref="IsImagePackage"/> tells
/// the two apart. Every problem is reported as one <see cref="ModelPackageException"/> whose message names the folder.
/// </remarks>
public sealed class ImagePackage
{
    private ImagePackage(string directory, ModelManifest manifest, string modelPath, string? secondStagePath, int featureCount)
    {
        Directory = directory;
        Manifest = manifest;
        Image = manifest.Image!;
        ModelPath = modelPath;
        SecondStagePath = secondStagePath;
        FeatureCount = featureCount;
    }

    /// <summary>Gets the package folder (full path).</summary>
    public string Directory { get; }

    /// <summary>Gets the validated manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the manifest's image section.</summary>
    public ImageInputInfo Image { get; }

    /// <summary>Gets the full path of the network's ONNX file.</summary>
    public string ModelPath { get; }

    /// <summary>Gets the full path of the second stage's ONNX file, or null.</summary>
    public string? SecondStagePath { get; }

    /// <summary>Gets the width of the network's "features" output (0 without one).</summary>
    public int FeatureCount { get; }

    /// <summary>Gets the names of the network's outputs ("output" columns): the manifest's list, or the target's name.</summary>
    public IReadOnlyList<string> OutputNames => Image.Outputs.Count > 0 ? Image.Outputs : [Manifest.Target.Name];

    /// <summary>Gets "name version", for messages and logs.</summary>
    public string DisplayName => $"{Manifest.Name} {Manifest.Version}";

    /// <summary>Whether a package folder holds an image model (its manifest has an <c>image</c> section).</summary>
    /// <param name="directory">The package folder.</param>
    /// <returns>True for an image package.</returns>
    /// <exception cref="ModelPackageException">The manifest is missing or invalid.</exception>
    public static bool IsImagePackage(string directory) => ReadManifest(directory).Image is not null;

    /// <summary>Loads and checks an image package folder.</summary>
    /// <param name="directory">The folder holding manifest.json and the ONNX file(s).</param>
    /// <returns>The package.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    /// <exception cref="ModelPackageException">A file is missing or unreadable, the manifest is not an image model's, or a graph does not match it.</exception>
    public static ImagePackage Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.GetFullPath(directory);
        string where = $"Model package '{directory}'";
        ModelManifest manifest = ReadManifest(directory);
        if (manifest.Image is not ImageInputInfo image)
        {
            throw new ModelPackageException($"{where}: not an image model (the manifest has no 'image' section).");
        }

        var problems = new List<string>();
        if (image.Size < ImageInputPreprocessor.AbsoluteMinSize / 2 || image.Size > 4096)
        {
            problems.Add($"image.size {image.Size} is outside 8–4096");
        }

        if (image.Bands.Count == 0)
        {
            problems.Add("image.bands is empty");
        }

        if (image.Stretch is not (ImageInputPreprocessor.Rgb8 or ImageInputPreprocessor.Log003))
        {
            problems.Add($"image.stretch '{image.Stretch}' is not rgb8 or log003");
        }

        string modelPath = FilePath(dir, where, manifest.Onnx.File, "onnx.file");
        OnnxModelDescription graph = Describe(where, modelPath, manifest.Onnx.File);
        int outputs = image.Outputs.Count > 0 ? image.Outputs.Count : 1;
        CheckInput(graph, manifest.Onnx.File, manifest.Onnx.Input, [image.Bands.Count, image.Size, image.Size], problems);
        if (!manifest.Onnx.Outputs.TryGetValue("mean", out string? meanName))
        {
            problems.Add("onnx.outputs has no 'mean' role");
        }
        else
        {
            CheckOutput(graph, manifest.Onnx.File, "mean", meanName, outputs, problems);
        }

        if (manifest.Onnx.Outputs.TryGetValue("std", out string? stdName))
        {
            CheckOutput(graph, manifest.Onnx.File, "std", stdName, outputs, problems);
        }

        int features = 0;
        if (manifest.Onnx.Outputs.TryGetValue("features", out string? featuresName))
        {
            features = CheckOutput(graph, manifest.Onnx.File, "features", featuresName, null, problems);
        }

        string? stagePath = null;
        if (image.SecondStage is SecondStageInfo stage)
        {
            stagePath = FilePath(dir, where, stage.File, "image.secondStage.file");
            OnnxModelDescription stageGraph = Describe(where, stagePath, stage.File);
            CheckInput(stageGraph, stage.File, stage.Input, [stage.Features.Count], problems);
            if (stageGraph.Outputs.All(o => o.Name != stage.Output))
            {
                problems.Add($"image.secondStage.output '{stage.Output}' is not an output of {stage.File} ({string.Join(", ", stageGraph.Outputs.Select(o => "'" + o.Name + "'"))})");
            }

            if (featuresName is null)
            {
                problems.Add("the second stage needs the network's 'features' output (onnx.outputs.features)");
            }
            else
            {
                IReadOnlyList<string> expected = SecondStageFeatureNames(features, image.Outputs.Count > 0 ? image.Outputs : [manifest.Target.Name], image);
                if (!expected.SequenceEqual(stage.Features, StringComparer.Ordinal))
                {
                    int at = Enumerable.Range(0, Math.Min(expected.Count, stage.Features.Count)).FirstOrDefault(i => expected[i] != stage.Features[i], Math.Min(expected.Count, stage.Features.Count));
                    problems.Add($"image.secondStage.features ({stage.Features.Count}) do not match the serving inputs ({expected.Count}: {features} CNN features, {outputs} output(s), luminosity features); first difference at column {at}");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ModelPackageException($"{where}: {string.Join("; ", problems)}.");
        }

        return new ImagePackage(dir, manifest, modelPath, stagePath, features);
    }

    /// <summary>
    /// The second stage's input columns as the service builds them: <c>cnn:f0…</c>, <c>cnn:out:NAME</c>, <c>lum:BAND:…</c>,
    /// <c>redshift</c>, <c>kpc_per_pixel</c>.
    /// </summary>
    /// <param name="features">The width of the network's features output.</param>
    /// <param name="outputs">The network's output names.</param>
    /// <param name="image">The image section.</param>
    /// <returns>The names.</returns>
    public static IReadOnlyList<string> SecondStageFeatureNames(int features, IReadOnlyList<string> outputs, ImageInputInfo image)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(image);
        var names = new List<string>();
        names.AddRange(Enumerable.Range(0, features).Select(j => $"cnn:f{j}"));
        names.AddRange(outputs.Select(n => $"cnn:out:{n}"));
        names.AddRange(ImageInputPreprocessor.LuminosityNames(image).Select(n => n is "redshift" or "kpc_per_pixel" ? n : $"lum:{n}"));
        return names;
    }

    private static ModelManifest ReadManifest(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string where = $"Model package '{directory}'";
        string path = Path.Combine(Path.GetFullPath(directory), ModelPackage.ManifestFileName);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPackageException($"{where}: {ModelPackage.ManifestFileName} cannot be read: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        return ModelManifest.Parse(json, $"{where}: {ModelPackage.ManifestFileName}");
    }

    private static string FilePath(string dir, string where, string file, string what)
    {
        if (string.IsNullOrWhiteSpace(file) || Path.IsPathRooted(file) || file.Contains("..", StringComparison.Ordinal))
        {
            throw new ModelPackageException($"{where}: {what} '{file}' must be a file name inside the package.");
        }

        string path = Path.Combine(dir, file);
        if (!File.Exists(path))
        {
            throw new ModelPackageException($"{where}: {file} is missing.");
        }

        return path;
    }

    private static OnnxModelDescription Describe(string where, string path, string file)
    {
        try
        {
            return OnnxModelDescription.Read(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or IOException or UnauthorizedAccessException)
        {
            throw new ModelPackageException($"{where}: {file} is not a readable ONNX model: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static void CheckInput(OnnxModelDescription graph, string file, string name, long[] sample, List<string> problems)
    {
        string expected = $"[batch, {string.Join(", ", sample)}]";
        if (graph.Inputs.Count != 1)
        {
            problems.Add($"{file} has {graph.Inputs.Count} inputs; exactly one ({expected}) is expected");
            return;
        }

        OnnxValueDescription input = graph.Inputs[0];
        if (input.Name != name)
        {
            problems.Add($"{file}'s input is '{input.Name}' but the manifest says '{name}'");
        }

        if (input.ElementType != 1)
        {
            problems.Add($"{file}'s input '{input.Name}' is not float32");
        }

        if (input.Shape.Count != sample.Length + 1 || !input.Shape.Skip(1).Select(d => d.Value).SequenceEqual(sample.Select(s => (long?)s)))
        {
            problems.Add($"{file}'s input has shape [{string.Join(", ", input.Shape)}] but the manifest implies {expected}");
        }
    }

    private static int CheckOutput(OnnxModelDescription graph, string file, string role, string name, int? width, List<string> problems)
    {
        OnnxValueDescription? o = graph.Outputs.FirstOrDefault(x => x.Name == name);
        if (o is null)
        {
            problems.Add($"onnx.outputs.{role} names '{name}' but {file} has outputs {string.Join(", ", graph.Outputs.Select(x => "'" + x.Name + "'"))}");
            return 0;
        }

        if (o.ElementType != 1)
        {
            problems.Add($"{file}'s output '{name}' is not float32");
        }

        if (o.Shape.Count != 2 || o.Shape[1].Value is not long w || w <= 0 || (width is int expected && w != expected))
        {
            problems.Add($"{role} output '{name}' must be [batch, {(width is int e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "N")}], not [{string.Join(", ", o.Shape)}]");
            return 0;
        }

        return (int)w;
    }
}
