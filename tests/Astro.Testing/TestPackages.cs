using System.Globalization;
using Astro.Contract.Packaging;
using Astro.Inference.Packaging;
using Astro.Onnx;
using Astro.Onnx.Proto;

namespace Astro.Testing;

/// <summary>
/// Small model packages with known outputs: profile <c>{profile}</c> with three flux bands (columns f1, f2, f3 in µJy),
/// redshift z and ID column id. The graph is linear: prediction = 0.01·f1 + 0.02·f2 + 0.03·f3 + 1.0·z + bias, with a
/// constant σ = 0.2 (log-variance ln 0.04). Missing bands: drop.
/// </summary>
public static class TestPackages
{
    public static readonly float[] Weights = [0.01f, 0.02f, 0.03f, 1.0f];

    public const float Sigma = 0.2f;

    /// <summary>The prediction the package makes for a row (float32 arithmetic like ONNX Runtime's Gemm, up to rounding).</summary>
    public static double Expected(double f1, double f2, double f3, double z, float bias) =>
        (Weights[0] * f1) + (Weights[1] * f2) + (Weights[2] * f3) + (Weights[3] * z) + bias;

    public static string Write(string directory, string name, string version, string profile, float bias, bool corruptOnnx = false)
    {
        Directory.CreateDirectory(directory);
        var g = new OnnxGraphBuilder(name.Replace('-', '_'), "batch");
        string x = g.AddInput("input", [4]);
        string mean = g.AddNode("Gemm", "mean", [x, g.AddInitializer("w", Weights, [4, 1]), g.AddInitializer("b", [bias], [1])]);
        string logVar = g.AddNode("Gemm", "log_var", [x, g.AddInitializer("w0", new float[4], [4, 1]), g.AddInitializer("b0", [MathF.Log(Sigma * Sigma)], [1])]);
        g.AddOutput(mean, [1]);
        g.AddOutput(logVar, [1]);
        ModelProto model = g.BuildModel(8, 17, "astro-tests", "1");
        byte[] bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);
        if (corruptOnnx)
        {
            bytes = [.. bytes.Take(bytes.Length / 3)];
        }

        File.WriteAllBytes(Path.Combine(directory, "model.onnx"), bytes);
        var manifest = new ModelManifest
        {
            Name = name,
            Version = version,
            Task = ModelTask.Regression,
            Target = new TargetInfo("logMstar", "dex(Msun)", "log10"),
            Profile = profile,
            Inputs = [new InputInfo("b1", InputKind.Band), new InputInfo("b2", InputKind.Band), new InputInfo("b3", InputKind.Band), new InputInfo("z", InputKind.Redshift)],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.None, "fluxMicroJansky", 1.0),
            Standardization = new StandardizationInfo([0f, 0f, 0f, 0f], [1f, 1f, 1f, 1f]),
            MissingBands = new MissingBandsInfo("drop", 0f, false),
            Onnx = new OnnxInfo("model.onnx", "input", new Dictionary<string, string> { ["mean"] = mean, ["logVariance"] = logVar }, 17),
            Uncertainty = new UncertaintyInfo("heteroscedastic", 1.0, 0.68, 0.95),
            TrainingData = new TrainingDataInfo(["generated"], "0", 0, "none (fixed weights)"),
            Metrics = new Dictionary<string, double> { ["sigma"] = 0.1 + (bias / 1000.0) },
            CreatedUtc = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            CodeVersion = "tests",
        };
        File.WriteAllText(Path.Combine(directory, ModelPackage.ManifestFileName), manifest.ToJson());
        File.WriteAllText(Path.Combine(directory, ModelPackage.ProfileFileName), ProfileJson(profile));
        return directory;
    }

    public static string ProfileJson(string profile) => $$"""
        {
          "formatVersion": 1,
          "name": "{{profile}}",
          "description": "Test profile: three fluxes in microjansky, redshift, ID.",
          "idColumn": "id",
          "bands": [
            { "name": "b1", "column": "f1", "errorColumn": "e1", "unit": "uJy" },
            { "name": "b2", "column": "f2", "errorColumn": "e2", "unit": "uJy" },
            { "name": "b3", "column": "f3", "errorColumn": "e3", "unit": "uJy" }
          ],
          "redshift": { "column": "z" },
          "labels": [ { "name": "logMstar", "column": "mstar", "transform": "log10" } ],
          "model": { "representation": "fluxMicroJansky", "includeRedshift": true }
        }
        """;

    /// <summary>A CSV catalog: rows (id, f1, f2, f3, z); NaN is written as an empty field.</summary>
    public static string Csv(IEnumerable<(string Id, double F1, double F2, double F3, double Z)> rows)
    {
        var sb = new System.Text.StringBuilder("id,f1,f2,f3,z\n");
        foreach ((string id, double f1, double f2, double f3, double z) in rows)
        {
            sb.Append(id);
            foreach (double v in new[] { f1, f2, f3, z })
            {
                sb.Append(',');
                if (!double.IsNaN(v))
                {
                    sb.Append(v.ToString(CultureInfo.InvariantCulture));
                }
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
