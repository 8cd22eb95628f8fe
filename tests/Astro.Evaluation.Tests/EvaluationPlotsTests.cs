using System.Buffers.Binary;

namespace Astro.Evaluation.Tests;

/// <summary>The plots are real PNGs of the documented size, and different data give different pictures.</summary>
public sealed class EvaluationPlotsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "astro-eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(300)]
    [InlineData(20_000)] // density map instead of points
    public void PredictedVsTrueWritesSquarePngThatDependsOnData(int n)
    {
        (double[] truth, double[] predicted, double[] sigma) = Synthetic(n, seed: 1, noise: 0.2);
        string a = Path.Combine(_folder, "a", "pvt.png"), b = Path.Combine(_folder, "b.png");
        EvaluationPlots.PredictedVsTrue(a, truth, predicted, "log M*", "dex", sigma);
        (double[] truth2, double[] predicted2, _) = Synthetic(n, seed: 1, noise: 0.5);
        EvaluationPlots.PredictedVsTrue(b, truth2, predicted2, "log M*", "dex");
        AssertPng(a, 800, 800);
        AssertPng(b, 800, 800);
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void ResidualVsTrueWritesWidePng()
    {
        (double[] truth, double[] predicted, _) = Synthetic(2000, seed: 2, noise: 0.2);
        string a = Path.Combine(_folder, "res.png"), b = Path.Combine(_folder, "res2.png");
        EvaluationPlots.ResidualVsTrue(a, truth, predicted, "z", null);
        predicted[0] += 0.5;
        EvaluationPlots.ResidualVsTrue(b, truth, predicted, "z", null);
        AssertPng(a, 900, 600);
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void LossCurvesWritesWidePngAndChecksBestEpoch()
    {
        double[] train = Enumerable.Range(1, 50).Select(e => 1.0 / e).ToArray();
        double[] validation = Enumerable.Range(1, 50).Select(e => (1.2 / e) + (0.001 * e)).ToArray();
        string a = Path.Combine(_folder, "loss.png"), b = Path.Combine(_folder, "loss2.png");
        EvaluationPlots.LossCurves(a, train, validation, "MAE");
        EvaluationPlots.LossCurves(b, train, validation, "MAE", bestEpoch: 10);
        AssertPng(a, 900, 600);
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationPlots.LossCurves(b, train, validation, "MAE", bestEpoch: 51));
        var bad = Assert.Throws<ArgumentException>(() => EvaluationPlots.LossCurves(b, [1.0, 0.0], [], "MAE"));
        Assert.Contains("train[1]", bad.Message);
    }

    [Fact]
    public void CalibrationWritesSquarePngThatDependsOnSigma()
    {
        (double[] truth, double[] predicted, double[] sigma) = Synthetic(3000, seed: 3, noise: 0.2);
        string a = Path.Combine(_folder, "cal.png"), b = Path.Combine(_folder, "cal2.png");
        EvaluationPlots.Calibration(a, truth, predicted, sigma);
        EvaluationPlots.Calibration(b, truth, predicted, sigma.Select(s => s * 2).ToArray());
        AssertPng(a, 800, 800);
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Throws<ArgumentException>(() => EvaluationPlots.Calibration(a, truth, predicted, default));
    }

    [Fact]
    public void ConfusionMatrixWritesSquarePng()
    {
        int[] truth = [0, 0, 1, 1, 2, 2, 2, 1];
        int[] predicted = [0, 1, 1, 1, 2, 0, 2, 1];
        string a = Path.Combine(_folder, "cm.png"), b = Path.Combine(_folder, "cm2.png");
        EvaluationPlots.ConfusionMatrix(a, ClassificationMetrics.Compute(truth, predicted, ["STAR", "GALAXY", "QSO"]));
        EvaluationPlots.ConfusionMatrix(b, ClassificationMetrics.Compute(truth, truth, ["STAR", "GALAXY", "QSO"]));
        AssertPng(a, 800, 800);
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void TextIsRendered()
    {
        // Without a usable font the labels vanish silently; two plots that differ only in their titles must differ.
        (double[] truth, double[] predicted, _) = Synthetic(100, seed: 4, noise: 0.2);
        string a = Path.Combine(_folder, "t1.png"), b = Path.Combine(_folder, "t2.png");
        EvaluationPlots.ResidualVsTrue(a, truth, predicted, "log M*", "dex");
        EvaluationPlots.ResidualVsTrue(b, truth, predicted, "log SFR", "dex");
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    private static (double[] Truth, double[] Predicted, double[] Sigma) Synthetic(int n, int seed, double noise)
    {
        var rng = new Random(seed);
        double[] truth = new double[n], predicted = new double[n], sigma = new double[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = 8 + (4 * rng.NextDouble());
            sigma[i] = noise * (0.5 + rng.NextDouble());
            double gauss = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            predicted[i] = truth[i] + (sigma[i] * gauss);
        }

        return (truth, predicted, sigma);
    }

    private static void AssertPng(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8_000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
