using System.Diagnostics;
using System.Text.RegularExpressions;
using Astro.Onnx;
using Astro.Trees.Onnx;
using Xunit.Abstractions;

namespace Astro.Trees.Tests;

public sealed class LightGbmModelTests(ITestOutputHelper output)
{
    private const int Columns = 12;

    [Theory]
    [InlineData("regression_l1")]
    [InlineData("regression")]
    public void OnnxExportReproducesLightGbmRegression(string objective)
    {
        (float[] x, float[] y) = SyntheticData.Regression(8000, Columns, seed: 1);
        (float[] vx, float[] vy) = SyntheticData.Regression(2000, Columns, seed: 2);
        var options = new LightGbmOptions { Objective = objective, NumIterations = 300, LearningRate = 0.1, NumLeaves = 63 };
        using LightGbmModel model = LightGbmModel.Train(x, 8000, Columns, y, options, vx, 2000, vy);

        (float[] tx, _) = SyntheticData.Regression(10_000, Columns, seed: 3, missingFraction: 0.05);
        double[] expected = model.Predict(tx, 10_000);
        using var session = new OnnxModelSession(model.ExportOnnx(), new OnnxModelSessionOptions());
        Assert.Equal([1L], session.OutputSampleShapes[0]);
        float[] actual = session.Run(tx, 10_000);

        double maxDiff = MaxAbsDiff(expected, actual);
        using var single = new OnnxModelSession(model.ExportOnnx("input", "output", TreeEnsemblePrecision.Single), new OnnxModelSessionOptions());
        double singleDiff = MaxAbsDiff(expected, single.Run(tx, 10_000));
        output.WriteLine($"{objective}: {model.BestIteration} iterations, max |LightGBM − ONNX| over 10,000 rows = {maxDiff:E2} (float attributes: {singleDiff:E2})");
        Assert.True(maxDiff <= 1e-5, $"max abs diff {maxDiff:E3}");
        Assert.True(singleDiff <= 1e-4, $"float attributes: max abs diff {singleDiff:E3}");
        Assert.InRange(expected.Average(), 9, 14);
    }

