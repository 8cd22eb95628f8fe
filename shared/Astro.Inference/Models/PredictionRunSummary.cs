using Astro.Catalogs.Models;

namespace Astro.Inference.Models;

/// <summary>What <see cref="PredictionService.PredictCatalog"/> did: rows in and out, flags, drops by reason, and time per stage.</summary>
public sealed class PredictionRunSummary
{
    internal PredictionRunSummary()
    {
    }

    /// <summary>The catalog read.</summary>
    public string Catalog { get; internal init; } = "";

    /// <summary>The model's name.</summary>
    public string ModelName { get; internal init; } = "";

    /// <summary>The model's version.</summary>
    public string ModelVersion { get; internal init; } = "";

    /// <summary>Rows written (one per well-formed catalog row).</summary>
    public long RowsWritten { get; internal set; }

    /// <summary>Rows with a prediction.</summary>
    public long RowsPredicted { get; internal set; }

    /// <summary>Rows predicted with missing bands filled.</summary>
    public long RowsWithMissingBands { get; internal set; }

    /// <summary>Rows flagged out of distribution.</summary>
    public long RowsOutOfDistribution { get; internal set; }

    /// <summary>Rows written without a prediction (their reason is in the output and in <see cref="Selection"/>).</summary>
    public long RowsNotPredicted { get; internal set; }

    /// <summary>What the reader saw, including malformed lines it could not turn into rows.</summary>
    public CatalogReadReport Read { get; internal init; } = null!;

    /// <summary>The selection counts over the whole catalog.</summary>
    public SelectionReport Selection { get; internal init; } = null!;

    /// <summary>Seconds spent reading and parsing (reader thread).</summary>
    public double ReadSeconds { get; internal set; }

    /// <summary>Seconds spent in the selection and unit conversion.</summary>
    public double PreprocessSeconds { get; internal set; }

    /// <summary>Seconds spent building inputs, running ONNX and post-processing.</summary>
    public double PredictSeconds { get; internal set; }

    /// <summary>Seconds spent formatting and writing (writer thread).</summary>
    public double WriteSeconds { get; internal set; }

    /// <summary>Wall-clock seconds end to end (stages overlap, so the sum of stages may exceed it).</summary>
    public double TotalSeconds { get; internal set; }

    /// <summary>Rows written per wall-clock second.</summary>
    public double RowsPerSecond => TotalSeconds > 0 ? RowsWritten / TotalSeconds : 0;
}
