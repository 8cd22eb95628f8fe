using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
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

        // The bucketed path only reads its input: an image without NaN needs no copy at all.
        if (values.Length >= BucketedThreshold && AllFinite(values))
        {
            return ComputeBucketed(values, options);
        }

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

            Span<double> finite = buffer.AsSpan(0, n);
            return n < BucketedThreshold ? ComputeDirect(finite, options) : ComputeBucketed(finite, options);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether no value is NaN or ±∞ (exponent bits not all ones), a vectorised scan.</summary>
    internal static bool AllFinite(ReadOnlySpan<double> values)
    {
        const long ExponentMask = 0x7FF0_0000_0000_0000;
        ReadOnlySpan<long> bits = MemoryMarshal.Cast<double, long>(values);
        var mask = new Vector<long>(ExponentMask);
        int i = 0;
        for (; i <= bits.Length - Vector<long>.Count; i += Vector<long>.Count)
        {
            if (Vector.EqualsAny(new Vector<long>(bits[i..]) & mask, mask))
            {
                return false;
            }
        }

        for (; i < bits.Length; i++)
        {
            if ((bits[i] & ExponentMask) == ExponentMask)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Below this many values the plain algorithm (a quickselect median per iteration) is used; above it the
    /// bucketed one, which does the same arithmetic on the same sets of values but touches every value only
    /// a few times in all instead of several times per iteration.
    /// </summary>
    internal const int BucketedThreshold = 1024;

    /// <summary>Buckets of the bucketed algorithm: about 150 values per central bucket for a 256 × 256 sky.</summary>
    private const int Buckets = 1024;

    /// <summary>
    /// The plain algorithm: each iteration takes the median (quickselect) and the standard deviation of the
    /// kept values, then keeps those within the bounds. Also the reference the bucketed path is tested against.
    /// </summary>
    internal static SigmaClippedStatistics ComputeDirect(Span<double> data, SigmaClipOptions options)
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

    private static SigmaClippedStatistics ComputeDirectOnCopy(ReadOnlySpan<double> data, SigmaClipOptions options)
    {
        double[] copy = ArrayPool<double>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(copy);
            return ComputeDirect(copy.AsSpan(0, data.Length), options);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// The same clipping for large inputs. Two facts make it cheap:
    /// <list type="bullet">
    /// <item>The clipped sets are nested, so each is all the values within one interval [L, H] (the
    /// intersection of the bounds so far).</item>
    /// <item>The median is within one standard deviation of the mean, so no bound can leave
    /// mean ± (σ + 1)·std of the first iteration.</item>
    /// </list>
    /// So the values in that window are bucket-sorted once (two passes); the first median is found from
    /// the bucket counts, and each later iteration is a contiguous run of buckets plus two edge buckets:
    /// vectorised two-pass mean and standard deviation over the run, and quickselect only inside the
    /// bucket holding the median. The results are those of <see cref="ComputeDirect"/>: the same kept
    /// values and median, mean and standard deviation equal to rounding.
    /// </summary>
    internal static SigmaClippedStatistics ComputeBucketed(ReadOnlySpan<double> data, SigmaClipOptions options)
    {
        int n0 = data.Length;
        (double mean, double std) = MeanStd(data);
        double reach = (options.Sigma + 1) * std * (1 + 1e-9); // a hair wider: mean and std carry rounding
        double lo = mean - reach;
        double hi = mean + reach;
        if (!(hi > lo) || !double.IsFinite(hi - lo))
        {
            return ComputeDirectOnCopy(data, options); // constant (or overflowing) data: nothing to bucket
        }

        double[] sortedArray = ArrayPool<double>.Shared.Rent(n0);
        double[] scratchArray = ArrayPool<double>.Shared.Rent(n0);
        try
        {
            // Bucket bookkeeping on the stack (4 KB): no allocation per call.
            Span<int> start = stackalloc int[Buckets + 1];
            var buckets = new BucketedValues(data, lo, hi, sortedArray, start, out int below);
            Span<double> scratch = scratchArray.AsSpan(0, n0);
            if (!buckets.TryMedian(lo, hi, below, n0, scratch, out double median))
            {
                return ComputeDirectOnCopy(data, options); // the window missed the median (rounding on degenerate data)
            }

            if (options.MaxIterations == 0)
            {
                return new SigmaClippedStatistics(mean, median, std, n0, 0);
            }

            lo = Math.Max(lo, median - (std * options.Sigma));
            hi = Math.Min(hi, median + (std * options.Sigma));
            int n = lo <= hi ? buckets.Count(lo, hi) : 0;
            if (n == n0)
            {
                return new SigmaClippedStatistics(mean, median, std, n0, 1);
            }

            int iteration = 1;
            while (n > 0)
            {
                if (buckets.IsCoarseFor(lo, hi, n))
                {
                    // The set has shrunk to a few buckets (the first std was inflated by outliers): bucket it
                    // again over its own range, so the median search stays small.
                    Span<double> set = scratch[..n];
                    buckets.CopyTo(lo, hi, set);
                    buckets = new BucketedValues(set, lo, hi, sortedArray, start, out _);
                }

                (mean, std) = buckets.MeanStd(lo, hi, n);
                buckets.TryMedian(lo, hi, 0, n, scratch, out median);
                if (iteration == options.MaxIterations)
                {
                    break;
                }

                iteration++;
                double newLo = Math.Max(lo, median - (std * options.Sigma));
                double newHi = Math.Min(hi, median + (std * options.Sigma));
                int kept = newLo <= newHi ? buckets.Count(newLo, newHi) : 0;
                if (kept == n)
                {
                    break;
                }

                (lo, hi, n) = (newLo, newHi, kept);
            }

            return n == 0
                ? new SigmaClippedStatistics(double.NaN, double.NaN, double.NaN, 0, iteration)
                : new SigmaClippedStatistics(mean, median, std, n, iteration);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratchArray);
            ArrayPool<double>.Shared.Return(sortedArray);
        }
    }

    /// <summary>Mean and population standard deviation (two passes, as numpy computes them).</summary>
    internal static (double Mean, double Std) MeanStd(ReadOnlySpan<double> data)
    {
        double mean = Sum(data) / data.Length;
        return (mean, Math.Sqrt(SumOfSquares(data, mean) / data.Length));
    }

    /// <summary>The sum, accumulated in <see cref="Vector{T}"/>-wide partial sums (several short chains, like numpy's pairwise sum).</summary>
    internal static double Sum(ReadOnlySpan<double> data)
    {
        var acc = Vector<double>.Zero;
        int i = 0;
        for (; i <= data.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            acc += new Vector<double>(data[i..]);
        }

        double sum = Vector.Sum(acc);
        for (; i < data.Length; i++)
        {
            sum += data[i];
        }

        return sum;
    }

    /// <summary>Σ (v − mean)², vectorised like <see cref="Sum"/>.</summary>
    internal static double SumOfSquares(ReadOnlySpan<double> data, double mean)
    {
        var acc = Vector<double>.Zero;
        var m = new Vector<double>(mean);
        int i = 0;
        for (; i <= data.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            Vector<double> d = new Vector<double>(data[i..]) - m;
            acc += d * d;
        }

        double sum = Vector.Sum(acc);
        for (; i < data.Length; i++)
        {
            double d = data[i] - mean;
            sum += d * d;
        }

        return sum;
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

    /// <summary>
    /// Values sorted into <see cref="Buckets"/> buckets of equal width over [min, max] (values outside are
    /// left out). A value's bucket is monotone in the value, so for an interval [L, H] every bucket strictly
    /// between those of L and H lies wholly inside it: only the two edge buckets are looked at value by value.
    /// </summary>
    private readonly ref struct BucketedValues
    {
        private readonly Span<double> _sorted;
        private readonly Span<int> _start;
        private readonly double _min;
        private readonly double _scale;

        public BucketedValues(ReadOnlySpan<double> data, double min, double max, double[] storage, Span<int> start, out int below)
        {
            _min = min;
            _scale = max > min ? Buckets / (max - min) : 0;
            _start = start;

            // Locals, not fields, in the two passes: the JIT then keeps them in registers.
            double scale = _scale;
            Span<int> counts = start;
            counts.Clear();

            // Counts go to start[b + 1], so that the running sum below turns them into bucket starts.
            int belowCount = 0;
            foreach (double v in data)
            {
                if (v >= min && v <= max)
                {
                    counts[Math.Min((int)((v - min) * scale), Buckets - 1) + 1]++;
                }
                else
                {
                    belowCount += v < min ? 1 : 0;
                }
            }

            below = belowCount;
            Span<int> next = stackalloc int[Buckets];
            for (int b = 0; b < Buckets; b++)
            {
                counts[b + 1] += counts[b];
                next[b] = counts[b];
            }

            Span<double> sorted = storage.AsSpan(0, counts[Buckets]);
            _sorted = sorted;
            foreach (double v in data)
            {
                if (v >= min && v <= max)
                {
                    sorted[next[Math.Min((int)((v - min) * scale), Buckets - 1)]++] = v;
                }
            }

        }

        /// <summary>Number of values in [lo, hi] (an interval inside [min, max]).</summary>
        public int Count(double lo, double hi)
        {
            int bLo = Bucket(lo);
            int bHi = Bucket(hi);
            int count = bHi > bLo + 1 ? _start[bHi] - _start[bLo + 1] : 0;
            count += CountIn(bLo, lo, hi);
            if (bHi != bLo)
            {
                count += CountIn(bHi, lo, hi);
            }

            return count;
        }

        /// <summary>Whether the <paramref name="n"/> values in [lo, hi] crowd into so few buckets that re-bucketing them pays.</summary>
        public bool IsCoarseFor(double lo, double hi, int n) => n > 4 * Buckets && Bucket(hi) - Bucket(lo) < Buckets / 16 && hi > lo;

        /// <summary>Copies the values in [lo, hi] to <paramref name="destination"/> (which must fit them).</summary>
        public void CopyTo(double lo, double hi, Span<double> destination)
        {
            int m = 0;
            foreach (double v in _sorted[_start[Bucket(lo)].._start[Bucket(hi) + 1]])
            {
                if (v >= lo && v <= hi)
                {
                    destination[m++] = v;
                }
            }
        }

        /// <summary>Two-pass mean and population standard deviation of the <paramref name="n"/> values in [lo, hi].</summary>
        public (double Mean, double Std) MeanStd(double lo, double hi, int n)
        {
            int bLo = Bucket(lo);
            int bHi = Bucket(hi);

            // The buckets strictly inside are contiguous in memory and wholly in [lo, hi]: vectorised sums.
            ReadOnlySpan<double> inner = bHi > bLo + 1 ? _sorted[_start[bLo + 1].._start[bHi]] : [];
            ReadOnlySpan<double> lowEdge = _sorted[_start[bLo].._start[bLo + 1]];
            ReadOnlySpan<double> highEdge = bHi != bLo ? _sorted[_start[bHi].._start[bHi + 1]] : [];
            double sum = Sum(inner) + EdgeSum(lowEdge, lo, hi, 0, false) + EdgeSum(highEdge, lo, hi, 0, false);
            double mean = sum / n;
            double squares = SumOfSquares(inner, mean) + EdgeSum(lowEdge, lo, hi, mean, true) + EdgeSum(highEdge, lo, hi, mean, true);
            return (mean, Math.Sqrt(squares / n));
        }

        /// <summary>
        /// The median of the <paramref name="n"/> values in [lo, hi], <paramref name="below"/> of which lie below
        /// the bucketed range; false when a middle rank is not among the bucketed values.
        /// </summary>
        public bool TryMedian(double lo, double hi, int below, int n, Span<double> scratch, out double median)
        {
            median = double.NaN;
            int kLo = ((n - 1) / 2) - below;
            int kHi = (n / 2) - below;
            int bLo = Bucket(lo);
            int bHi = Bucket(hi);
            if (kLo < 0)
            {
                return false;
            }

            // The buckets holding the middle ranks.
            int before = 0;
            int first = bLo;
            int inFirst = InBucket(first, lo, hi, bLo, bHi);
            while (before + inFirst <= kLo)
            {
                before += inFirst;
                if (++first > bHi)
                {
                    return false;
                }

                inFirst = InBucket(first, lo, hi, bLo, bHi);
            }

            int last = first;
            int through = before + inFirst;
            while (through <= kHi)
            {
                if (++last > bHi)
                {
                    return false;
                }

                through += InBucket(last, lo, hi, bLo, bHi);
            }

            // Their values in [lo, hi], then quickselect among those few.
            int m = 0;
            foreach (double v in _sorted[_start[first].._start[last + 1]])
            {
                if (v >= lo && v <= hi)
                {
                    scratch[m++] = v;
                }
            }

            Span<double> middle = scratch[..m];
            double upper = Select(middle, kHi - before);
            median = upper;
            if (kLo != kHi)
            {
                // After selection every value left of the selected one is ≤ it: the lower middle is their maximum.
                double lower = double.NegativeInfinity;
                for (int i = 0; i < kHi - before; i++)
                {
                    lower = Math.Max(lower, middle[i]);
                }

                median = (lower + upper) / 2;
            }

            return true;
        }

        private static double EdgeSum(ReadOnlySpan<double> values, double lo, double hi, double mean, bool squares)
        {
            double sum = 0;
            foreach (double v in values)
            {
                if (v >= lo && v <= hi)
                {
                    double d = v - mean;
                    sum += squares ? d * d : v;
                }
            }

            return sum;
        }

        private int Bucket(double v) => Math.Min((int)((v - _min) * _scale), Buckets - 1);

        private int InBucket(int b, double lo, double hi, int bLo, int bHi) =>
            b == bLo || b == bHi ? CountIn(b, lo, hi) : _start[b + 1] - _start[b];

        private int CountIn(int b, double lo, double hi)
        {
            int count = 0;
            foreach (double v in _sorted[_start[b].._start[b + 1]])
            {
                count += v >= lo && v <= hi ? 1 : 0;
            }

            return count;
        }
    }
}
