namespace Astro.Fits.Statistics;

/// <summary>
/// Running count, undefined count, min, max and a compensated (Neumaier) sum in float64, so that
/// means of millions of values agree with numpy's pairwise sums to far better than 1e-6.
/// </summary>
public struct ValueAccumulator
{
    private double _sum;
    private double _compensation;

    /// <summary>Values seen, undefined ones included.</summary>
    public long Count { get; private set; }

    /// <summary>Undefined values seen (NaN, BLANK, TNULL).</summary>
    public long Undefined { get; private set; }

    /// <summary>Smallest defined value (+∞ when none).</summary>
    public double Min { get; private set; }

    /// <summary>Largest defined value (−∞ when none).</summary>
    public double Max { get; private set; }

    /// <summary>Defined values seen.</summary>
    public readonly long Defined => Count - Undefined;

    /// <summary>Sum of the defined values.</summary>
    public readonly double Sum => _sum + _compensation;

    /// <summary>Mean of the defined values (NaN when none).</summary>
    public readonly double Mean => Defined == 0 ? double.NaN : Sum / Defined;

    /// <summary>Creates an empty accumulator.</summary>
    public static ValueAccumulator Create() => new() { Min = double.PositiveInfinity, Max = double.NegativeInfinity };

    /// <summary>Adds values.</summary>
    public void Add(ReadOnlySpan<double> values)
    {
        double min = Min;
        double max = Max;
        double sum = _sum;
        double c = _compensation;
        long undefined = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                undefined++;
                continue;
            }

            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }

            double t = sum + v;
            c += Math.Abs(sum) >= Math.Abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }

        Min = min;
        Max = max;
        _sum = sum;
        _compensation = c;
        Count += values.Length;
        Undefined += undefined;
    }
}
