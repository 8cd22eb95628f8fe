namespace Astro.Evaluation;

/// <summary>Classification metrics: accuracy, the confusion matrix and per-class precision and recall.</summary>
/// <param name="Count">The number of objects.</param>
/// <param name="Accuracy">The fraction of objects whose predicted class is the true class.</param>
/// <param name="Classes">The class names; class index <c>i</c> is <c>Classes[i]</c>.</param>
/// <param name="ConfusionMatrix">Counts indexed <c>[true][predicted]</c>.</param>
/// <param name="Precision">Per class, true positives / predicted positives (0 when the class is never predicted, as scikit-learn's <c>zero_division=0</c>).</param>
/// <param name="Recall">Per class, true positives / actual positives (0 when the class never occurs).</param>
public sealed record ClassificationMetrics(int Count, double Accuracy, IReadOnlyList<string> Classes, int[][] ConfusionMatrix,
    IReadOnlyList<double> Precision, IReadOnlyList<double> Recall)
{
    /// <summary>Computes the metrics.</summary>
    /// <param name="truth">True class indices in <c>[0, classes.Count)</c>.</param>
    /// <param name="predicted">Predicted class indices, one per true value.</param>
    /// <param name="classes">The class names (at least one, unique).</param>
    /// <exception cref="ArgumentException">Empty input, mismatched lengths, no or duplicate classes, or an index out of range.</exception>
    public static ClassificationMetrics Compute(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0)
        {
            throw new ArgumentException("At least one class name is needed.", nameof(classes));
        }

        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Count)
        {
            throw new ArgumentException($"The class names [{string.Join(", ", classes)}] contain a duplicate.", nameof(classes));
        }

        if (truth.IsEmpty)
        {
            throw new ArgumentException("There are no values to evaluate (0 rows).", nameof(truth));
        }

        if (predicted.Length != truth.Length)
        {
            throw new ArgumentException($"There are {predicted.Length} predictions for {truth.Length} true classes.", nameof(predicted));
        }

        int k = classes.Count;
        int[][] confusion = new int[k][];
        for (int i = 0; i < k; i++)
        {
            confusion[i] = new int[k];
        }

        int correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            int t = truth[i], p = predicted[i];
            if ((uint)t >= (uint)k)
            {
                throw new ArgumentException($"truth[{i}] is class {t}, outside [0, {k}).", nameof(truth));
            }

            if ((uint)p >= (uint)k)
            {
                throw new ArgumentException($"predicted[{i}] is class {p}, outside [0, {k}).", nameof(predicted));
            }

            confusion[t][p]++;
            correct += t == p ? 1 : 0;
        }

        double[] precision = new double[k];
        double[] recall = new double[k];
        for (int c = 0; c < k; c++)
        {
            int predictedAsC = 0, actualC = 0;
            for (int j = 0; j < k; j++)
            {
                predictedAsC += confusion[j][c];
                actualC += confusion[c][j];
            }

            precision[c] = predictedAsC > 0 ? (double)confusion[c][c] / predictedAsC : 0;
            recall[c] = actualC > 0 ? (double)confusion[c][c] / actualC : 0;
        }

        return new ClassificationMetrics(truth.Length, (double)correct / truth.Length, classes.ToArray(), confusion, precision, recall);
    }

    /// <summary>
    /// The metrics by name for metrics.json and reports: <c>count</c>, <c>accuracy</c>, and per class
    /// <c>precision_&lt;class&gt;</c> and <c>recall_&lt;class&gt;</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["count"] = Count,
            ["accuracy"] = Accuracy,
        };
        for (int c = 0; c < Classes.Count; c++)
        {
            values[$"precision_{Classes[c]}"] = Precision[c];
            values[$"recall_{Classes[c]}"] = Recall[c];
        }

        return values;
    }
}
