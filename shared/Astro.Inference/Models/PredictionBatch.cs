using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;

namespace Astro.Inference.Models;

/// <summary>
/// The predictions for a block of catalog rows, column-major: exactly one entry per input row, in input order,
/// including rows that were not predicted (flagged <see cref="PredictionFlags.NotPredicted"/> with their reason).
/// </summary>
public sealed class PredictionBatch
{
    internal PredictionBatch()
    {
    }

    /// <summary>The model's name.</summary>
    public string ModelName { get; internal init; } = "";

    /// <summary>The model's version.</summary>
    public string ModelVersion { get; internal init; } = "";

    /// <summary>Regression or classification.</summary>
    public ModelTask Task { get; internal init; } = ModelTask.Regression;

    /// <summary>The class names in probability order (classification), else empty.</summary>
    public IReadOnlyList<string> Classes { get; internal init; } = [];

    /// <summary>The number of rows (input rows of the chunk).</summary>
    public int RowCount { get; internal init; }

    /// <summary>The 0-based index of the first row among the catalog's rows.</summary>
    public long FirstRowIndex { get; internal init; }

    /// <summary>Source IDs, or, when the profile has no ID column, the 0-based data-row index as text (<see cref="FirstRowIndex"/> + row).</summary>
    public string[] Ids { get; internal init; } = [];

    /// <summary>Source line numbers (1-based; row numbers for FITS tables).</summary>
    public long[] LineNumbers { get; internal init; } = [];

    /// <summary>
    /// Regression: the prediction (after slope correction) in the target's served unit. Classification: the probability of
    /// the most probable class. NaN when not predicted.
    /// </summary>
    public float[] Values { get; internal init; } = [];

    /// <summary>Regression: the calibrated 1σ uncertainty (NaN when the model has none or the row was not predicted). Classification: 1 − max probability.</summary>
    public float[] Sigmas { get; internal init; } = [];

    /// <summary>The flags of each row.</summary>
    public PredictionFlags[] Flags { get; internal init; } = [];

    /// <summary>The preprocessing outcome of each row (why a <see cref="PredictionFlags.NotPredicted"/> row was dropped).</summary>
    public RowStatus[] Status { get; internal init; } = [];

    /// <summary>Squared Mahalanobis distance of the standardised inputs, or <see langword="null"/> when the model has no OOD test; NaN for rows not predicted.</summary>
    public float[]? OutOfDistributionScores { get; internal init; }

    /// <summary>Classification: the most probable class index per row (-1 when not predicted); else <see langword="null"/>.</summary>
    public int[]? ClassIndices { get; internal init; }

    /// <summary>Classification: row-major probabilities, <see cref="RowCount"/> × <see cref="Classes"/>.Count (NaN when not predicted); else <see langword="null"/>.</summary>
    public float[]? Probabilities { get; internal init; }

    /// <summary>The selection counts of this block, or <see langword="null"/> for batches built by <see cref="PredictionModelFactory"/>.</summary>
    public SelectionReport? Selection { get; internal init; }

    /// <summary>Rows predicted (not flagged <see cref="PredictionFlags.NotPredicted"/>).</summary>
    public int PredictedCount => Flags.Count(f => (f & PredictionFlags.NotPredicted) == 0);

    /// <summary>The text written for a row's reason: empty for predicted rows, else the camelCase drop reason (e.g. <c>missingFlux</c>).</summary>
    /// <param name="row">The row.</param>
    /// <returns>The reason.</returns>
    public string Reason(int row) => (Flags[row] & PredictionFlags.NotPredicted) == 0 ? "" : SelectionReport.ReasonName(Status[row]);
}
