using System.Text;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Packaging;

namespace Astro.Inference.Output;

/// <summary>Prediction batches as rows of the one prediction-row schema (<see cref="PredictionRow"/>).</summary>
public static class PredictionRows
{
    /// <summary>Converts a batch to rows.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="package">The model package (target and unit).</param>
    /// <param name="input">The input blob (<c>container/name</c>).</param>
    /// <param name="etag">The input version's ETag.</param>
    /// <returns>One row per batch row, in order.</returns>
    public static IEnumerable<PredictionRow> FromBatch(PredictionBatch batch, ModelPackage package, string input, string etag)
    {
        ArgumentNullException.ThrowIfNull(package);
        return FromBatch(batch, PredictionOutputInfo.FromPackage(package, input) with { ETag = etag });
    }

    /// <summary>Converts a batch to rows.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="info">The target, its unit, the input and its version.</param>
    /// <returns>One row per batch row, in order.</returns>
    public static IEnumerable<PredictionRow> FromBatch(PredictionBatch batch, PredictionOutputInfo info)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(info);
        return Iterate(batch, info.TargetName ?? "", info.TargetUnit ?? "", info.InputName ?? "", info.ETag);
    }

    private static IEnumerable<PredictionRow> Iterate(PredictionBatch batch, string target, string unit, string input, string etag)
    {
        bool classification = batch.Task == ModelTask.Classification;
        int classes = batch.Classes.Count;
        for (int r = 0; r < batch.RowCount; r++)
        {
            string cls = "";
            string probs = "";
            float prob = float.NaN;
            float prediction = batch.Values[r];
            if (classification)
            {
                prediction = float.NaN;
                int ci = batch.ClassIndices![r];
                if (ci >= 0)
                {
                    cls = batch.Classes[ci];
                    prob = batch.Values[r];
                    var sb = new StringBuilder();
                    for (int c = 0; c < classes; c++)
                    {
                        sb.Append(c == 0 ? "" : ";").Append(batch.Classes[c]).Append('=').Append(PredictionCsv.Float(batch.Probabilities![(r * classes) + c]));
                    }

                    probs = sb.ToString();
                }
            }

            yield return new PredictionRow(
                batch.FirstRowIndex + r, batch.Ids[r], batch.ModelName, batch.ModelVersion, target, unit, prediction, batch.Sigmas[r],
                cls, prob, probs, (int)batch.Flags[r], batch.Reason(r), input, etag);
        }
    }
}