    [Fact]
    public void OnnxExportReproducesLightGbmMulticlassProbabilities()
    {
        const int classes = 3;
        (float[] x, float[] y) = SyntheticData.Classes(6000, Columns, classes, seed: 4);
        (float[] vx, float[] vy) = SyntheticData.Classes(1500, Columns, classes, seed: 5);
        var options = new LightGbmOptions { Objective = "multiclass", NumClasses = classes, NumIterations = 200, LearningRate = 0.1 };
        using LightGbmModel model = LightGbmModel.Train(x, 6000, Columns, y, options, vx, 1500, vy);

        (float[] tx, float[] ty) = SyntheticData.Classes(10_000, Columns, classes, seed: 6);
        double[] expected = model.Predict(tx, 10_000);
        Assert.Equal(30_000, expected.Length);
        using var session = new OnnxModelSession(model.ExportOnnx("features", "probabilities"), new OnnxModelSessionOptions());
        Assert.Equal("features", session.InputName);
        Assert.Equal(["probabilities"], session.OutputNames);
        float[] actual = session.Run(tx, 10_000);

        double maxDiff = MaxAbsDiff(expected, actual);
        int correct = 0;
        for (int r = 0; r < 10_000; r++)
        {
            Assert.Equal(1.0, expected[(r * 3) + 0] + expected[(r * 3) + 1] + expected[(r * 3) + 2], 9);
            int argmax = expected.AsSpan(r * 3, 3).IndexOf(expected.AsSpan(r * 3, 3).ToArray().Max());
            correct += argmax == (int)ty[r] ? 1 : 0;
        }

        output.WriteLine($"multiclass: {model.BestIteration} iterations, accuracy {correct / 10_000.0:P1}, max |LightGBM − ONNX| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-5, $"max abs diff {maxDiff:E3}");
        Assert.True(correct > 6_500, $"accuracy {correct / 10_000.0:P1}"); // well above the 33% of guessing
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        (float[] x, float[] y) = SyntheticData.Regression(3000, Columns, seed: 7);
        var options = new LightGbmOptions { NumIterations = 60, FeatureFraction = 0.7, BaggingFraction = 0.8, BaggingFrequency = 1 };
        using LightGbmModel a = LightGbmModel.Train(x, 3000, Columns, y, options);
        using LightGbmModel b = LightGbmModel.Train(x, 3000, Columns, y, options);
        using LightGbmModel c = LightGbmModel.Train(x, 3000, Columns, y, new LightGbmOptions { NumIterations = 60, FeatureFraction = 0.7, BaggingFraction = 0.8, BaggingFrequency = 1, Seed = 7 });
        Assert.Equal(StripParameters(a.SaveToString()), StripParameters(b.SaveToString()));
        Assert.Equal(a.Predict(x, 3000), b.Predict(x, 3000));
        Assert.NotEqual(StripParameters(a.SaveToString()), StripParameters(c.SaveToString()));
    }

    [Fact]
    public void EarlyStoppingKeepsTheBestIteration()
    {
        // Pure noise labels: the validation error stops improving almost at once.
        (float[] x, _) = SyntheticData.Regression(2000, Columns, seed: 8);
        var rng = new Random(9);
        float[] y = Enumerable.Range(0, 2000).Select(_ => (float)rng.NextDouble()).ToArray();
        (float[] vx, _) = SyntheticData.Regression(1000, Columns, seed: 10);
        float[] vy = Enumerable.Range(0, 1000).Select(_ => (float)rng.NextDouble()).ToArray();
        var options = new LightGbmOptions { Objective = "regression", NumIterations = 1000, LearningRate = 0.2, EarlyStoppingRounds = 20 };
        using LightGbmModel model = LightGbmModel.Train(x, 2000, Columns, y, options, vx, 1000, vy);

        output.WriteLine($"best iteration {model.BestIteration}");
        Assert.InRange(model.BestIteration, 1, 200);
        Assert.Equal(model.BestIteration, Regex.Matches(model.SaveToString(), "^Tree=", RegexOptions.Multiline).Count);

        // The kept model is no worse on the validation set than one with 20 more iterations.
        using LightGbmModel longer = LightGbmModel.Train(x, 2000, Columns, y,
            new LightGbmOptions { Objective = "regression", NumIterations = model.BestIteration + 20, LearningRate = 0.2, EarlyStoppingRounds = 0 });
        Assert.Equal(model.BestIteration + 20, longer.BestIteration);
        Assert.True(Mse(model.Predict(vx, 1000), vy) <= Mse(longer.Predict(vx, 1000), vy));
    }

    [Fact]
    public void FeatureImportanceCountsSplitsAndFavoursInformativeFeatures()
    {
        (float[] x, float[] y) = SyntheticData.Regression(4000, Columns, seed: 11, missingFraction: 0);
        using LightGbmModel model = LightGbmModel.Train(x, 4000, Columns, y, new LightGbmOptions { NumIterations = 100, Objective = "regression" });
        double[] splits = model.FeatureImportance(gain: false);
        double[] gain = model.FeatureImportance();
        Assert.Equal(Columns, splits.Length);

        // Split counts add up to the number of internal nodes in the model: Σ (num_leaves − 1) over trees.
        int internalNodes = Regex.Matches(model.SaveToString(), @"^num_leaves=(\d+)", RegexOptions.Multiline).Sum(m => int.Parse(m.Groups[1].Value) - 1);
        Assert.Equal(internalNodes, splits.Sum());
        Assert.All(gain, g => Assert.True(g >= 0));

        // Features 0, 1 (and 2) make the label; the last eight are noise.
        double informative = gain[0] + gain[1] + gain[2];
        Assert.True(informative > 0.95 * gain.Sum(), $"informative share {informative / gain.Sum():P1}");
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        (float[] x, float[] y) = SyntheticData.Regression(2000, Columns, seed: 12);
        using LightGbmModel model = LightGbmModel.Train(x, 2000, Columns, y, new LightGbmOptions { NumIterations = 50 },
            featureNames: Enumerable.Range(0, Columns).Select(i => $"flux band {i}").ToArray());
        string text = model.SaveToString();
        Assert.Contains("feature_names=flux_band_0 flux_band_1", text);
        using LightGbmModel loaded = LightGbmModel.LoadFromString(text);
        Assert.Equal(50, loaded.BestIteration);
        Assert.Equal(model.Predict(x, 2000), loaded.Predict(x, 2000));
    }

    [Fact]
    public void BadInputGivesClearExceptions()
    {
        (float[] x, float[] y) = SyntheticData.Regression(100, Columns, seed: 13);
        var options = new LightGbmOptions { NumIterations = 5 };
        y[3] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => LightGbmModel.Train(x, 100, Columns, y, options));
        Assert.Contains("label of row 3 is NaN", nan.Message);

        var zero = Assert.Throws<ArgumentException>(() => LightGbmModel.Train([], 0, Columns, [], options));
        Assert.Contains("0 rows", zero.Message);

        var shape = Assert.Throws<ArgumentException>(() => LightGbmModel.Train(x, 99, Columns, y, options));
        Assert.Contains("not 99 rows × 12 columns", shape.Message);

        var bad = Assert.Throws<ArgumentException>(() => LightGbmModel.Train(x, 100, Columns, y.Select(_ => 1f).ToArray(),
            new LightGbmOptions { Objective = "huber", NumLeaves = 1, LearningRate = 0 }));
        Assert.Contains("NumLeaves = 1", bad.Message);
        Assert.Contains("LearningRate = 0", bad.Message);
        Assert.Contains("Objective = 'huber'", bad.Message);

        var classes = Assert.Throws<ArgumentException>(() => LightGbmModel.Train(x, 100, Columns, y.Select(_ => 3f).ToArray(),
            new LightGbmOptions { Objective = "multiclass", NumClasses = 3 }));
        Assert.Contains("not a class index in [0, 3)", classes.Message);

        var validation = Assert.Throws<ArgumentException>(() => LightGbmModel.Train(x, 100, Columns, y.Select(_ => 1f).ToArray(), options, x, 100, null));
        Assert.Contains("validationLabels", validation.Message);

        var text = Assert.Throws<LightGbmException>(() => LightGbmModel.LoadFromString("tree\nversion=v4\nnum_class=1\n"));
        Assert.Contains("LightGBM BoosterLoadModelFromString failed", text.Message);

        using LightGbmModel model = LightGbmModel.Train(x, 100, Columns, y.Select(_ => 1f).ToArray(), options);
        Assert.Throws<ArgumentException>(() => model.Predict(new float[Columns + 1], 1));
    }

