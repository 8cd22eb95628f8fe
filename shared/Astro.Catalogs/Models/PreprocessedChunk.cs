namespace Astro.Catalogs.Models;

/// <summary>Model inputs for the kept rows of one <see cref="CatalogChunk"/>, plus the status of every input row.</summary>
public sealed class PreprocessedChunk
{
    internal PreprocessedChunk()
    {
    }

    /// <summary>Kept rows.</summary>
    public int RowCount { get; internal init; }

    /// <summary>Input names in column order: the profile's bands, then <c>z</c> when the model takes the redshift.</summary>
    public IReadOnlyList<string> FeatureNames { get; internal init; } = [];

    /// <summary>Row-major float32 inputs, <see cref="RowCount"/> × <see cref="FeatureNames"/>.Count, in the profile's representation (µJy or AB mag).</summary>
    public float[] Features { get; internal init; } = [];

    /// <summary>Row-major band mask, <see cref="RowCount"/> × bands: 1 = measured, 0 = missing (filled).</summary>
    public byte[] BandMask { get; internal init; } = [];

    /// <summary>Label names (the profile's labels).</summary>
    public IReadOnlyList<string> LabelNames { get; internal init; } = [];

    /// <summary>Row-major float32 labels in model space (e.g. log10), <see cref="RowCount"/> × <see cref="LabelNames"/>.Count; NaN when missing and not dropped.</summary>
    public float[] Labels { get; internal init; } = [];

    /// <summary>Class index per kept row (position in the profile's class list; -1 unknown), or <see langword="null"/> without a class label.</summary>
    public int[]? ClassIndices { get; internal init; }

    /// <summary>IDs of the kept rows (or their line numbers as text when the profile has no ID column).</summary>
    public string[] Ids { get; internal init; } = [];

    /// <summary>Source line numbers of the kept rows.</summary>
    public long[] LineNumbers { get; internal init; } = [];

    /// <summary>The status of every input row of the chunk, in input order.</summary>
    public RowStatus[] Status { get; internal init; } = [];

    /// <summary>The counts for this chunk.</summary>
    public SelectionReport Report { get; internal init; } = new();
}
