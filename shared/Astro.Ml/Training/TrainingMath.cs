namespace Astro.Ml.Training;

/// <summary>Small numeric helpers of training: quantiles, polynomial fits, calibration, Mahalanobis distances.</summary>
public static class TrainingMath
{
    /// <summary>The linear-interpolated quantile (numpy's default) of the values.</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = [.. values.Where(double.IsFinite).Order()];
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>Least-squares polynomial <c>y ≈ Σ c_k x^k</c>; coefficients in ascending powers (c0 first).</summary>
    /// <exception cref="ArgumentException">Too few points for the degree.</exception>
    public static double[] FitPolynomial(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int degree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degree);
        int n = degree + 1;
        if (x.Length != y.Length || x.Length < n)
        {
            throw new ArgumentException($"A degree-{degree} fit needs at least {n} points.");
        }

        // Centre and scale x for conditioning, solve, then expand back to powers of x.
        double mean = 0;
        foreach (double v in x)
        {
            mean += v;
        }

        mean /= x.Length;
        double scale = 0;
        foreach (double v in x)
        {
            scale = Math.Max(scale, Math.Abs(v - mean));
        }

        scale = scale > 0 ? scale : 1;
        var a = new double[n, n];
        var b = new double[n];
        var powers = new double[(2 * degree) + 1];
        for (int i = 0; i < x.Length; i++)
        {
            double t = (x[i] - mean) / scale;
            double p = 1;
            for (int k = 0; k < powers.Length; k++)
            {
                powers[k] = p;
                p *= t;
            }

            for (int r = 0; r < n; r++)
            {
                b[r] += powers[r] * y[i];
                for (int c = 0; c < n; c++)
                {
                    a[r, c] += powers[r + c];
                }
            }
        }

        double[] u = Solve(a, b);

        // y = Σ u_k ((x − mean)/scale)^k → coefficients of x^j by the binomial expansion.
        var coefficients = new double[n];
        for (int k = 0; k < n; k++)
        {
            double factor = u[k] / Math.Pow(scale, k);
            for (int j = 0; j <= k; j++)
            {
                coefficients[j] += factor * Binomial(k, j) * Math.Pow(-mean, k - j);
            }
        }

        return coefficients;
    }

    /// <summary>Evaluates a polynomial with ascending coefficients.</summary>
    public static double Polynomial(IReadOnlyList<double> coefficients, double x)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        double value = 0;
        for (int k = coefficients.Count - 1; k >= 0; k--)
        {
            value = (value * x) + coefficients[k];
        }

        return value;
    }

    /// <summary>The factor s so that |truth − predicted| ≤ s·σ for the <paramref name="coverage"/> fraction of rows.</summary>
    public static double CalibrationScale(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sigma, double coverage)
    {
        var ratios = new double[truth.Length];
        for (int i = 0; i < truth.Length; i++)
        {
            ratios[i] = Math.Abs(truth[i] - predicted[i]) / Math.Max(sigma[i], 1e-12);
        }

        double s = Quantile(ratios, coverage);
        return double.IsFinite(s) && s > 0 ? s : 1.0;
    }

    /// <summary>The fraction of rows with |truth − predicted| ≤ z·σ.</summary>
    public static double Coverage(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sigma, double z)
    {
        if (truth.Length == 0)
        {
            return double.NaN;
        }

        int inside = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (Math.Abs(truth[i] - predicted[i]) <= z * sigma[i])
            {
                inside++;
            }
        }

        return (double)inside / truth.Length;
    }

    /// <summary>
    /// Mean and precision (inverse covariance, with a small ridge for stability) of row-major data, rows × d.
    /// </summary>
    public static (double[] Mean, double[] Precision) MeanAndPrecision(ReadOnlySpan<float> data, int rows, int d, double ridge = 1e-6)
    {
        var mean = new double[d];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++)
            {
                mean[j] += data[(r * d) + j];
            }
        }

        for (int j = 0; j < d; j++)
        {
            mean[j] /= rows;
        }

        var cov = new double[d, d];
        var row = new double[d];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++)
            {
                row[j] = data[(r * d) + j] - mean[j];
            }

            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    cov[i, j] += row[i] * row[j];
                }
            }
        }

        double trace = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                cov[i, j] /= Math.Max(1, rows - 1);
                cov[j, i] = cov[i, j];
            }

            trace += cov[i, i];
        }

        double lambda = ridge * Math.Max(trace / d, 1e-12);
        for (int i = 0; i < d; i++)
        {
            cov[i, i] += lambda;
        }

        var precision = new double[d * d];
        for (int c = 0; c < d; c++)
        {
            var e = new double[d];
            e[c] = 1;
            double[] column = Solve((double[,])cov.Clone(), e);
            for (int r = 0; r < d; r++)
            {
                precision[(r * d) + c] = column[r];
            }
        }

        return (mean, precision);
    }

    /// <summary>The squared Mahalanobis distance of one row.</summary>
    public static double SquaredMahalanobis(ReadOnlySpan<float> row, IReadOnlyList<double> mean, IReadOnlyList<double> precision)
    {
        int d = mean.Count;
        Span<double> delta = d <= 256 ? stackalloc double[d] : new double[d];
        for (int j = 0; j < d; j++)
        {
            delta[j] = row[j] - mean[j];
        }

        double sum = 0;
        for (int i = 0; i < d; i++)
        {
            double acc = 0;
            for (int j = 0; j < d; j++)
            {
                acc += precision[(i * d) + j] * delta[j];
            }

            sum += delta[i] * acc;
        }

        return sum;
    }

    // Gaussian elimination with partial pivoting (small systems only).
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        double[] x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-300)
            {
                throw new ArgumentException("The system is singular.");
            }

            if (pivot != col)
            {
                for (int c = 0; c < n; c++)
                {
                    (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                }

                (x[col], x[pivot]) = (x[pivot], x[col]);
            }

            for (int r = col + 1; r < n; r++)
            {
                double f = a[r, col] / a[col, col];
                if (f == 0)
                {
                    continue;
                }

                for (int c = col; c < n; c++)
                {
                    a[r, c] -= f * a[col, c];
                }

                x[r] -= f * x[col];
            }
        }

        for (int r = n - 1; r >= 0; r--)
        {
            double sum = x[r];
            for (int c = r + 1; c < n; c++)
            {
                sum -= a[r, c] * x[c];
            }

            x[r] = sum / a[r, r];
        }

        return x;
    }

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (int i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