    [BenchmarkFact]
    public void TrainingSpeed60kRows30Columns500Iterations()
    {
        (float[] x, float[] y) = SyntheticData.Regression(60_000, 30, seed: 14, missingFraction: 0);
        var options = new LightGbmOptions { NumIterations = 500, EarlyStoppingRounds = 0 };
        var watch = Stopwatch.StartNew();
        using LightGbmModel model = LightGbmModel.Train(x, 60_000, 30, y, options);
        watch.Stop();
        output.WriteLine($"LightGBM 60,000 × 30, 500 iterations, 2 threads: {watch.Elapsed.TotalSeconds:F2} s");

        watch.Restart();
        byte[] onnx = model.ExportOnnx();
        output.WriteLine($"ONNX export: {watch.Elapsed.TotalSeconds:F2} s, {onnx.Length / 1e6:F1} MB");
        watch.Restart();
        double[] predicted = model.Predict(x, 60_000);
        output.WriteLine($"LightGBM predict 60,000 rows: {watch.Elapsed.TotalSeconds:F2} s");
        using var session = new OnnxModelSession(onnx, new OnnxModelSessionOptions { IntraOpThreads = 2 });
        watch.Restart();
        float[] actual = session.Run(x, 60_000);
        output.WriteLine($"ONNX Runtime predict 60,000 rows: {watch.Elapsed.TotalSeconds:F2} s; max diff {MaxAbsDiff(predicted, actual):E2}");
    }

    internal static double MaxAbsDiff(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        }

        return max;
    }

    private static double Mse(double[] predicted, float[] truth) => predicted.Zip(truth, (p, t) => (p - t) * (p - t)).Average();

    private static string StripParameters(string model) => model[..model.IndexOf("parameters:", StringComparison.Ordinal)];
}

/// <summary>A fact that runs only when ASTRO_BENCHMARKS=1 (speed is measured by hand, not asserted).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ASTRO_BENCHMARKS") != "1")
        {
            Skip = "Benchmark: set ASTRO_BENCHMARKS=1 to run.";
        }
    }
}
