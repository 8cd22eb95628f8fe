using System.Text.Json;

namespace Astro.Evaluation.Tests;

/// <summary>Compares the metrics with numpy / scikit-learn values in Baselines/metrics.json (made by Baselines/make_baselines.py).</summary>
public sealed class MetricsBaselineTests
{
    private const double Tolerance = 1e-12;
    private static readonly Lazy<JsonElement> s_baseline = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Baselines", "metrics.json"))).RootElement);

    public static TheoryData<string> RegressionCases() => new(s_baseline.Value.GetProperty("regression").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(RegressionCases))]
    public void RegressionMetricsMatchScikitLearn(string name)
    {
        JsonElement c = Case("regression", name);
        double[] sigma = c.TryGetProperty("sigma", out JsonElement s) ? Doubles(s) : [];
        RegressionMetrics metrics = RegressionMetrics.Compute(Doubles(c.GetProperty("truth")), Doubles(c.GetProperty("predicted")),
            c.GetProperty("predictorCount").GetInt32(), sigma, c.GetProperty("photometricRedshift").GetBoolean());

        IReadOnlyDictionary<string, double> actual = metrics.ToDictionary();
        var expected = c.GetProperty("expected").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach ((string key, double value) in expected)
        {
            Assert.True(Math.Abs(actual[key] - value) <= Tolerance * Math.Max(1, Math.Abs(value)), $"{name}.{key}: expected {value:R}, got {actual[key]:R}");
        }
    }

    [Fact]
    public void ObservedCoverageMatchesScipyQuantiles()
    {
        foreach (JsonElement c in s_baseline.Value.GetProperty("regression").EnumerateArray().Where(c => c.TryGetProperty("sigma", out _)))
        {
            double[] levels = Doubles(c.GetProperty("calibrationLevels"));
            Assert.Equal(EvaluationPlots.s_calibrationLevels, levels);
            double[] observed = EvaluationPlots.ObservedCoverage(Doubles(c.GetProperty("truth")), Doubles(c.GetProperty("predicted")), Doubles(c.GetProperty("sigma")), levels);
            Assert.Equal(Doubles(c.GetProperty("observedCoverage")), observed);
        }
    }

    [Fact]
    public void ClassificationMetricsMatchScikitLearn()
    {
        JsonElement c = Case("classification", "four-classes");
        string[] classes = c.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToArray();
        ClassificationMetrics metrics = ClassificationMetrics.Compute(Ints(c.GetProperty("truth")), Ints(c.GetProperty("predicted")), classes);
        JsonElement expected = c.GetProperty("expected");

        Assert.Equal(expected.GetProperty("accuracy").GetDouble(), metrics.Accuracy, 14);
        int[][] matrix = expected.GetProperty("confusionMatrix").EnumerateArray().Select(Ints).ToArray();
        Assert.Equal(matrix, metrics.ConfusionMatrix);
        AssertClose(Doubles(expected.GetProperty("precision")), metrics.Precision);
        AssertClose(Doubles(expected.GetProperty("recall")), metrics.Recall);
        Assert.Equal(0, metrics.Precision[3]);
        Assert.Equal(metrics.Precision[1], metrics.ToDictionary()["precision_GALAXY"]);
        Assert.Equal(2 + (2 * classes.Length), metrics.ToDictionary().Count);
    }

    [Fact]
    public void NormalQuantileMatchesKnownValues()
    {
        Assert.Equal(1.959963984540054, Statistics.NormalQuantile(0.975), 7);
        Assert.Equal(0.6744897501960817, Statistics.NormalQuantile(0.75), 7);
        Assert.Equal(-2.3263478740408408, Statistics.NormalQuantile(0.01), 7);
        Assert.Equal(0, Statistics.NormalQuantile(0.5), 12);
    }

    private static JsonElement Case(string kind, string name) =>
        s_baseline.Value.GetProperty(kind).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-14, $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
