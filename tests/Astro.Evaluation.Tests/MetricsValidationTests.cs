namespace Astro.Evaluation.Tests;

public sealed class MetricsValidationTests
{
    [Fact]
    public void PerfectPredictionsGiveZeroErrorsAndUnitR2()
    {
        double[] truth = [1, 2, 3, 4];
        RegressionMetrics m = RegressionMetrics.Compute(truth, truth, 1, [0.1, 0.1, 0.1, 0.1]);
        Assert.Equal(0, m.Rmse);
        Assert.Equal(0, m.Sigma);
        Assert.Equal(1, m.AdjustedR2);
        Assert.Equal(1, m.Coverage68);
        Assert.Null(m.OutlierFraction);
        Assert.Equal(7 + 2, m.ToDictionary().Count);
    }

    [Fact]
    public void AdjustedR2IsNaNWithoutDegreesOfFreedom()
    {
        RegressionMetrics m = RegressionMetrics.Compute([1.0, 2, 3], [1.1, 2, 2.9], predictorCount: 2);
        Assert.True(double.IsNaN(m.AdjustedR2));
    }

    [Fact]
    public void RejectsBadInput()
    {
        var lengths = Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1.0, 2], [1.0], 1));
        Assert.Contains("1 predictions for 2 true values", lengths.Message);
        var nan = Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1.0, double.NaN], [1.0, 2], 1));
        Assert.Contains("truth[1] is NaN", nan.Message);
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([], [], 1));
        var sigma = Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1.0, 2], [1.0, 2], 1, [0.1, 0]));
        Assert.Contains("sigma[1]", sigma.Message);
        var cls = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 3], [0, 1], ["a", "b"]));
        Assert.Contains("truth[1] is class 3", cls.Message);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0], [0], ["a", "a"]));
    }
}
