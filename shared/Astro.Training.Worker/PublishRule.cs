using System.Globalization;
using Astro.Training.Worker.Models;

namespace Astro.Training.Worker;

/// <summary>
/// "Publish only if the candidate is not worse than the current model": a primary metric, its direction and a relative
/// margin. Both models are scored on the same test rows (the candidate's held-out split) by the serving code.
/// </summary>
/// <param name="Metric">The metric name (a key of <see cref="Metrics"/>).</param>
/// <param name="Margin">The relative margin: lower-is-better metrics pass when candidate ≤ current × (1 + margin),
/// higher-is-better ones when candidate ≥ current × (1 − margin) (for |bias|, the absolute values are compared).</param>
public sealed record PublishRule(string Metric, double Margin)
{
    /// <summary>Relative tolerance for ties: scores equal to ~1e-9 count as equal (the same model scored twice).</summary>
    public const double TieTolerance = 1e-9;

    /// <summary>The metrics a rule can use and whether higher is better: the keys of RegressionMetrics/ClassificationMetrics.ToDictionary.</summary>
    public static IReadOnlyDictionary<string, bool> Metrics { get; } = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase)
    {
        ["rmse"] = false,
        ["sigma"] = false,
        ["meanAbsoluteDeviation"] = false,
        ["nmad"] = false,
        ["bias"] = false,
        ["outlierFraction"] = false,
        ["adjustedR2"] = true,
        ["accuracy"] = true,
    };

    /// <summary>Gets a value indicating whether a higher score is better.</summary>
    public bool HigherIsBetter => Metrics[Metric];

    /// <summary>The default metric for a task: accuracy for classes, NMAD for photometric redshift, RMSE otherwise.</summary>
    /// <param name="classification">Whether the model classifies.</param>
    /// <param name="redshift">Whether the target is a redshift.</param>
    /// <returns>The metric name.</returns>
    public static string DefaultMetric(bool classification, bool redshift) => classification ? "accuracy" : redshift ? "nmad" : "rmse";

    /// <summary>The score of a metric dictionary under this rule (|bias| for bias).</summary>
    /// <param name="metrics">The metrics.</param>
    /// <returns>The score, or NaN when the metric is missing.</returns>
    public double Score(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        string? key = metrics.Keys.FirstOrDefault(k => string.Equals(k, Metric, StringComparison.OrdinalIgnoreCase));
        if (key is null)
        {
            return double.NaN;
        }

        double v = metrics[key];
        return string.Equals(Metric, "bias", StringComparison.OrdinalIgnoreCase) ? Math.Abs(v) : v;
    }

    /// <summary>Decides whether a candidate may replace the current model.</summary>
    /// <param name="candidateScore">The candidate's score on the shared test rows.</param>
    /// <param name="currentScore">The current model's score on the same rows, or null when there is no current model.</param>
    /// <returns>Whether to publish, and the reason in one line.</returns>
    public (bool Publish, string Reason) Decide(double candidateScore, double? currentScore)
    {
        string m = Metric;
        if (currentScore is not double current)
        {
            return (true, "no current model: the first version is published");
        }

        if (!double.IsFinite(candidateScore))
        {
            return (false, $"the candidate's {m} is not finite ({Format(candidateScore)})");
        }

        if (!double.IsFinite(current))
        {
            return (true, $"the current model's {m} is not finite ({Format(current)}); the candidate's is {Format(candidateScore)}");
        }

        double limit = HigherIsBetter ? current * (1 - Margin) : current * (1 + Margin);
        double tolerance = TieTolerance * Math.Max(1.0, Math.Abs(limit));
        bool pass = HigherIsBetter ? candidateScore >= limit - tolerance : candidateScore <= limit + tolerance;
        string direction = HigherIsBetter ? "≥" : "≤";
        string margin = Margin == 0 ? "not worse" : $"relative margin {Format(Margin)}";
        return pass
            ? (true, $"candidate {m} {Format(candidateScore)} {direction} {Format(limit)} (current {Format(current)}, {margin})")
            : (false, $"candidate {m} {Format(candidateScore)} is worse than the limit {Format(limit)} (current {Format(current)}, {margin})");
    }

    /// <summary>Builds the decision record.</summary>
    internal PublishDecision ToDecision(double candidateScore, double? currentScore, string? currentVersion, int comparedRows, bool publish, string reason) => new()
    {
        Metric = Metric,
        HigherIsBetter = HigherIsBetter,
        Margin = Margin,
        CandidateScore = double.IsFinite(candidateScore) ? candidateScore : null,
        CurrentScore = currentScore is double c && double.IsFinite(c) ? c : null,
        CurrentVersion = currentVersion,
        ComparedRows = comparedRows,
        Publish = publish,
        Reason = reason,
    };

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
