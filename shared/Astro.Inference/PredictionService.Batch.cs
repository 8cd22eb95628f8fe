using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;

namespace Astro.Inference;

// One chunk in batches through the ONNX session: rows kept by the selection, inputs, run, then out-of-distribution scores and outputs.
public partial class PredictionService
{
    private PredictionBatch PredictCore(CatalogChunk chunk, PreprocessedChunk input, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(input);
        int n = chunk.RowCount;
        int nb = _package.Profile.Bands.Count;
        int nf = input.FeatureNames.Count;
        if (input.Status.Length != n)
        {
            throw new ArgumentException($"The preprocessed chunk describes {input.Status.Length} rows, the chunk has {n}.", nameof(input));
        }

        if (nf != nb + (_package.Profile.Model.IncludeRedshift ? 1 : 0) || input.Features.Length != input.RowCount * nf)
        {
            throw new ArgumentException($"The preprocessed chunk has features [{string.Join(", ", input.FeatureNames)}]; model {_package.DisplayName} needs profile '{_package.Profile.Name}'.", nameof(input));
        }

        ModelManifest m = _package.Manifest;
        bool classification = m.Task == ModelTask.Classification;
        int classes = m.Classes.Count;
        var values = new float[n];
        var sigmas = new float[n];
        var flags = new PredictionFlags[n];
        float[]? ood = _ood is null ? null : new float[n];
        float[]? probs = classification ? new float[n * classes] : null;
        int[]? classIndex = classification ? new int[n] : null;
        int[] rowOfKept = new int[input.RowCount];
        int k = 0;
        for (int r = 0; r < n; r++)
        {
            RowStatus s = input.Status[r];
            if (s is RowStatus.Kept or RowStatus.KeptWithMissingBands)
            {
                rowOfKept[k++] = r;
                if (s == RowStatus.KeptWithMissingBands)
                {
                    flags[r] = PredictionFlags.MissingBands;
                }
            }
            else
            {
                flags[r] = PredictionFlags.NotPredicted;
                values[r] = float.NaN;
                sigmas[r] = float.NaN;
                if (ood is not null)
                {
                    ood[r] = float.NaN;
                }

                if (probs is not null)
                {
                    probs.AsSpan(r * classes, classes).Fill(float.NaN);
                    classIndex![r] = -1;
                }
            }
        }

        if (k != input.RowCount)
        {
            throw new ArgumentException($"The preprocessed chunk keeps {input.RowCount} rows but its statuses keep {k}.", nameof(input));
        }

        var context = new BatchContext(input, rowOfKept, values, sigmas, flags, ood, probs, classIndex, nb, nf);
        int batchSize = _options.BatchSize;
        int batches = (k + batchSize - 1) / batchSize;
        if (batches == 1 || parallelism == 1)
        {
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunBatch(context, b * batchSize, Math.Min(k, (b + 1) * batchSize));
            }
        }
        else if (batches > 1)
        {
            Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, b =>
                RunBatch(context, b * batchSize, Math.Min(k, (b + 1) * batchSize)));
        }

        string[] ids = chunk.Ids ?? RowIndexIds(chunk.FirstRowIndex, n);
        return new PredictionBatch
        {
            ModelName = m.Name,
            ModelVersion = m.Version,
            Task = m.Task,
            Classes = m.Classes,
            RowCount = n,
            FirstRowIndex = chunk.FirstRowIndex,
            Ids = ids,
            LineNumbers = chunk.LineNumbers,
            Values = values,
            Sigmas = sigmas,
            Flags = flags,
            Status = input.Status,
            OutOfDistributionScores = ood,
            ClassIndices = classIndex,
            Probabilities = probs,
            Selection = input.Report,
        };
    }

    private void RunBatch(BatchContext c, int start, int end)
    {
        int n = end - start;
        int nIn = _inputs.Length;
        float[] x = RentInput(n * nIn);
        BuildInputs(c, start, end, x);
        IReadOnlyList<float[]> outputs = _session.RunAll(x, n);
        if (_ood is not null)
        {
            ScoreOutOfDistribution(c, start, n, x, nIn);
        }

        SetOutputs(c, start, n, outputs);
    }

    [ThreadStatic]
    private static float[]? t_input;

    private static float[] RentInput(int length)
    {
        // ONNX Runtime reads the array during Run only, so a per-thread buffer of the exact length is reused across batches.
        float[]? buffer = t_input;
        if (buffer is null || buffer.Length != length)
        {
            buffer = new float[length];
            t_input = buffer;
        }

        return buffer;
    }

    /// <summary>IDs of rows without an ID column: the 0-based index of the row among the catalog's data rows (header, comments, blank and malformed lines not counted), so predictions join back to the input.</summary>
    private static string[] RowIndexIds(long first, int count)
    {
        var ids = new string[count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = (first + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ids;
    }

    private sealed record BatchContext(
        PreprocessedChunk Input,
        int[] RowOfKept,
        float[] Values,
        float[] Sigmas,
        PredictionFlags[] Flags,
        float[]? Ood,
        float[]? Probabilities,
        int[]? ClassIndices,
        int BandCount,
        int FeatureCount);
}
