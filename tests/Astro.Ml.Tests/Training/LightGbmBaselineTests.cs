using System.Text.Json;
using Astro.Contract.Packaging;
using Astro.Evaluation;
using Astro.Ml.Packaging;
using Astro.Ml.Training;
using Xunit.Abstractions;

namespace Astro.Ml.Tests.Training;

/// <summary>The LightGBM baseline is trained and tested on exactly the network's rows and reported next to it.</summary>
public sealed class LightGbmBaselineTests(ITestOutputHelper output)
{
    [Fact]
    public void RegressionBaseline_UsesTheNetworksSplitRows_AndItsMetricsAreThoseRows()
    {
        TrainingDataset data = SyntheticData.Regression(2000, 0.1, seed: 3);
        using TrainingResult result = new PhotometricTrainer(SyntheticData.Quick(epochs: 5)).Train(data);
        BaselineResult baseline = Assert.IsType<BaselineResult>(result.Baseline);

        Assert.Equal(result.SplitRows.Train, baseline.TrainRows);
        Assert.Equal(result.SplitRows.Validation, baseline.ValidationRows);
        Assert.Equal(result.SplitRows.Test, baseline.TestRows);
        Assert.Equal([.. result.SplitRows.Test.Select(r => data.Ids[r])], baseline.TestRows.Select(r => data.Ids[r]));
        Assert.Equal(400, baseline.TestRows.Count);
        Assert.Equal(result.TestMetrics!.Count, baseline.TestMetrics!.Count);
        Assert.Equal("regression_l1", baseline.Objective);   // the network's loss is MAE
        Assert.InRange(baseline.BestIteration, 1, 1000);

        // The metrics are the baseline's predictions against the network's test truth, row for row.
        RegressionMetrics recomputed = RegressionMetrics.Compute([.. result.TestTruth], [.. baseline.TestPredicted], data.FeatureNames.Count);
        Assert.Equal(recomputed.Rmse, baseline.TestMetrics.Rmse, 12);
        Assert.Equal(recomputed.MeanAbsoluteDeviation, baseline.TestMetrics.MeanAbsoluteDeviation, 12);
        output.WriteLine($"network RMSE {result.TestMetrics.Rmse:F4}, LightGBM RMSE {baseline.TestMetrics.Rmse:F4} after {baseline.BestIteration} iterations");

        // Gaussian noise of σ 0.1 is the floor; a tree model of this smooth function gets within a few times of it.
        Assert.InRange(baseline.TestMetrics.Rmse, 0.1, 0.3);
        Assert.Null(baseline.TestMetrics.Coverage68);
    }

