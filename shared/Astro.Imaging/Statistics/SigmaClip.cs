using System.Buffers;
using Astro.Imaging.Models;

namespace Astro.Imaging.Statistics;

/// <summary>
/// Sigma-clipped statistics, matching <c>astropy.stats.sigma_clipped_stats</c> (astropy 5.2): NaN and
/// infinite values are ignored; each iteration computes the median and the population standard deviation
/// of the kept values and keeps those within [median − σ·std, median + σ·std] (bounds inclusive); it stops
/// after <see cref="SigmaClipOptions.MaxIterations"/> or when nothing changes. The mean, median and
/// standard deviation of what is left are returned.
/// </summary>
public static class SigmaClip
{
    private static readonly SigmaClipOptions s_default = new();

    /// <summary>Computes sigma-clipped statistics of <paramref name="values"/>.</summary>
    /// <param name="values">The values; NaN and ±∞ are ignored.</param>
    /// <param name="options">Clipping options, or null for the defaults (3σ, 5 iterations).</param>
    /// <returns>The statistics; all NaN with <see cref="SigmaClippedStatistics.Count"/> 0 when no value is finite.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static SigmaClippedStatistics Compute(ReadOnlySpan<double> values, SigmaClipOptions? options = null)
    {
        options ??= s_default;
        options.Validate();
        double[] buffer = ArrayPool<double>.Shared.Rent(Math.Max(1, values.Length));
        try
        {
            int n = 0;
            foreach (double v in values)
            {
                if (double.IsFinite(v))
                {
                    buffer[n++] = v;
                }
            }

            return ComputeInPlace(buffer.AsSpan(0, n), options);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>The clipping core on finite values; reorders <paramref name="data"/>.</summary>
    internal static SigmaClippedStatistics ComputeInPlace(Span<double> data, SigmaClipOptions options)
    {
        int n = data.Length;
        if (n == 0)
        {
            return new SigmaClippedStatistics(double.NaN, double.NaN, double.NaN, 0, 0);
        }

        int iteration = 0;
        while (iteration < options.MaxIterations)
        {
            iteration++;
            Span<double> current = data[..n];
            double median = Median(current);
            (_, double std) = MeanStd(current);
            double low = median - (std * options.Sigma);
            double high = median + (std * options.Sigma);
            int kept = 0;
            for (int i = 0; i < n; i++)
            {
                double v = current[i];
                if (v >= low && v <= high)
                {
                    current[kept++] = v;
                }
            }

            bool changed = kept != n;
            n = kept;
            if (!changed || n == 0)
            {
                break;
            }
        }

        if (n == 0)
        {
            return new SigmaClippedStatistics(double.NaN, double.NaN, double.NaN, 0, iteration);
        }

        Span<double> final = data[..n];
        (double mean, double sd) = MeanStd(final);
        return new SigmaClippedStatistics(mean, Median(final), sd, n, iteration);
    }

    /// <summary>Mean and population standard deviation (two passes, as numpy computes them).</summary>
    internal static (double Mean, double Std) MeanStd(ReadOnlySpan<double> data)
    {
        double sum = 0;
        foreach (double v in data)
        {
            sum += v;
        }

        double mean = sum / data.Length;
        double squares = 0;
        foreach (double v in data)
        {
            double d = v - mean;
            squares += d * d;
        }

        return (mean, Math.Sqrt(squares / data.Length));
    }

    /// <summary>The median (mean of the two middle values for an even count); reorders the span.</summary>
    internal static double Median(Span<double> data)
    {
        int n = data.Length;
        int k = n / 2;
        double upper = Select(data, k);
        if ((n & 1) == 1)
        {
            return upper;
        }

        // After selection every value left of k is ≤ data[k]: the lower middle is their maximum.
        double lower = double.NegativeInfinity;
        for (int i = 0; i < k; i++)
        {
            lower = Math.Max(lower, data[i]);
        }

        return (lower + upper) / 2;
    }

    /// <summary>Hoare quickselect: puts the k-th smallest value at index k, smaller ones before it.</summary>
    internal static double Select(Span<double> data, int k)
    {
        int left = 0;
        int right = data.Length - 1;
        while (right > left)
        {
            // Median of three as the pivot.
            int mid = left + ((right - left) / 2);
            if (data[mid] < data[left])
            {
                (data[mid], data[left]) = (data[left], data[mid]);
            }

            if (data[right] < data[left])
            {
                (data[right], data[left]) = (data[left], data[right]);
            }

            if (data[right] < data[mid])
            {
                (data[right], data[mid]) = (data[mid], data[right]);
            }

            double pivot = data[mid];
            int i = left;
            int j = right;
            while (i <= j)
            {
                while (data[i] < pivot)
                {
                    i++;
                }

                while (data[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (data[i], data[j]) = (data[j], data[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                break;
            }
        }

        return data[k];
    }
}
