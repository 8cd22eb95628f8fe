using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Evaluation;
using Astro.Inference;
using Astro.Inference.Models;
using Astro.Inference.Packaging;
using Astro.Ml.Training;

namespace Astro.Training.Worker;

/// <summary>
/// The candidate's held-out test rows as raw catalog rows, so any model package can be scored on exactly those rows by
/// the serving code (<see cref="PredictionService"/>: its own reader units, feature transform, missing-band policy).
/// </summary>
internal static class HeldOutRows
{
    /// <summary>
    /// Re-reads the catalogs the way <see cref="TrainingDataset.FromCatalogs"/> does (same reader, preprocessor and
    /// target filter, so dataset row i is the i-th row that passes) and returns the raw rows at <paramref name="datasetRows"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The re-read rows do not line up with the dataset (a bug).</exception>
    public static CatalogChunk Collect(SurveyProfile profile, IReadOnlyList<string> paths, SelectionOptions selection, TrainingDataset data, IReadOnlyList<int> datasetRows, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<int, int>(datasetRows.Count);
        for (int i = 0; i < datasetRows.Count; i++)
        {
            wanted[datasetRows[i]] = i;
        }

        int labelIndex = -1;
        for (int i = 0; i < profile.Labels.Count; i++)
        {
            if (string.Equals(profile.Labels[i].Name, data.Target.Name, StringComparison.OrdinalIgnoreCase))
            {
                labelIndex = i;
            }
        }

        bool classification = data.Task == ModelTask.Classification;
        var reader = new CatalogReader(profile);
        var preprocessor = new CatalogPreprocessor(profile, selection);
        IReadOnlyList<string>? names = null;
        IReadOnlyList<string>? textNames = null;
        double[][]? columns = null;
        string[][]? text = null;
        var ids = new string[datasetRows.Count];
        var lines = new long[datasetRows.Count];
        int datasetRow = 0;
        int found = 0;
        foreach (string path in paths)
        {
            using CatalogReadSession session = reader.Open(path);
            foreach (CatalogChunk chunk in session.ReadChunks(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                names ??= chunk.ColumnNames;
                textNames ??= chunk.TextColumnNames;
                columns ??= [.. names.Select(_ => new double[datasetRows.Count])];
                text ??= [.. textNames.Select(_ => new string[datasetRows.Count])];
                PreprocessedChunk processed = preprocessor.Process(chunk);
                int nl = processed.LabelNames.Count;
                int kept = 0;
                for (int r = 0; r < chunk.RowCount && datasetRow < data.Rows; r++)
                {
                    if (processed.Status[r] is not (RowStatus.Kept or RowStatus.KeptWithMissingBands))
                    {
                        continue;
                    }

                    int k = kept++;
                    bool passes = classification ? processed.ClassIndices![k] >= 0 : labelIndex >= 0 && float.IsFinite(processed.Labels[(k * nl) + labelIndex]);
                    if (!passes)
                    {
                        continue;
                    }

                    if (wanted.TryGetValue(datasetRow, out int slot))
                    {
                        if (!string.Equals(processed.Ids[k], data.Ids[datasetRow], StringComparison.Ordinal))
                        {
                            throw new InvalidOperationException($"Held-out row {datasetRow}: re-read ID '{processed.Ids[k]}' differs from the dataset's '{data.Ids[datasetRow]}'.");
                        }

                        for (int c = 0; c < names.Count; c++)
                        {
                            columns[c][slot] = chunk.GetColumn(names[c])[r];
                        }

                        for (int c = 0; c < textNames.Count; c++)
                        {
                            text[c][slot] = chunk.TextColumns[c][r];
                        }

                        ids[slot] = processed.Ids[k];
                        lines[slot] = chunk.LineNumbers[r];
                        found++;
                    }

                    datasetRow++;
                }

                if (datasetRow >= data.Rows)
                {
                    break;
                }
            }

            if (datasetRow >= data.Rows)
            {
                break;
            }
        }

        if (found != datasetRows.Count || names is null)
        {
            throw new InvalidOperationException($"Only {found} of {datasetRows.Count} held-out rows were found again in the catalogs.");
        }

        return CatalogModelFactory.CatalogChunk(datasetRows.Count, names, columns!, textNames, text, ids, lines);
    }

    /// <summary>Scores a package on the held-out rows with the serving code.</summary>
    /// <returns>Per row: whether it was predicted and the prediction (regression: model-space value; classification: the
    /// index of the predicted class among the dataset's classes, or -1).</returns>
    public static (bool[] Predicted, double[] Values, double[] Sigmas) Predict(ModelPackage package, CatalogChunk rows, TrainingDataset data, CancellationToken cancellationToken)
    {
        var service = new PredictionService(package, new PredictionServiceOptions { MaxDegreeOfParallelism = 1 });
        PredictionBatch batch = service.Predict(rows, cancellationToken);
        var predicted = new bool[rows.RowCount];
        var values = new double[rows.RowCount];
        var sigmas = new double[rows.RowCount];
        for (int i = 0; i < rows.RowCount; i++)
        {
            bool ok = (batch.Flags[i] & PredictionFlags.NotPredicted) == 0;
            if (data.Task == ModelTask.Classification)
            {
                int c = ok && batch.ClassIndices is { } ci ? ci[i] : -1;
                string? name = c >= 0 && c < batch.Classes.Count ? batch.Classes[c] : null;
                int mapped = name is null ? -1 : IndexOf(data.Classes, name);
                predicted[i] = ok && mapped >= 0;
                values[i] = mapped;
            }
            else
            {
                predicted[i] = ok && float.IsFinite(batch.Values[i]);
                values[i] = batch.Values[i];
                sigmas[i] = batch.Sigmas.Length > i ? batch.Sigmas[i] : double.NaN;
            }
        }

        return (predicted, values, sigmas);
    }

    /// <summary>The metrics of predictions over the rows in <paramref name="use"/>.</summary>
    public static IReadOnlyDictionary<string, double> Metrics(TrainingDataset data, IReadOnlyList<int> datasetRows, bool[] use, double[] values, double[] sigmas)
    {
        var rows = Enumerable.Range(0, datasetRows.Count).Where(i => use[i]).ToArray();
        if (data.Task == ModelTask.Classification)
        {
            int[] truth = [.. rows.Select(i => data.ClassIndices![datasetRows[i]])];
            int[] predicted = [.. rows.Select(i => (int)values[i])];
            return ClassificationMetrics.Compute(truth, predicted, data.Classes).ToDictionary();
        }

        double[] t = [.. rows.Select(i => (double)data.Targets![datasetRows[i]])];
        double[] p = [.. rows.Select(i => values[i])];
        double[] s = [.. rows.Select(i => sigmas[i])];
        bool withSigma = s.Length > 0 && s.All(v => double.IsFinite(v) && v > 0);
        return RegressionMetrics.Compute(t, p, data.FeatureNames.Count, withSigma ? s : default, IsRedshift(data.Target.Name)).ToDictionary();
    }

    /// <summary>Whether a target is a redshift (photometric-redshift metrics); the names PhotometricTrainer uses.</summary>
    public static bool IsRedshift(string name) =>
        name.ToLowerInvariant() is "z" or "zspec" or "z_spec" or "redshift" or "zs" or "specz" or "spec_z";

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
