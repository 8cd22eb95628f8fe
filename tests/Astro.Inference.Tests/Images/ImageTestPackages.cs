using Astro.Contract.Packaging;
using Astro.Fits.Writing;
using Astro.Imaging.ModelInput;
using Astro.Imaging.Models;
using Astro.Imaging.Synthetic;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Astro.Onnx;
using Astro.Onnx.Proto;

namespace Astro.Inference.Tests.Images;

/// <summary>
/// Small image packages whose outputs can be computed from the prepared input: the network's "output" is the mean of
/// all input pixels, "output_std" is 0.1 × that mean, "features" is [mean, max]; the optional second stage returns
/// 2 × output + 1 (it slices the <c>cnn:out</c> column, so NaN luminosity features do not matter).
/// </summary>
internal static class ImageTestPackages
{
    public static ImageInputInfo Input(int size, int bands, string stretch, bool removeStars, bool secondStage) =>
        new(size, [.. Enumerable.Range(0, bands).Select(b => bands == 3 ? "RGB"[b].ToString() : $"b{b}")], stretch, 0.2, 2, removeStars, ImageInputPreprocessor.Resampling, false, 1)
        {
            Outputs = ["t"],
        };

    public static string Write(string dir, string name, string version, ImageInputInfo input, bool secondStage = false)
    {
        Directory.CreateDirectory(dir);
        var g = new OnnxGraphBuilder(name.Replace('-', '_'), "batch");
        string x = g.AddInput("input", [input.Bands.Count, input.Size, input.Size]);
        string flat = g.AddNode("Flatten", "flat", [x], OnnxAttributes.Int("axis", 1));
        string mean = g.AddNode("ReduceMean", "output", [flat], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 1));
        string max = g.AddNode("ReduceMax", "max", [flat], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 1));
        string std = g.AddNode("Mul", "output_std", [mean, g.AddInitializer("tenth", [0.1f], [1])]);
        string features = g.AddNode("Concat", "features", [mean, max], OnnxAttributes.Int("axis", 1));
        g.AddOutput(mean, [1]);
        g.AddOutput(std, [1]);
        g.AddOutput(features, [2]);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(g.BuildModel(8, 17, "astro-tests", "1")));
        SecondStageInfo? stage = null;
        if (secondStage)
        {
            IReadOnlyList<string> names = ImagePackage.SecondStageFeatureNames(2, input.Outputs, input);
            var s = new OnnxGraphBuilder("stage2", "batch");
            string f = s.AddInput("features", [names.Count]);
            string col = s.AddNode("Slice", "col", [f, s.AddInitializer("starts", [2L], [1]), s.AddInitializer("ends", [3L], [1]), s.AddInitializer("axes", [1L], [1])]);
            string twice = s.AddNode("Mul", "twice", [col, s.AddInitializer("two", [2f], [1])]);
            string y = s.AddNode("Add", "prediction", [twice, s.AddInitializer("one", [1f], [1])]);
            s.AddOutput(y, [1]);
            File.WriteAllBytes(Path.Combine(dir, "stage2.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(s.BuildModel(8, 17, "astro-tests", "1")));
            stage = new SecondStageInfo("stage2.onnx", "features", "prediction", "t2", names);
        }

        var manifest = new ModelManifest
        {
            Name = name,
            Version = version,
            Task = ModelTask.Regression,
            Target = new TargetInfo("t", "dex", "none"),
            Profile = "images",
            Inputs = [.. input.Bands.Select(b => new InputInfo(b, InputKind.Band))],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.None, "imagePixels"),
            Standardization = new StandardizationInfo([.. input.Bands.Select(_ => 0f)], [.. input.Bands.Select(_ => 1f)]),
            MissingBands = new MissingBandsInfo("drop", 0, false),
            Onnx = new OnnxInfo("model.onnx", "input", new Dictionary<string, string> { ["mean"] = mean, ["std"] = std, ["features"] = features }, 17),
            Uncertainty = new UncertaintyInfo("ensemble", 1, 0.68, 0.95),
            TrainingData = new TrainingDataInfo(["generated"], "0", 0, "none (fixed graph)"),
            CreatedUtc = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            CodeVersion = "tests",
            Image = input with { SecondStage = stage },
        };
        File.WriteAllText(Path.Combine(dir, ModelPackage.ManifestFileName), manifest.ToJson());
        return dir;
    }

    /// <summary>A single-band synthetic galaxy (Sérsic, PSF, sky noise) with two stars.</summary>
    public static Cutout Galaxy(int size = 64, int seed = 1)
    {
        var options = new SyntheticGalaxyOptions
        {
            Width = size,
            Height = size,
            EffectiveRadius = size / 10.0,
            Stars = [new SyntheticStar(size * 0.2, size * 0.75, 20_000), new SyntheticStar(size * 0.8, size * 0.25, 10_000)],
        };
        return new Cutout("galaxy.fits", CutoutFormat.Fits, [SyntheticGalaxyGenerator.Generate(options, seed).Image], ["r"]);
    }

    /// <summary>Sky noise only.</summary>
    public static Cutout Noise(int size = 64, int seed = 2)
    {
        var random = new Random(seed);
        double[] p = new double[size * size];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = 100 + (5 * (random.NextDouble() - 0.5) * 3.4);
        }

        return new Cutout("noise.fits", CutoutFormat.Fits, [new CutoutImage(size, size, p)], ["r"]);
    }

    /// <summary>A cutout as FITS bytes (one float32 HDU).</summary>
    public static byte[] Fits(Cutout cutout)
    {
        using var ms = new MemoryStream();
        using (var w = new FitsWriter(ms, new FitsWriterOptions { LeaveOpen = true }))
        {
            w.WriteImage(FitsImage.FromPixels(Array.ConvertAll(cutout.Bands[0].Pixels, v => (float)v), cutout.Width, cutout.Height));
        }

        return ms.ToArray();
    }
}
