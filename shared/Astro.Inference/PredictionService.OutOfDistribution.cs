using System.Runtime.Intrinsics;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;

namespace Astro.Inference;

// The out-of-distribution test: the squared Mahalanobis distance of the standardised inputs against the manifest's threshold.
public partial class PredictionService
{
    /// <summary>Scores rows start..start+n of the batch from their ONNX input block <paramref name="x"/> (<paramref name="nIn"/> inputs per row).</summary>
    private void ScoreOutOfDistribution(BatchContext c, int start, int n, float[] x, int nIn)
    {
        // Four rows at a time, one per vector lane, each with the scalar operation order (identical results).
        OodTest ood = _ood!;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Span<double> d4 = stackalloc double[4];
            Vector256<double>[] z = new Vector256<double>[ood.Dimension];
            for (; i <= n - 4; i += 4)
            {
                ood.Distance4(x.AsSpan(i * nIn, 4 * nIn), nIn, z).CopyTo(d4);
                for (int q = 0; q < 4; q++)
                {
                    SetOod(c, c.RowOfKept[start + i + q], d4[q]);
                }
            }
        }

        double[] scratch = new double[ood.Dimension * 2];
        for (; i < n; i++)
        {
            SetOod(c, c.RowOfKept[start + i], ood.Distance(x.AsSpan(i * nIn, nIn), scratch));
        }
    }

    private void SetOod(BatchContext c, int r, double d)
    {
        c.Ood![r] = (float)d;
        if (!(d <= _ood!.Threshold))
        {
            c.Flags[r] |= PredictionFlags.OutOfDistribution;
        }
    }

    /// <summary>The squared Mahalanobis distance of standardised inputs, through the Cholesky factor of the precision when it has one.</summary>
    private sealed class OodTest
    {
        private readonly double[] _shift;
        private readonly double[] _scale;
        private readonly double[] _center;
        private readonly double[] _matrix;
        private readonly bool _cholesky;

        public OodTest(OutOfDistributionInfo info, StandardizationInfo standardization)
        {
            int d = info.Mean.Count;
            Dimension = d;
            Threshold = info.Threshold;
            _shift = [.. standardization.Mean.Take(d).Select(v => (double)v)];
            _scale = [.. standardization.Std.Take(d).Select(v => 1.0 / v)];
            _center = [.. info.Mean];
            double[] p = [.. info.Precision];
            double[]? l = Cholesky(p, d);
            _cholesky = l is not null;
            _matrix = l ?? p;
        }

        public int Dimension { get; }

        public double Threshold { get; }

        /// <summary>zᵀ P z with z the standardised, centred inputs; = ‖Lᵀz‖² when P = L·Lᵀ.</summary>
        public double Distance(ReadOnlySpan<float> x, double[] scratch)
        {
            int d = Dimension;
            Span<double> z = scratch.AsSpan(0, d);
            for (int j = 0; j < d; j++)
            {
                z[j] = ((x[j] - _shift[j]) * _scale[j]) - _center[j];
            }

            double sum = 0;
            if (_cholesky)
            {
                // L is stored column-major lower (row i of Lᵀ = column i of L): u_i = Σ_{j ≥ i} L[j, i] z_j.
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> column = _matrix.AsSpan((i * d) + i, d - i);
                    double u = 0;
                    for (int j = 0; j < column.Length; j++)
                    {
                        u += column[j] * z[i + j];
                    }

                    sum += u * u;
                }
            }
            else
            {
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> row = _matrix.AsSpan(i * d, d);
                    double u = 0;
                    for (int j = 0; j < d; j++)
                    {
                        u += row[j] * z[j];
                    }

                    sum += u * z[i];
                }
            }

            return sum;
        }

        /// <summary><see cref="Distance"/> of four consecutive rows (row stride <paramref name="stride"/>), one per lane, in the same operation order.</summary>
        public Vector256<double> Distance4(ReadOnlySpan<float> x, int stride, Vector256<double>[] z)
        {
            int d = Dimension;
            for (int j = 0; j < d; j++)
            {
                Vector256<double> v = Vector256.Create((double)x[j], x[stride + j], x[(2 * stride) + j], x[(3 * stride) + j]);
                z[j] = ((v - Vector256.Create(_shift[j])) * Vector256.Create(_scale[j])) - Vector256.Create(_center[j]);
            }

            Vector256<double> sum = Vector256<double>.Zero;
            if (_cholesky)
            {
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> column = _matrix.AsSpan((i * d) + i, d - i);
                    Vector256<double> u = Vector256<double>.Zero;
                    for (int j = 0; j < column.Length; j++)
                    {
                        u += Vector256.Create(column[j]) * z[i + j];
                    }

                    sum += u * u;
                }
            }
            else
            {
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> row = _matrix.AsSpan(i * d, d);
                    Vector256<double> u = Vector256<double>.Zero;
                    for (int j = 0; j < d; j++)
                    {
                        u += Vector256.Create(row[j]) * z[j];
                    }

                    sum += u * z[i];
                }
            }

            return sum;
        }

        /// <summary>The Cholesky factor L of a symmetric positive-definite matrix, stored so that column i of L is contiguous from its diagonal; null when not positive definite.</summary>
        private static double[]? Cholesky(double[] a, int d)
        {
            var l = new double[d, d];
            for (int j = 0; j < d; j++)
            {
                double s = a[(j * d) + j];
                for (int k = 0; k < j; k++)
                {
                    s -= l[j, k] * l[j, k];
                }

                if (!(s > 0))
                {
                    return null;
                }

                l[j, j] = Math.Sqrt(s);
                for (int i = j + 1; i < d; i++)
                {
                    double t = a[(i * d) + j];
                    for (int k = 0; k < j; k++)
                    {
                        t -= l[i, k] * l[j, k];
                    }

                    l[i, j] = t / l[j, j];
                }
            }

            // Column i of L from the diagonal down, at offset i*d + i (entries L[i..d-1, i]).
            var packed = new double[d * d];
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    packed[(i * d) + j] = l[j, i];
                }
            }

            return packed;
        }
    }
}
