namespace Astro.Contract.Predictions;

/// <summary>One prediction row: one input object predicted by one model. The columns of every output (CSV, FITS, Parquet) are described in docs/outputs.md.</summary>
/// <param name="Row">0-based index of the object among the input catalog's data rows (header, comments, blank and malformed lines not counted; FITS and Parquet: the table row).</param>
/// <param name="Id">The source ID from the profile's ID column, or <paramref name="Row"/> as text when the profile has none.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The model's version.</param>
/// <param name="Target">The predicted quantity (regression) or class label (classification).</param>
/// <param name="Unit">The prediction's unit, or empty.</param>
/// <param name="Prediction">Regression: the value; classification: NaN.</param>
/// <param name="Uncertainty">Regression: calibrated 1σ; classification: 1 − max probability. NaN when absent.</param>
/// <param name="Class">Classification: the most probable class; else empty.</param>
/// <param name="Probability">Classification: its probability; else NaN.</param>
/// <param name="Probabilities">Classification: <c>class=p;…</c> in model order; else empty.</param>
/// <param name="Flags">The <see cref="PredictionFlags"/> bits.</param>
/// <param name="Reason">Why the row was not predicted (camelCase), else empty.</param>
/// <param name="Input">The input blob (<c>container/name</c>).</param>
/// <param name="ETag">The input blob version's ETag.</param>
public sealed record PredictionRow(
    long Row, string Id, string Model, string Version, string Target, string Unit, float Prediction, float Uncertainty,
    string Class, float Probability, string Probabilities, int Flags, string Reason, string Input, string ETag)
{
    /// <summary>Whether the row has a prediction.</summary>
    public bool Predicted => (Flags & (int)PredictionFlags.NotPredicted) == 0;
}
