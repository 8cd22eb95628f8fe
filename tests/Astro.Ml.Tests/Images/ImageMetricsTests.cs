using Astro.Ml.Images;
using Astro.Ml.Training;
using static TorchSharp.torch;

namespace Astro.Ml.Tests.Images;

/// <summary>The weighted L1 loss, the metrics and the SGDR schedule against hand computations.</summary>
public sealed class ImageMetricsTests
{
    [Fact]
    public void WeightedL1_MatchesHandComputation()
    {
        // err floored at 5 % of |true|: max(0.1, 0.075) = 0.1, max(0.01, 0.05) = 0.05, max(1, 0.4) = 1
        // → |Δ|/err = 0.5/0.1, 1/0.05, 2/1 = 5, 20, 2 → mean 9.
        TorchSetup.EnsureNativeLoaded();
        using Tensor predicted = tensor(new float[] { 1, 2, 10 }, [3, 1]);
        using Tensor target = tensor(new float[] { 1.5f, 1, 8 }, [3, 1]);
        using Tensor error = tensor(new float[] { 0.1f, 0.01f, 1 }, [3, 1]);
        using Tensor loss = ImageLosses.WeightedL1(predicted, target, error);
        Assert.Equal(9.0, loss.item<float>(), 4);

        ImageRegressionMetrics m = ImageRegressionMetrics.Compute([1.5, 1, 8], [1, 2, 10], [0.1, 0.01, 1], 0.1, logSpace: false);
        Assert.Equal(9.0, m.WeightedL1, 10);
        Assert.Equal(Math.Sqrt((0.25 + 1 + 4) / 3), m.Rmse, 12);
        Assert.Equal(2.5 / 3, m.Bias, 12);

        // Δ = −0.5, 1, 2; median 1; |Δ − 1| = 1.5, 0, 1 → median 1 → NMAD 1.4826.
        Assert.Equal(1.4826, m.Nmad, 12);

        // dex: log10(1/1.5) = −0.176, log10(2) = 0.301, log10(10/8) = 0.097 → one of three within 0.15.
        Assert.Equal(1.0 / 3, m.FractionWithin015Dex, 12);
        Assert.Equal(Math.Sqrt((Math.Pow(Math.Log10(1 / 1.5), 2) + Math.Pow(Math.Log10(2), 2) + Math.Pow(Math.Log10(1.25), 2)) / 3), m.RmsleDex, 12);
    }

    [Fact]
    public void CosineRestarts_FollowsCyclesOf1_2_4()
    {
        var s = new CosineRestartSchedule(1e-3, 0, 1, 2);
        Assert.Equal(1e-3, s.LearningRate(0), 12);
        Assert.Equal(0.5e-3, s.LearningRate(0.5), 12);
        Assert.Equal(1e-3, s.LearningRate(1), 12);
        Assert.Equal(0.5e-3, s.LearningRate(2), 12);
        Assert.Equal(1e-3, s.LearningRate(3), 12);
        Assert.Equal(0.5e-3, s.LearningRate(5), 12);
        Assert.Equal([1.0, 3, 7, 15, 31], s.CycleEnds(31));
    }
}
