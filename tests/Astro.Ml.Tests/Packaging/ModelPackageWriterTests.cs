using Astro.Catalogs;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Ml.Packaging;
using Astro.Ml.Tests.Training;
using Astro.Ml.Training;
using Astro.Onnx;
using Xunit.Abstractions;

namespace Astro.Ml.Tests.Packaging;

public sealed class ModelPackageWriterTests(ITestOutputHelper output)
{
    [Fact]
    public void RegressionEnsemblePackage_MatchesTorchSharpInOnnxRuntime()
    {
        TrainingDataset data = SyntheticData.RedundantFluxes(1200, seed: 11);
        TrainingOptions options = SyntheticData.Quick("sm", epochs: 5, ensemble: 3, heteroscedastic: true);
        options.BandDropout = 0.1;
        options.SlopeCorrectionDegree = 1;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        string dir = TestPaths.NewTempDirectory();
        try
        {
            ModelManifest written = new ModelPackageWriter().Write(result, Info("synthetic-loga"), dir);
            ModelManifest manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")), "manifest.json");
            Assert.Equal(written.Version, manifest.Version);
            Assert.Equal("heteroscedasticEnsemble", manifest.Uncertainty!.Kind);
            Assert.Equal(12, manifest.Inputs.Count);
            Assert.True(manifest.MissingBands.MaskInputs);
            Assert.Equal(FeatureTransformKind.Asinh, manifest.FeatureTransform.Kind);
            Assert.Equal(2, manifest.SlopeCorrection!.Count);
            Assert.Equal(["logVariance", "mean", "members"], manifest.Onnx.Outputs.Keys.Order());
            Assert.Matches("^[0-9]{8}\\.[0-9]{6}$", manifest.Version);
            Assert.Equal(64, manifest.TrainingData.Sha256.Length);
            foreach (string file in new[] { "model.onnx", "metrics.json", "losses.csv", "profile.json", "plots/predicted_vs_true.png", "plots/residual_vs_true.png", "plots/loss_curves.png", "plots/calibration.png" })
            {
                Assert.True(File.Exists(Path.Combine(dir, file)), file);
            }

            // Held-back rows (the test split), some with a band hidden, through ONNX Runtime and through TorchSharp.
            TrainingDataset test = data.Subset([.. result.SplitRows.Test]);
            byte[] mask = (byte[])test.BandMask.Clone();
            for (int r = 0; r < test.Rows; r += 3)
            {
                mask[(r * 6) + (r % 6)] = 0;
            }

            float[] inputs = result.Encoder.Encode(test.Features, mask, test.Rows);
            ModelPrediction torch = result.Predict(inputs, test.Rows);
            using var session = new OnnxModelSession(Path.Combine(dir, "model.onnx"), new OnnxModelSessionOptions());
            IReadOnlyList<float[]> onnx = session.RunAll(inputs, test.Rows);
            float[] mean = onnx[session.OutputNames.ToList().IndexOf(manifest.Onnx.Outputs["mean"])];
            float[] logVariance = onnx[session.OutputNames.ToList().IndexOf(manifest.Onnx.Outputs["logVariance"])];
            float[] members = onnx[session.OutputNames.ToList().IndexOf(manifest.Onnx.Outputs["members"])];
            double dMean = MaxAbsDiff(torch.Mean, mean);
            double dLogVar = MaxAbsDiff(torch.LogVariance!, logVariance);
            double dMembers = MaxAbsDiff(torch.Members!, members);
            output.WriteLine($"ONNX vs TorchSharp on {test.Rows} rows: mean {dMean:E2}, logVariance {dLogVar:E2}, members {dMembers:E2}");
            Assert.True(dMean <= 1e-5, $"mean differs by {dMean}");
            Assert.True(dLogVar <= 1e-5, $"logVariance differs by {dLogVar}");
            Assert.True(dMembers <= 1e-5, $"members differ by {dMembers}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ClassificationPackage_MatchesTorchSharpInOnnxRuntime()
    {
        TrainingDataset data = SyntheticData.Classes(800, seed: 12);
        using TrainingResult result = new PhotometricTrainer(SyntheticData.Quick("custom:16,16", epochs: 5, ensemble: 2)).Train(data);
        string dir = TestPaths.NewTempDirectory();
        try
        {
            new ModelPackageWriter().Write(result, Info("synthetic-class"), dir);
            ModelManifest manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")), "manifest.json");
            Assert.Equal(ModelTask.Classification, manifest.Task);
            Assert.Equal(["STAR", "GALAXY", "QSO"], manifest.Classes);
            Assert.Null(manifest.Uncertainty);
            Assert.True(File.Exists(Path.Combine(dir, "plots", "confusion_matrix.png")));

            TrainingDataset test = data.Subset([.. result.SplitRows.Test]);
            float[] inputs = result.Encoder.Encode(test.Features, test.BandMask, test.Rows);
            using var session = new OnnxModelSession(Path.Combine(dir, "model.onnx"), new OnnxModelSessionOptions());
            float[] probabilities = session.Run(inputs, test.Rows);
            double d = MaxAbsDiff(result.Predict(inputs, test.Rows).Probabilities!, probabilities);
            output.WriteLine($"ONNX vs TorchSharp probabilities on {test.Rows} rows: {d:E2}");
            Assert.True(d <= 1e-5, $"probabilities differ by {d}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void DustPediaSmoke_WritesAValidPackage()
    {
        string repo = FindUp("profiles/dustpedia.json");
        string data = FindUp("shared/data/fits-conformance/ORACLE.json");
        string profilePath = Path.Combine(repo, "profiles", "dustpedia.json");
        string catalog = Path.Combine(data, "shared", "data", "photometry", "dustpedia-cigale", "DustPedia_Aperture_Photometry_2.2.csv");
        SurveyProfile profile = SurveyProfile.Load(profilePath);
        var selection = new SelectionOptions { MissingBandPolicy = MissingBandPolicy.KeepAndFlag, MinHighSnrBands = 6 };
        (TrainingDataset set, _) = TrainingDataset.FromCatalogs(profile, [catalog], selection, "logMstar");
        output.WriteLine($"DustPedia rows for logMstar: {set.Rows}; missing bands in some rows: {set.HasMissingBands}; median flux error {set.MedianFluxError:G4} µJy");
        Assert.InRange(set.Rows, 200, 875);

        TrainingOptions options = new() { Epochs = 5, EnsembleSize = 2, Folds = 3, Seed = 1 };
        using TrainingResult result = new PhotometricTrainer(options).Train(set);
        string dir = TestPaths.NewTempDirectory();
        try
        {
            new ModelPackageWriter().Write(result, new ModelPackageInfo { Name = "dustpedia-logmstar", ProfileName = profile.Name, ProfileJson = File.ReadAllText(profilePath), CatalogFiles = [catalog] }, dir);
            ModelManifest manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")), "manifest.json");
            Assert.Equal("dustpedia", manifest.Profile);
            Assert.Equal("logMstar", manifest.Target.Name);
            Assert.Equal("log10", manifest.Target.Transform);
            Assert.Equal("sm", manifest.Training["architecture"]);
            Assert.Equal(set.MedianFluxError!.Value, manifest.FeatureTransform.Softening);
            Assert.Equal(set.HasMissingBands ? 39 : 20, manifest.Inputs.Count);   // 19 bands + z (+ 19 masks)
            Assert.Contains("cvMean_rmse", manifest.Metrics.Keys);
            Assert.StartsWith("3-fold seed 1", manifest.TrainingData.Split);
            foreach (string file in new[] { "model.onnx", "manifest.json", "metrics.json", "losses.csv", "profile.json", "plots/predicted_vs_true.png" })
            {
                Assert.True(File.Exists(Path.Combine(dir, file)), file);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static ModelPackageInfo Info(string name) => new()
    {
        Name = name,
        ProfileName = "synthetic",
        ProfileJson = "{}",
        TrainingDataSha256 = new string('0', 64),
        CodeVersion = "test",
    };

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    private static string FindUp(string relative)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, relative)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} has {relative}.");
    }
}
