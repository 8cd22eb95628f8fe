using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;

namespace Astro.Inference.Models;

/// <summary>Builds prediction models for tests and mocks.</summary>
public static class PredictionModelFactory
{
    /// <summary>Creates a regression batch. Every array must have <paramref name="ids"/>.Length elements.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="modelVersion">The model's version.</param>
    /// <param name="ids">The row IDs.</param>
    /// <param name="values">The predictions.</param>
    /// <param name="sigmas">The uncertainties.</param>
    /// <param name="flags">The flags.</param>
    /// <param name="status">The preprocessing outcome per row, or <see langword="null"/> for all kept.</param>
    /// <param name="firstRowIndex">The 0-based index of the first row.</param>
    /// <returns>The batch.</returns>
    /// <exception cref="ArgumentException">Array lengths differ.</exception>
    public static PredictionBatch RegressionBatch(string modelName, string modelVersion, string[] ids, float[] values, float[] sigmas, PredictionFlags[] flags, RowStatus[]? status = null, long firstRowIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int n = ids.Length;
        if (values.Length != n || sigmas.Length != n || flags.Length != n || (status is not null && status.Length != n))
        {
            throw new ArgumentException($"Every array must have {n} elements.");
        }

        return new PredictionBatch
        {
            ModelName = modelName,
            ModelVersion = modelVersion,
            Task = ModelTask.Regression,
            RowCount = n,
            FirstRowIndex = firstRowIndex,
            Ids = ids,
            LineNumbers = [.. Enumerable.Range(1, n).Select(i => firstRowIndex + i)],
            Values = values,
            Sigmas = sigmas,
            Flags = flags,
            Status = status ?? [.. Enumerable.Repeat(RowStatus.Kept, n)],
        };
    }

    /// <summary>Creates a classification batch.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="modelVersion">The model's version.</param>
    /// <param name="classes">The class names.</param>
    /// <param name="ids">The row IDs.</param>
    /// <param name="probabilities">Row-major probabilities, rows × classes.</param>
    /// <param name="flags">The flags.</param>
    /// <param name="status">The preprocessing outcome per row, or <see langword="null"/> for all kept.</param>
    /// <returns>The batch.</returns>
    /// <exception cref="ArgumentException">Array lengths differ.</exception>
    public static PredictionBatch ClassificationBatch(string modelName, string modelVersion, IReadOnlyList<string> classes, string[] ids, float[] probabilities, PredictionFlags[] flags, RowStatus[]? status = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(classes);
        int n = ids.Length;
        int c = classes.Count;
        if (probabilities.Length != n * c || flags.Length != n || (status is not null && status.Length != n))
        {
            throw new ArgumentException($"Probabilities need {n}×{c} elements and the other arrays {n}.");
        }

        var values = new float[n];
        var sigmas = new float[n];
        var index = new int[n];
        for (int r = 0; r < n; r++)
        {
            (index[r], values[r]) = ArgMax(probabilities.AsSpan(r * c, c));
            sigmas[r] = index[r] < 0 ? float.NaN : 1f - values[r];
        }

        return new PredictionBatch
        {
            ModelName = modelName,
            ModelVersion = modelVersion,
            Task = ModelTask.Classification,
            Classes = classes,
            RowCount = n,
            Ids = ids,
            LineNumbers = [.. Enumerable.Range(1, n).Select(i => (long)i)],
            Values = values,
            Sigmas = sigmas,
            Flags = flags,
            Status = status ?? [.. Enumerable.Repeat(RowStatus.Kept, n)],
            ClassIndices = index,
            Probabilities = probabilities,
        };
    }

    internal static (int Index, float Max) ArgMax(ReadOnlySpan<float> p)
    {
        int best = -1;
        float max = float.NaN;
        for (int k = 0; k < p.Length; k++)
        {
            if (best < 0 ? !float.IsNaN(p[k]) : p[k] > max)
            {
                best = k;
                max = p[k];
            }
        }

        return (best, max);
    }
}
