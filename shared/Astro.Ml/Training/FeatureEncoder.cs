using Astro.Contract.Packaging;

namespace Astro.Ml.Training;

/// <summary>
/// Turns raw features (µJy or AB mag, then z) and the band mask into the graph's input rows, exactly as serving must:
/// band values through the feature transform (asinh(x / softening) for fluxes, none for magnitudes), missing bands set to
/// the fill value, then (when <see cref="MaskInputs"/>) one 0/1 mask entry per band appended. Standardisation is not
/// applied here: it is the graph's first layer.
/// </summary>
public sealed class FeatureEncoder
{
    /// <summary>Initializes a new instance of the <see cref="FeatureEncoder"/> class.</summary>
    /// <param name="transform">The transform of band features.</param>
    /// <param name="featureNames">Raw feature names (bands first).</param>
    /// <param name="bandCount">How many leading features are bands.</param>
    /// <param name="maskInputs">Whether mask entries are appended.</param>
    /// <param name="fillValue">The value of missing bands in transformed units.</param>
    public FeatureEncoder(FeatureTransformInfo transform, IReadOnlyList<string> featureNames, int bandCount, bool maskInputs, float fillValue)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentOutOfRangeException.ThrowIfNegative(bandCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bandCount, featureNames.Count);
        Transform = transform;
        FeatureNames = [.. featureNames];
        BandCount = bandCount;
        MaskInputs = maskInputs;
        FillValue = fillValue;
        var inputs = new List<InputInfo>();
        for (int i = 0; i < featureNames.Count; i++)
        {
            inputs.Add(i < bandCount ? new InputInfo(featureNames[i], InputKind.Band) : new InputInfo(featureNames[i], InputKind.Redshift));
        }

        if (maskInputs)
        {
            for (int b = 0; b < bandCount; b++)
            {
                inputs.Add(new InputInfo($"mask:{featureNames[b]}", InputKind.Mask, featureNames[b]));
            }
        }

        Inputs = inputs;
    }

    /// <summary>Gets the band transform.</summary>
    public FeatureTransformInfo Transform { get; }

    /// <summary>Gets the raw feature names.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Gets the number of band features.</summary>
    public int BandCount { get; }

    /// <summary>Gets the number of raw features (bands and redshift).</summary>
    public int FeatureCount => FeatureNames.Count;

    /// <summary>Gets a value indicating whether the mask is appended.</summary>
    public bool MaskInputs { get; }

    /// <summary>Gets the fill value of missing bands (transformed units).</summary>
    public float FillValue { get; }

    /// <summary>Gets the graph inputs in order.</summary>
    public IReadOnlyList<InputInfo> Inputs { get; }

    /// <summary>Gets the graph's input width.</summary>
    public int InputCount => Inputs.Count;

    /// <summary>Encodes rows.</summary>
    /// <param name="features">Row-major raw features, rows × <see cref="FeatureCount"/>.</param>
    /// <param name="bandMask">Row-major mask, rows × <see cref="BandCount"/> (1 measured).</param>
    /// <param name="rows">The row count.</param>
    /// <returns>Row-major graph inputs, rows × <see cref="InputCount"/>.</returns>
    public float[] Encode(ReadOnlySpan<float> features, ReadOnlySpan<byte> bandMask, int rows)
    {
        int f = FeatureCount;
        int nb = BandCount;
        int width = InputCount;
        if (features.Length != rows * f || bandMask.Length != rows * nb)
        {
            throw new ArgumentException($"Expected {rows}×{f} features and {rows}×{nb} mask entries, got {features.Length} and {bandMask.Length}.");
        }

        var output = new float[rows * width];
        bool asinh = Transform.Kind == FeatureTransformKind.Asinh;
        double softening = Transform.Softening;
        for (int r = 0; r < rows; r++)
        {
            int i = r * f;
            int o = r * width;
            for (int b = 0; b < nb; b++)
            {
                bool measured = bandMask[(r * nb) + b] != 0;
                float x = features[i + b];
                output[o + b] = !measured ? FillValue : asinh ? (float)Math.Asinh(x / softening) : x;
                if (MaskInputs)
                {
                    output[o + f + b] = measured ? 1f : 0f;
                }
            }

            for (int k = nb; k < f; k++)
            {
                output[o + k] = features[i + k];
            }
        }

        return output;
    }
}
