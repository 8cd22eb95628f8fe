namespace Astro.Evaluation;

/// <summary>
/// Regression metrics of paper 000 (σ of the residuals, RMSE, mean absolute deviation, adjusted R²) plus NMAD, bias,
/// the photometric-redshift outlier fraction and, when per-object uncertainties are given, interval coverage.
/// </summary>
/// <param name="Count">The number of objects.</param>
/// <param name="Sigma">The population standard deviation (ddof = 0) of the residuals <c>truth − predicted</c>.</param>
/// <param name="Rmse">The root mean square of <c>truth − predicted</c>.</param>
/// <param name="MeanAbsoluteDeviation">The mean of <c>|truth − predicted|</c> (paper 000's "mean absolute deviation").</param>
/// <param name="AdjustedR2">
/// <c>1 − (1 − R²)(n − 1)/(n − p − 1)</c> with <c>R² = 1 − SS_res/SS_tot</c> and <c>p</c> the predictor count;
/// NaN when <c>n − p − 1 ≤ 0</c> or the truth is constant.
/// </param>
/// <param name="Nmad"><c>1.4826 · median|Δ − median Δ|</c>.</param>
/// <param name="Bias">The mean of Δ.</param>
/// <param name="OutlierFraction">For photometric redshifts, the fraction with <c>|Δ| &gt; 0.15</c>; otherwise <see langword="null"/>.</param>
/// <param name="Coverage68">With uncertainties, the fraction with <c>|truth − predicted| ≤ σᵢ</c>; otherwise <see langword="null"/>.</param>
/// <param name="Coverage95">With uncertainties, the fraction with <c>|truth − predicted| ≤ 1.96 σᵢ</c>; otherwise <see langword="null"/>.</param>
/// <remarks>
/// Δ is <c>predicted − truth</c>, or <c>(predicted − truth)/(1 + truth)</c> for photometric redshifts. Reference values
/// computed with numpy and scikit-learn are checked in with the tests (tests/Astro.Evaluation.Tests/Baselines).
/// </remarks>
public sealed record RegressionMetrics(int Count, double Sigma, double Rmse, double MeanAbsoluteDeviation, double AdjustedR2,
    double Nmad, double Bias, double? OutlierFraction, double? Coverage68, double? Coverage95)
{
    /// <summary>The <c>|Δz|/(1 + z)</c> above which a photometric redshift counts as an outlier.</summary>
    public const double OutlierThreshold = 0.15;

    /// <summary>The half-width, in σ, of the 95% interval.</summary>
    public const double Z95 = 1.96;

    /// <summary>Computes the metrics.</summary>
    /// <param name="truth">The true values.</param>
    /// <param name="predicted">The predictions, one per true value.</param>
    /// <param name="predictorCount">The number of input features, for the adjusted R² (0 gives the plain R²).</param>
    /// <param name="sigma">Optional per-object 1σ uncertainties (positive), one per true value; empty for none.</param>
    /// <param name="photometricRedshift">Whether the target is a redshift: Δ is scaled by <c>1 + z</c> and outliers are counted.</param>
    /// <exception cref="ArgumentException">Empty input, mismatched lengths, a non-finite value or a non-positive σ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="predictorCount"/> is negative.</exception>
    public static RegressionMetrics Compute(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, int predictorCount,
        ReadOnlySpan<double> sigma = default, bool photometricRedshift = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(predictorCount);
        Validate(truth, predicted, sigma);
        int n = truth.Length;

        double meanTruth = 0, meanResidual = 0;
        for (int i = 0; i < n; i++)
        {
            meanTruth += truth[i];
            meanResidual += truth[i] - predicted[i];
        }

        meanTruth /= n;
        meanResidual /= n;

        double ssRes = 0, ssTot = 0, ssCentred = 0, absSum = 0;
        int within1 = 0, within196 = 0, outliers = 0;
        double[] delta = new double[n];
        double deltaSum = 0;
        for (int i = 0; i < n; i++)
        {
            double r = truth[i] - predicted[i];
            ssRes += r * r;
            ssCentred += (r - meanResidual) * (r - meanResidual);
            ssTot += (truth[i] - meanTruth) * (truth[i] - meanTruth);
            absSum += Math.Abs(r);
            if (!sigma.IsEmpty)
            {
                within1 += Math.Abs(r) <= sigma[i] ? 1 : 0;
                within196 += Math.Abs(r) <= Z95 * sigma[i] ? 1 : 0;
            }

            double d = predicted[i] - truth[i];
            if (photometricRedshift)
            {
                d /= 1 + truth[i];
                outliers += Math.Abs(d) > OutlierThreshold ? 1 : 0;
            }

            delta[i] = d;
            deltaSum += d;
        }

        double r2 = ssTot > 0 ? 1 - (ssRes / ssTot) : double.NaN;
        int dof = n - predictorCount - 1;
        double adjustedR2 = dof > 0 ? 1 - ((1 - r2) * (n - 1) / dof) : double.NaN;

        Array.Sort(delta);
        double medianDelta = Statistics.MedianOfSorted(delta);
        for (int i = 0; i < n; i++)
        {
            delta[i] = Math.Abs(delta[i] - medianDelta);
        }

        Array.Sort(delta);
        double nmad = Statistics.NmadScale * Statistics.MedianOfSorted(delta);

        return new RegressionMetrics(
            n,
            Math.Sqrt(ssCentred / n),
            Math.Sqrt(ssRes / n),
            absSum / n,
            adjustedR2,
            nmad,
            deltaSum / n,
            photometricRedshift ? (double)outliers / n : null,
            sigma.IsEmpty ? null : (double)within1 / n,
            sigma.IsEmpty ? null : (double)within196 / n);
    }

    /// <summary>
    /// The metrics by name for metrics.json and reports: <c>count</c>, <c>sigma</c>, <c>rmse</c>, <c>meanAbsoluteDeviation</c>,
    /// <c>adjustedR2</c>, <c>nmad</c>, <c>bias</c>, and when present <c>outlierFraction</c>, <c>coverage68</c>, <c>coverage95</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["count"] = Count,
            ["sigma"] = Sigma,
            ["rmse"] = Rmse,
            ["meanAbsoluteDeviation"] = MeanAbsoluteDeviation,
            ["adjustedR2"] = AdjustedR2,
            ["nmad"] = Nmad,
            ["bias"] = Bias,
        };
        if (OutlierFraction is double outlierFraction)
        {
            values["outlierFraction"] = outlierFraction;
        }

        if (Coverage68 is double coverage68)
        {
            values["coverage68"] = coverage68;
        }

        if (Coverage95 is double coverage95)
        {
            values["coverage95"] = coverage95;
        }

        return values;
    }

    internal static void Validate(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sigma)
    {
        if (truth.IsEmpty)
        {
            throw new ArgumentException("There are no values to evaluate (0 rows).", nameof(truth));
        }

        if (predicted.Length != truth.Length)
        {
            throw new ArgumentException($"There are {predicted.Length} predictions for {truth.Length} true values.", nameof(predicted));
        }

        if (!sigma.IsEmpty && sigma.Length != truth.Length)
        {
            throw new ArgumentException($"There are {sigma.Length} uncertainties for {truth.Length} true values.", nameof(sigma));
        }

        Statistics.RequireFinite(truth, nameof(truth));
        Statistics.RequireFinite(predicted, nameof(predicted));
        for (int i = 0; i < sigma.Length; i++)
        {
            if (!(sigma[i] > 0) || !double.IsFinite(sigma[i]))
            {
                throw new ArgumentException($"sigma[{i}] is {sigma[i]}; uncertainties must be positive and finite.", nameof(sigma));
            }
        }
    }
}
