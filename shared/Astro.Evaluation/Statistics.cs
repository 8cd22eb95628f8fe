namespace Astro.Evaluation;

/// <summary>Small numeric helpers shared by the metrics and the plots.</summary>
internal static class Statistics
{
    /// <summary>The scale factor that turns a median absolute deviation into a Gaussian σ (1 / Φ⁻¹(0.75)).</summary>
    public const double NmadScale = 1.4826;

    /// <summary>The median of <paramref name="values"/> (mean of the two middle values for an even count); sorts a copy.</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        double[] copy = values.ToArray();
        Array.Sort(copy);
        return MedianOfSorted(copy);
    }

    /// <summary>The median of an already sorted array.</summary>
    public static double MedianOfSorted(ReadOnlySpan<double> sorted)
    {
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) of sorted values with linear interpolation (numpy's default).</summary>
    public static double QuantileOfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        double fraction = position - lower;
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * fraction);
    }

    /// <summary>The ordinary least-squares line <c>y = slope·x + intercept</c>.</summary>
    public static (double Slope, double Intercept) LinearFit(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double meanX = 0, meanY = 0;
        for (int i = 0; i < x.Length; i++)
        {
            meanX += x[i];
            meanY += y[i];
        }

        meanX /= x.Length;
        meanY /= x.Length;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - meanX;
            sxy += dx * (y[i] - meanY);
            sxx += dx * dx;
        }

        double slope = sxx > 0 ? sxy / sxx : double.NaN;
        return (slope, meanY - (slope * meanX));
    }

    /// <summary>
    /// The standard normal quantile Φ⁻¹(<paramref name="p"/>) by Acklam's rational approximation
    /// (relative error below 1.2e-9 over (0, 1)).
    /// </summary>
    public static double NormalQuantile(double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((((c[0] * q) + c[1]) * q) + c[2]) * q) + c[3]) * q + c[4]) * q + c[5];
            x /= ((((((d[0] * q) + d[1]) * q) + d[2]) * q) + d[3]) * q + 1;
        }
        else if (p <= 1 - low)
        {
            double q = p - 0.5;
            double r = q * q;
            x = (((((((a[0] * r) + a[1]) * r) + a[2]) * r) + a[3]) * r + a[4]) * r + a[5];
            x = x * q / ((((((((b[0] * r) + b[1]) * r) + b[2]) * r) + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((((c[0] * q) + c[1]) * q) + c[2]) * q) + c[3]) * q + c[4]) * q - c[5];
            x /= ((((((d[0] * q) + d[1]) * q) + d[2]) * q) + d[3]) * q + 1;
        }

        return x;
    }

    /// <summary>Throws unless every value is finite.</summary>
    public static void RequireFinite(ReadOnlySpan<double> values, string parameterName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{parameterName}[{i}] is {values[i]}; metrics need finite values (drop or impute missing rows first).", parameterName);
            }
        }
    }
}
