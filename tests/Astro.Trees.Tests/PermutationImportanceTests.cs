namespace Astro.Trees.Tests;

public sealed class PermutationImportanceTests
{
    [Fact]
    public void InformativeFeaturesMatterAndNoiseDoesNot()
    {
        const int columns = 6;
        (float[] x, float[] y) = SyntheticData.Regression(3000, columns, seed: 21, missingFraction: 0);
        using LightGbmModel model = LightGbmModel.Train(x, 3000, columns, y, new LightGbmOptions { NumIterations = 150, Objective = "regression" });
        (float[] tx, float[] ty) = SyntheticData.Regression(1500, columns, seed: 22, missingFraction: 0);
        double[] truth = ty.Select(v => (double)v).ToArray();
        static double Rmse(double[] t, double[] p) => Math.Sqrt(t.Zip(p, (a, b) => (a - b) * (a - b)).Average());

        PermutationImportanceResult result = PermutationImportance.Compute(model.Predict, tx, 1500, columns, truth, Rmse, repeats: 3, seed: 5);
        PermutationImportanceResult again = PermutationImportance.Compute(model.Predict, tx, 1500, columns, truth, Rmse, repeats: 3, seed: 5);

        Assert.Equal(result.Mean, again.Mean);
        Assert.InRange(result.BaselineScore, 0.05, 0.4);
        // Feature 1 enters as x², feature 0 as 2 sin x: both raise the RMSE by far more than the noise features 4 and 5.
        Assert.True(result.Mean[1] > 0.5, $"feature 1: {result.Mean[1]}");
        Assert.True(result.Mean[0] > 0.5, $"feature 0: {result.Mean[0]}");
        Assert.True(Math.Abs(result.Mean[4]) < 0.02 && Math.Abs(result.Mean[5]) < 0.02, $"noise: {result.Mean[4]}, {result.Mean[5]}");
        Assert.All(result.StandardDeviation, s => Assert.True(s >= 0));
    }

    [Fact]
    public void RejectsWrongLengths()
    {
        Assert.Throws<ArgumentException>(() => PermutationImportance.Compute((f, r) => new double[r], new float[10], 5, 3, new double[5], (a, b) => 0, 1, 0));
        var ex = Assert.Throws<ArgumentException>(() => PermutationImportance.Compute((f, r) => new double[1], new float[10], 5, 2, new double[5], (a, b) => 0, 1, 0));
        Assert.Contains("returned 1 values for 5 rows", ex.Message);
    }
}
