namespace Astro.Contract.Predictions;

/// <summary>What is special about one output row. Written as an integer bit mask (FLAGS) in CSV and FITS outputs.</summary>
[Flags]
public enum PredictionFlags : short
{
    /// <summary>A normal prediction from a complete row inside the training domain.</summary>
    None = 0,

    /// <summary>1: one or more bands were missing and filled (the model's missing-band policy is keepAndFlag).</summary>
    MissingBands = 1,

    /// <summary>2: the standardised inputs lie outside the training domain (Mahalanobis distance above the manifest's threshold).</summary>
    OutOfDistribution = 2,

    /// <summary>4: the row was not predicted; the reason is the row's RowStatus (Astro.Catalogs.Models) (prediction and uncertainty are NaN).</summary>
    NotPredicted = 4,

    /// <summary>8: the model returned a non-finite value for the row.</summary>
    InvalidOutput = 8,
}