    [Fact]
    public void Package_ReportsTheBaselineInMetricsJsonAndTheManifest()
    {
        TrainingDataset data = SyntheticData.Regression(800, 0.1, seed: 4);
        using TrainingResult result = new PhotometricTrainer(SyntheticData.Quick(epochs: 3)).Train(data);
        string dir = TestPaths.NewTempDirectory();
        try
        {
            ModelManifest manifest = new ModelPackageWriter(new ModelPackageWriterOptions { WritePlots = false }).Write(result, new ModelPackageInfo { Name = "baseline-test", ProfileName = "synthetic", TrainingDataSha256 = new string('0', 64), CodeVersion = "test" }, dir);
            Assert.Equal(result.Baseline!.TestMetrics!.Rmse, manifest.Metrics["lgbm_rmse"], 12);
            Assert.Equal(result.Baseline.TestRows.Count, manifest.Metrics["lgbm_count"]);
            Assert.Equal(result.TestMetrics!.Rmse, manifest.Metrics["rmse"], 12);

            using JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            JsonElement baseline = metrics.RootElement.GetProperty("baseline");
            Assert.Equal(BaselineResult.ModelName, baseline.GetProperty("model").GetString());
            Assert.Equal(result.SplitRows.Test.Count, baseline.GetProperty("testRows").GetInt32());
            Assert.Equal(result.SplitRows.Train.Count, baseline.GetProperty("trainRows").GetInt32());
            Assert.Equal(result.Baseline.TestMetrics.Rmse, baseline.GetProperty("test").GetProperty("rmse").GetDouble(), 12);
            Assert.Equal(BaselineResult.ModelName, result.Configuration["baseline"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ClassificationBaseline_IsMulticlassOnTheSameTestRows()
    {
        TrainingDataset data = SyntheticData.Classes(1500, seed: 7);
        using TrainingResult result = new PhotometricTrainer(SyntheticData.Quick("custom:16,16", epochs: 5)).Train(data);
        BaselineResult baseline = result.Baseline!;
        Assert.Equal("multiclass", baseline.Objective);
        Assert.Equal(result.SplitRows.Test, baseline.TestRows);
        ClassificationMetrics m = baseline.TestClassification!;
        Assert.Equal(result.TestClassification!.Count, m.Count);
        Assert.Equal(baseline.TestRows.Count, m.ConfusionMatrix.Sum(row => row.Sum()));
        int[] truth = [.. baseline.TestRows.Select(r => data.ClassIndices![r])];
        Assert.Equal(truth.Select(t => (double)t), result.TestTruth);
        output.WriteLine($"network accuracy {result.TestClassification.Accuracy:F4}, LightGBM {m.Accuracy:F4}");
        Assert.True(m.Accuracy > 0.9, $"LightGBM accuracy {m.Accuracy}");
    }

    [Fact]
    public void KFold_BaselineIsCrossValidatedOnTheSameFolds()
    {
        TrainingDataset data = SyntheticData.Regression(600, 0.1, seed: 9);
        TrainingOptions options = SyntheticData.Quick(epochs: 2);
        options.Folds = 3;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        CrossValidationSummary cv = result.BaselineCrossValidation!;
        Assert.Equal(3, cv.Folds);
        Assert.Equal([200, 200, 200], cv.PerFold.Select(f => (int)f["count"]));
        Assert.Equal(result.CrossValidation!.PerFold.Select(f => f["count"]), cv.PerFold.Select(f => f["count"]));
        Assert.Equal(result.Baseline!.TestMetrics!.Rmse, cv.PerFold[0]["rmse"], 12);
        Assert.Equal(cv.PerFold.Average(f => f["rmse"]), cv.Mean["rmse"], 12);
    }

    [Fact]
    public void NoBaseline_TrainsNone()
    {
        TrainingDataset data = SyntheticData.Regression(300, 0.1, seed: 5);
        TrainingOptions options = SyntheticData.Quick(epochs: 2);
        options.Baseline = false;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        Assert.Null(result.Baseline);
        Assert.Equal("none", result.Configuration["baseline"]);
    }

    [Fact]
    public void FeatureNames_AreMadeUniqueForLightGbm()
    {
        // DustPedia: the SDSS band "z" and the redshift "z".
        Assert.Equal(["u", "z", "z_2", "a_b", "z_3"], LightGbmBaseline.UniqueNames(["u", "z", "z", "a b", "z"]));
    }

    [Fact]
    public void TreeFeatures_DropMaskInputs_AndMarkMissingBandsAsNaN()
    {
        var encoder = new FeatureEncoder(new FeatureTransformInfo(FeatureTransformKind.None, "abMagnitude", 1.0), ["u", "g", "z"], 2, maskInputs: true, fillValue: 0f);
        float[] inputs = encoder.Encode([20f, 21f, 0.3f, 19f, 18f, 0.1f], [1, 0, 1, 1], 2);
        float[] trees = LightGbmBaseline.TreeFeatures(encoder, inputs, 2);
        Assert.Equal(6, trees.Length);
        Assert.Equal(20f, trees[0]);
        Assert.True(float.IsNaN(trees[1]));
        Assert.Equal(0.3f, trees[2]);
        Assert.Equal([19f, 18f, 0.1f], trees[3..]);
    }
}
