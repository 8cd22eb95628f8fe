namespace Astro.Trees;

/// <summary>The result of <see cref="PermutationImportance.Compute"/>.</summary>
/// <param name="BaselineScore">The metric on the unpermuted features.</param>
/// <param name="Mean">Per column, the mean over repeats of <c>metric(permuted) − baseline</c>.</param>
/// <param name="StandardDeviation">Per column, the standard deviation (ddof = 0) of that increase over repeats.</param>
public sealed record PermutationImportanceResult(double BaselineScore, double[] Mean, double[] StandardDeviation);

/// <summary>
/// Permutation feature importance (Breiman 2001; as used by paper 003): how much a metric worsens when one column is
/// shuffled across rows, breaking its link with the target.
/// </summary>
public static class PermutationImportance
{
    /// <summary>Computes permutation importance for every column.</summary>
    /// <param name="predict">Predicts one value per row from row-major <c>rows × columns</c> features (e.g. <see cref="LightGbmModel.Predict"/>).</param>
    /// <param name="features">The features, row-major; not modified.</param>
    /// <param name="rows">The number of rows (≥ 2).</param>
    /// <param name="columns">The number of columns (≥ 1).</param>
    /// <param name="truth">The true values, one per row.</param>
    /// <param name="metric">An error metric <c>(truth, predicted) → score</c>, lower is better (e.g. RMSE); for a higher-is-better metric the importances come out negative.</param>
    /// <param name="repeats">How many shuffles per column (≥ 1).</param>
    /// <param name="seed">The seed of the shuffles; the same seed gives the same result.</param>
    /// <exception cref="ArgumentException">Mismatched lengths, or <paramref name="predict"/> returned the wrong number of values.</exception>
    public static PermutationImportanceResult Compute(Func<float[], int, double[]> predict, float[] features, int rows, int columns,
        double[] truth, Func<double[], double[], double> metric, int repeats, int seed)
    {
        ArgumentNullException.ThrowIfNull(predict);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if ((long)rows * columns != features.Length)
        {
            throw new ArgumentException($"The features hold {features.Length} values, not {rows} rows × {columns} columns.", nameof(features));
        }

        if (truth.Length != rows)
        {
            throw new ArgumentException($"There are {truth.Length} true values for {rows} rows.", nameof(truth));
        }

        double baseline = metric(truth, Predict(predict, features, rows));
        float[] work = (float[])features.Clone();
        float[] column = new float[rows];
        int[] order = new int[rows];
        var rng = new Random(seed);
        double[] mean = new double[columns], std = new double[columns];
        double[] scores = new double[repeats];
        for (int c = 0; c < columns; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                column[r] = features[(r * columns) + c];
            }

            for (int k = 0; k < repeats; k++)
            {
                for (int r = 0; r < rows; r++)
                {
                    order[r] = r;
                }

                rng.Shuffle(order);
                for (int r = 0; r < rows; r++)
                {
                    work[(r * columns) + c] = column[order[r]];
                }

                scores[k] = metric(truth, Predict(predict, work, rows)) - baseline;
            }

            for (int r = 0; r < rows; r++)
            {
                work[(r * columns) + c] = column[r];
            }

            mean[c] = scores.Average();
            std[c] = Math.Sqrt(scores.Sum(s => (s - mean[c]) * (s - mean[c])) / repeats);
        }

        return new PermutationImportanceResult(baseline, mean, std);
    }

    private static double[] Predict(Func<float[], int, double[]> predict, float[] features, int rows)
    {
        double[] predicted = predict(features, rows);
        if (predicted is null || predicted.Length != rows)
        {
            throw new ArgumentException($"The predict function returned {predicted?.Length ?? 0} values for {rows} rows.", nameof(predict));
        }

        return predicted;
    }
}
