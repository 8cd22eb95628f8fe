using static TorchSharp.torch;

namespace Astro.Ml.Images;

/// <summary>
/// The image papers' metrics: RMSE and NMAD (paper 002), paper 003's error-weighted L1, RMSLE in dex and the fraction of
/// predictions within 0.15 dex.
/// </summary>
/// <param name="Count">Rows.</param>
/// <param name="Rmse">√mean((pred − true)²).</param>
/// <param name="Nmad">1.4826 · median|Δ − median Δ|, Δ = pred − true (paper 002's definition).</param>
/// <param name="Bias">Mean of Δ.</param>
/// <param name="WeightedL1">Paper 003's L = mean(|pred − true| / err) with err floored at 5 % of |true|.</param>
/// <param name="RmsleDex">√mean((log10 pred − log10 true)²) for positive values (NaN if none are positive) — for targets that are not already logarithms.</param>
/// <param name="FractionWithin015Dex">The fraction with |log10 pred − log10 true| ≤ 0.15 (for log-space targets: |pred − true| ≤ 0.15).</param>
public sealed record ImageRegressionMetrics(int Count, double Rmse, double Nmad, double Bias, double WeightedL1, double RmsleDex, double FractionWithin015Dex)
{
    /// <summary>The error floor of the weighted L1 as a fraction of |true| (paper 003: 5 %).</summary>
    public const double ErrorFloorFraction = 0.05;

    /// <summary>Computes the metrics.</summary>
    /// <param name="truth">True values.</param>
    /// <param name="predicted">Predictions.</param>
    /// <param name="errors">Per-row label errors (NaN or empty: <paramref name="constantError"/>).</param>
    /// <param name="constantError">The error used where none is given.</param>
    /// <param name="logSpace">True when the values are already log10 quantities (dex), so dex errors are plain differences.</param>
    public static ImageRegressionMetrics Compute(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, ReadOnlySpan<double> errors, double constantError, bool logSpace)
    {
        if (truth.Length != predicted.Length || truth.Length == 0)
        {
            throw new ArgumentException($"{truth.Length} true values and {predicted.Length} predictions.");
        }

        int n = truth.Length;
        var delta = new double[n];
        double sq = 0, sum = 0, wl1 = 0, dexSq = 0;
        int dexCount = 0, within = 0;
        for (int i = 0; i < n; i++)
        {
            delta[i] = predicted[i] - truth[i];
            sq += delta[i] * delta[i];
            sum += delta[i];
            double err = errors.Length == n && double.IsFinite(errors[i]) ? errors[i] : constantError;
            wl1 += Math.Abs(delta[i]) / FlooredError(err, truth[i]);
            double dex = logSpace ? delta[i] : (truth[i] > 0 && predicted[i] > 0 ? Math.Log10(predicted[i] / truth[i]) : double.NaN);
            if (double.IsFinite(dex))
            {
                dexSq += dex * dex;
                dexCount++;
                if (Math.Abs(dex) <= 0.15)
                {
                    within++;
                }
            }
        }

        double median = Median(delta);
        var absolute = new double[n];
        for (int i = 0; i < n; i++)
        {
            absolute[i] = Math.Abs(delta[i] - median);
        }

        return new ImageRegressionMetrics(
            n,
            Math.Sqrt(sq / n),
            1.4826 * Median(absolute),
            sum / n,
            wl1 / n,
            dexCount > 0 ? Math.Sqrt(dexSq / dexCount) : double.NaN,
            dexCount > 0 ? (double)within / dexCount : double.NaN);
    }

    /// <summary>The median (mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    /// <summary>max(err, 5 % · |value|), and never below 1e-12.</summary>
    public static double FlooredError(double error, double value) => Math.Max(Math.Max(error, ErrorFloorFraction * Math.Abs(value)), 1e-12);

    /// <summary>The metrics as name → value.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new SortedDictionary<string, double>(StringComparer.Ordinal)
    {
        ["count"] = Count,
        ["rmse"] = Rmse,
        ["nmad"] = Nmad,
        ["bias"] = Bias,
        ["weightedL1"] = WeightedL1,
        ["rmsleDex"] = RmsleDex,
        ["fractionWithin0.15Dex"] = FractionWithin015Dex,
    };
}

/// <summary>The training losses of the image networks.</summary>
public static class ImageLosses
{
    /// <summary>
    /// Paper 003's loss: mean(|pred − true| / err), err floored at 5 % of |true| (element-wise, averaged over every output).
    /// </summary>
    /// <param name="predicted">Predictions, [batch, outputs].</param>
    /// <param name="target">True values, same shape.</param>
    /// <param name="error">Label errors, same shape (already including any constant used for labels without errors).</param>
    public static Tensor WeightedL1(Tensor predicted, Tensor target, Tensor error)
    {
        using var scope = NewDisposeScope();
        Tensor floored = maximum(maximum(error, target.abs() * ImageRegressionMetrics.ErrorFloorFraction), tensor(1e-12f, device: error.device));
        return ((predicted - target).abs() / floored).mean().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Stochastic gradient descent with warm restarts (Loshchilov &amp; Hutter; paper 002's cyclical cosine annealing): within a
/// cycle the learning rate falls from the maximum to the minimum along a half cosine, per batch; the first cycle lasts
/// <see cref="FirstCycleEpochs"/> epochs and each later one <see cref="CycleMultiplier"/> times the one before.
/// </summary>
/// <param name="MaxLearningRate">The rate at the start of every cycle.</param>
/// <param name="MinLearningRate">The rate at the end of a cycle.</param>
/// <param name="FirstCycleEpochs">The first cycle's length.</param>
/// <param name="CycleMultiplier">The growth of the cycle length (2 in paper 002: 1, 2, 4 … epochs).</param>
public sealed record CosineRestartSchedule(double MaxLearningRate, double MinLearningRate = 0, double FirstCycleEpochs = 1, double CycleMultiplier = 2)
{
    /// <summary>The learning rate at a (fractional) epoch, e.g. 2.5 = halfway through the third epoch.</summary>
    public double LearningRate(double epoch)
    {
        double length = FirstCycleEpochs;
        double start = 0;
        while (epoch >= start + length)
        {
            start += length;
            length *= CycleMultiplier;
        }

        double t = (epoch - start) / length;
        return MinLearningRate + (0.5 * (MaxLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * t)));
    }

    /// <summary>The epochs at which cycles end (restarts), up to <paramref name="epochs"/>.</summary>
    public IReadOnlyList<double> CycleEnds(double epochs)
    {
        var ends = new List<double>();
        double length = FirstCycleEpochs, end = FirstCycleEpochs;
        while (end <= epochs + 1e-9)
        {
            ends.Add(end);
            length *= CycleMultiplier;
            end += length;
        }

        return ends;
    }
}
