using System.Runtime.Intrinsics;
using Astro.Contract.Packaging;
using Astro.Inference.Packaging;

namespace Astro.Inference;

// Feature building: the manifest's input layout, feature transform and missing-band fill into the ONNX input block.
public partial class PredictionService
{
    /// <summary>True when the inputs are the bands in profile order, then the redshift when the profile has it (the feature layout itself).</summary>
    private static bool IsIdentityLayout(ResolvedInput[] inputs, int bands, bool redshift)
    {
        if (inputs.Length != bands + (redshift ? 1 : 0))
        {
            return false;
        }

        for (int j = 0; j < bands; j++)
        {
            if (inputs[j] != new ResolvedInput(ResolvedInputKind.Band, j))
            {
                return false;
            }
        }

        return !redshift || inputs[bands] == new ResolvedInput(ResolvedInputKind.Redshift, bands);
    }

    private void BuildInputs(BatchContext c, int start, int end, float[] x)
    {
        ModelManifest m = _package.Manifest;
        float fill = m.MissingBands.FillValue;
        float[] features = c.Input.Features;
        byte[] mask = c.Input.BandMask;
        int nIn = _inputs.Length;
        int nf = c.FeatureCount;
        int nb = c.BandCount;
        ResolvedInput[] inputs = _inputs;

        if (_identityInputs && nIn == nf)
        {
            // Inputs = features (bands then z): transform the block straight into x, then restore z and fill masked bands.
            int count = (end - start) * nf;
            Span<float> dst = x.AsSpan(0, count);
            if (m.FeatureTransform.Kind == FeatureTransformKind.Asinh)
            {
                AsinhScaled(features.AsSpan(start * nf, count), dst, (float)(1.0 / m.FeatureTransform.Softening));
            }
            else
            {
                features.AsSpan(start * nf, count).CopyTo(dst);
            }

            bool restoreZ = nf > nb;
            ReadOnlySpan<byte> blockMask = mask.AsSpan(start * nb, (end - start) * nb);
            bool anyMasked = blockMask.Contains((byte)0);
            if (restoreZ || anyMasked)
            {
                for (int i = start, o = 0; i < end; i++, o += nIn)
                {
                    int fo = i * nf;
                    if (restoreZ)
                    {
                        x[o + nb] = features[fo + nb];
                    }

                    if (anyMasked)
                    {
                        int mo = i * nb;
                        for (int b = 0; b < nb; b++)
                        {
                            if (mask[mo + b] == 0)
                            {
                                x[o + b] = fill;
                            }
                        }
                    }
                }
            }

            return;
        }

        // Band values come from a transformed copy of the batch's feature block (asinh vectorised), the redshift from the raw block.
        float[] bandSource = features;
        int bandBase = 0;
        if (m.FeatureTransform.Kind == FeatureTransformKind.Asinh)
        {
            bandSource = RentScratch((end - start) * nf);
            AsinhScaled(features.AsSpan(start * nf, (end - start) * nf), bandSource, (float)(1.0 / m.FeatureTransform.Softening));
            bandBase = -start * nf;
        }

        for (int i = start, o = 0; i < end; i++, o += nIn)
        {
            int fo = i * nf;
            int mo = i * nb;
            for (int j = 0; j < inputs.Length; j++)
            {
                ResolvedInput input = inputs[j];
                x[o + j] = input.Kind switch
                {
                    ResolvedInputKind.Band => mask[mo + input.Source] == 0 ? fill : bandSource[bandBase + fo + input.Source],
                    ResolvedInputKind.Redshift => features[fo + input.Source],
                    _ => mask[mo + input.Source],
                };
            }
        }
    }

    /// <summary>dst = asinh(src × scale), eight lanes at a time: sign(x)·ln(|x| + sqrt(x² + 1)) (absolute error ≈ 1e-7 near 0).</summary>
    internal static void AsinhScaled(ReadOnlySpan<float> src, Span<float> dst, float scale)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(scale);
            Vector256<float> one = Vector256<float>.One;
            Vector256<float> big = Vector256.Create(1e18f);
            Vector256<float> ln2 = Vector256.Create(MathF.Log(2f));
            for (; i <= src.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.Create(src.Slice(i, Vector256<float>.Count)) * s;
                Vector256<float> a = Vector256.Abs(x);
                Vector256<float> r = Vector256.ConditionalSelect(
                    Vector256.GreaterThan(a, big),
                    Vector256.Log(a) + ln2,
                    Vector256.Log(a + Vector256.Sqrt((a * a) + one)));
                r = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -r, r);
                r.CopyTo(dst.Slice(i, Vector256<float>.Count));
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = MathF.Asinh(src[i] * scale);
        }
    }

    [ThreadStatic]
    private static float[]? t_scratch;

    private static float[] RentScratch(int length)
    {
        float[]? buffer = t_scratch;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
            t_scratch = buffer;
        }

        return buffer;
    }
}
