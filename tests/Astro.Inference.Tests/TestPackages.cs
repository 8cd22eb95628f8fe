using System.Globalization;
using Astro.Contract.Packaging;
using Astro.Onnx;
using Astro.Onnx.Proto;

namespace Astro.Inference.Tests;

/// <summary>Finds the repository's data and writes small model packages whose outputs can be computed by hand.</summary>
internal static class TestPackages
{
    public static readonly string[] BossBands = ["u", "g", "r", "i", "z"];
    public static readonly float[] Mean = [23.5f, 22f, 20.8f, 20f, 19.6f];
    public static readonly float[] Std = [1.5f, 1.2f, 1.1f, 1f, 0.9f];
    public static readonly float[] Weights = [0.02f, -0.05f, 0.11f, 0.07f, -0.03f];
    public const float Bias = 0.45f;
    public static readonly float[] LogVarWeights = [0.1f, 0.2f, -0.1f, 0.05f, 0f];
    public const float LogVarBias = -3f;

    /// <summary>The folder holding shared/data/fits-conformance/ORACLE.json (the workspace root).</summary>
    public static string DataRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "shared", "data", "fits-conformance", "ORACLE.json")));

    /// <summary>The repository root (holds profiles/).</summary>
    public static string RepoRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "profiles", "sdss-boss-dr10.json")));

    public static string BossProfilePath => Path.Combine(RepoRoot, "profiles", "sdss-boss-dr10.json");

    public static string BossData(params string[] parts) => Path.Combine([DataRoot, "shared", "data", "photometry", "annz-boss-dr10", "photoZ", .. parts]);

    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "astro-inference-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// A linear photo-z model on the five BOSS magnitudes: mean = Σ wᵢ(xᵢ − μᵢ)/σᵢ + b, logVariance = Σ vᵢ(xᵢ − μᵢ)/σᵢ + c;
    /// with masks (keepAndFlag) the graph takes 10 inputs and ignores the masks except through a weight of 0.01 each.
    /// </summary>
    public static ModelManifest WriteLinear(string dir, bool masks = false, IReadOnlyList<double>? slope = null, OutOfDistributionInfo? ood = null, double calibration = 1.5, int? declaredInputs = null, float fill = 0f)
    {
        Directory.CreateDirectory(dir);
        int n = masks ? 10 : 5;
        float[] mean = masks ? [.. Mean, 0, 0, 0, 0, 0] : Mean;
        float[] std = masks ? [.. Std, 1, 1, 1, 1, 1] : Std;
        float[] w = masks ? [.. Weights, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f] : Weights;
        float[] v = masks ? [.. LogVarWeights, 0, 0, 0, 0, 0] : LogVarWeights;
        var g = new OnnxGraphBuilder("linear");
        string x = g.AddInput("features", [declaredInputs ?? n]);
        x = g.AddNode("Sub", "sub", [x, g.AddInitializer("mu", mean, [n])]);
        x = g.AddNode("Div", "div", [x, g.AddInitializer("sigma", std, [n])]);
        string m = g.AddNode("MatMul", "mm_mean", [x, g.AddInitializer("w", w, [n, 1])]);
        m = g.AddNode("Add", "mean", [m, g.AddInitializer("b", [Bias], [1])]);
        string lv = g.AddNode("MatMul", "mm_lv", [x, g.AddInitializer("v", v, [n, 1])]);
        lv = g.AddNode("Add", "log_var", [lv, g.AddInitializer("c", [LogVarBias], [1])]);
        g.AddOutput(m, [1]);
        g.AddOutput(lv, [1]);
        Save(dir, g.BuildModel(8, 17, "tests", "1"));
        var manifest = new ModelManifest
        {
            Name = "boss-photoz-linear",
            Version = "20260101.120000",
            Task = ModelTask.Regression,
            Target = new TargetInfo("zSpec", null, "none"),
            Profile = "sdss-boss-dr10",
            Inputs = [.. BossBands.Select(b => new InputInfo(b, InputKind.Band)), .. masks ? BossBands.Select(b => new InputInfo("mask:" + b, InputKind.Mask, b)) : []],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.None, "abMagnitude"),
            Standardization = new StandardizationInfo(mean, std),
            MissingBands = new MissingBandsInfo(masks ? "keepAndFlag" : "drop", fill, masks),
            Onnx = new OnnxInfo("model.onnx", "features", new Dictionary<string, string> { ["mean"] = "mean", ["logVariance"] = "log_var" }, 17),
            Uncertainty = new UncertaintyInfo("heteroscedastic", calibration, 0.68, 0.95),
            SlopeCorrection = slope,
            OutOfDistribution = ood,
            TrainingData = new TrainingDataInfo(["boss_dr10_0.csv"], "00", 100, "64/16/20 seed 42"),
            CreatedUtc = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero),
            CodeVersion = "tests",
        };
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJson());
        File.Copy(BossProfilePath, Path.Combine(dir, "profile.json"), overwrite: true);
        return manifest;
    }

    /// <summary>A softmax classifier on the five BOSS magnitudes: p = softmax(W·(x − μ)/σ + b), three classes.</summary>
    public static readonly float[] ClassWeights = [0.5f, -0.2f, 0.1f, 0.3f, 0.4f, -0.6f, -0.1f, 0.2f, 0.05f, 0.7f, -0.3f, 0.1f, 0.2f, -0.4f, 0.3f];
    public static readonly float[] ClassBias = [0.1f, -0.2f, 0.05f];
    public static readonly string[] ClassNames = ["STAR", "GALAXY", "QSO"];

    public static ModelManifest WriteClassifier(string dir)
    {
        Directory.CreateDirectory(dir);
        var g = new OnnxGraphBuilder("softmax");
        string x = g.AddInput("features", [5]);
        x = g.AddNode("Sub", "sub", [x, g.AddInitializer("mu", Mean, [5])]);
        x = g.AddNode("Div", "div", [x, g.AddInitializer("sigma", Std, [5])]);
        string l = g.AddNode("MatMul", "mm", [x, g.AddInitializer("w", ClassWeights, [5, 3])]);
        l = g.AddNode("Add", "logits", [l, g.AddInitializer("b", ClassBias, [3])]);
        string p = g.AddNode("Softmax", "probs", [l], OnnxAttributes.Int("axis", 1));
        g.AddOutput(p, [3]);
        Save(dir, g.BuildModel(8, 17, "tests", "1"));
        var manifest = new ModelManifest
        {
            Name = "boss-class-linear",
            Version = "20260102.000000",
            Task = ModelTask.Classification,
            Target = new TargetInfo("class", null, "none"),
            Classes = ClassNames,
            Profile = "sdss-boss-dr10",
            Inputs = [.. BossBands.Select(b => new InputInfo(b, InputKind.Band))],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.None, "abMagnitude"),
            Standardization = new StandardizationInfo(Mean, Std),
            MissingBands = new MissingBandsInfo("drop", 0, false),
            Onnx = new OnnxInfo("model.onnx", "features", new Dictionary<string, string> { ["probabilities"] = "probs" }, 17),
            TrainingData = new TrainingDataInfo(["x"], "00", 100, "none"),
            CreatedUtc = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero),
            CodeVersion = "tests",
        };
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJson());
        File.Copy(BossProfilePath, Path.Combine(dir, "profile.json"), overwrite: true);
        return manifest;
    }

    /// <summary>The hand computation of the linear model: (mean, logVariance) for five magnitudes and mask.</summary>
    public static (double Mean, double LogVariance) Linear(double[] mags, bool[]? measured = null, bool masks = false, float fill = 0f)
    {
        double mean = Bias;
        double lv = LogVarBias;
        for (int i = 0; i < 5; i++)
        {
            bool ok = measured?[i] ?? true;
            double x = ok ? (float)mags[i] : fill;
            double s = ((float)x - Mean[i]) / Std[i];
            mean += Weights[i] * s;
            lv += LogVarWeights[i] * s;
            if (masks)
            {
                mean += 0.01 * (ok ? 1 : 0);
            }
        }

        return (mean, lv);
    }

    /// <summary>Writes a BOSS-format CSV (the ANNZ '#'-header with ';' over ',' rows) and returns its rows' magnitudes (NaN = blank).</summary>
    public static List<double[]> WriteBossCsv(string path, int rows, params (int Row, int Band)[] blanks)
    {
        string[] lines = File.ReadAllLines(BossData("eval", "boss_dr10_eval0_noZ.csv"));
        var result = new List<double[]>();
        using var w = new StreamWriter(path);
        w.WriteLine(lines[0]);
        for (int r = 0; r < rows; r++)
        {
            string[] f = lines[r + 1].Split(',');
            foreach ((int row, int band) in blanks)
            {
                if (row == r)
                {
                    f[band * 2] = "";
                }
            }

            w.WriteLine(string.Join(",", f));
            result.Add([.. Enumerable.Range(0, 5).Select(b => f[b * 2].Length == 0 ? double.NaN : double.Parse(f[b * 2], CultureInfo.InvariantCulture))]);
        }

        return result;
    }

    private static void Save(string dir, ModelProto model) =>
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(model));

    private static string FindUp(Func<string, bool> match)
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (match(d))
            {
                return d;
            }
        }

        throw new InvalidOperationException("Cannot find the repository or shared data above " + AppContext.BaseDirectory);
    }
}
