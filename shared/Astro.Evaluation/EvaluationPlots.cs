using System.Globalization;
using ScottPlot;

namespace Astro.Evaluation;

/// <summary>
/// PNG plots a person looks at, rendered headless with ScottPlot 5 (SkiaSharp): predicted vs true, residual vs true,
/// loss curves, uncertainty calibration and the confusion matrix.
/// </summary>
/// <remarks>
/// Square plots (predicted vs true, calibration, confusion matrix) are <see cref="SquareSize"/> pixels on a side; the
/// others are <see cref="WideWidth"/> × <see cref="WideHeight"/>. From <see cref="DensityThreshold"/> points on, points are
/// drawn as a density map (log-scaled counts per cell) instead of a scatter. The folder of <c>path</c> is created when
/// missing. Invalid data throw <see cref="ArgumentException"/> naming the problem.
/// </remarks>
public static class EvaluationPlots
{
    /// <summary>The side of the square plots in pixels.</summary>
    public const int SquareSize = 800;

    /// <summary>The width of the wide plots in pixels.</summary>
    public const int WideWidth = 900;

    /// <summary>The height of the wide plots in pixels.</summary>
    public const int WideHeight = 600;

    /// <summary>The number of points from which a density map replaces the scatter.</summary>
    public const int DensityThreshold = 5000;

    /// <summary>The central interval probabilities of the calibration plot.</summary>
    internal static readonly double[] s_calibrationLevels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

    private const int MaxDensityBins = 120;
    private const string FontName = "DejaVu Sans";
    private static readonly Color s_pointColor = new(31, 119, 180);
    private static readonly Color s_fitColor = new(214, 39, 40);
    private static readonly Color s_referenceColor = new(40, 40, 40);
    private static readonly Color s_medianColor = new(255, 127, 14);

    /// <summary>Plots predictions against true values with the 1:1 line, the least-squares line and a box of metrics.</summary>
    /// <param name="path">The PNG file to write (800 × 800).</param>
    /// <param name="truth">The true values.</param>
    /// <param name="predicted">The predictions.</param>
    /// <param name="quantity">What is predicted, e.g. <c>log M*</c>; used in titles and axis labels.</param>
    /// <param name="unit">The unit, e.g. <c>dex</c>, or <see langword="null"/>.</param>
    /// <param name="sigma">Optional 1σ uncertainties: adds the 68%/95% coverage to the box and error bars below 500 points.</param>
    public static void PredictedVsTrue(string path, ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, string quantity, string? unit,
        ReadOnlySpan<double> sigma = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(quantity);
        RegressionMetrics.Validate(truth, predicted, sigma);
        RegressionMetrics metrics = RegressionMetrics.Compute(truth, predicted, 0, sigma);
        double[] x = truth.ToArray(), y = predicted.ToArray();

        (double lo, double hi) = PaddedRange(x, y);
        Plot plot = CreatePlot($"Predicted vs true {quantity}", $"True {quantity}{UnitSuffix(unit)}", $"Predicted {quantity}{UnitSuffix(unit)}");
        DrawPoints(plot, x, y, lo, hi, lo, hi);
        if (!sigma.IsEmpty && x.Length < 500)
        {
            var errors = plot.Add.ErrorBar(x, y, sigma.ToArray());
            errors.Color = s_pointColor.WithAlpha(0.35);
            errors.CapSize = 0;
        }

        var identity = plot.Add.Line(lo, lo, hi, hi);
        identity.LinePattern = LinePattern.Dashed;
        identity.LineWidth = 2;
        identity.Color = s_referenceColor;
        identity.LegendText = "1:1";

        (double slope, double intercept) = Statistics.LinearFit(x, y);
        if (double.IsFinite(slope))
        {
            var fit = plot.Add.Line(lo, intercept + (slope * lo), hi, intercept + (slope * hi));
            fit.LineWidth = 2;
            fit.Color = s_fitColor;
            fit.LegendText = string.Create(CultureInfo.InvariantCulture, $"best fit: slope {slope:0.000}, intercept {intercept:0.000}");
        }

        AddMetricsBox(plot, metrics, x.Length);
        plot.Axes.SetLimits(lo, hi, lo, hi);
        plot.ShowLegend(Alignment.LowerRight);
        Save(plot, path, SquareSize, SquareSize);
    }

    /// <summary>Plots the residual <c>predicted − true</c> against the true value with the zero line and a running median (and 16th–84th percentiles).</summary>
    /// <param name="path">The PNG file to write (900 × 600).</param>
    /// <param name="truth">The true values.</param>
    /// <param name="predicted">The predictions.</param>
    /// <param name="quantity">What is predicted; used in titles and axis labels.</param>
    /// <param name="unit">The unit, or <see langword="null"/>.</param>
    public static void ResidualVsTrue(string path, ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, string quantity, string? unit)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(quantity);
        RegressionMetrics.Validate(truth, predicted, default);
        double[] x = truth.ToArray();
        double[] residual = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            residual[i] = predicted[i] - truth[i];
        }

        (double xLo, double xHi) = PaddedRange(x, x);
        double span = Math.Max(Math.Abs(Percentile(residual, 0.005)), Math.Abs(Percentile(residual, 0.995)));
        span = span > 0 ? span * 1.15 : 1;
        Plot plot = CreatePlot($"Residuals of {quantity}", $"True {quantity}{UnitSuffix(unit)}", $"Predicted − true {quantity}{UnitSuffix(unit)}");
        DrawPoints(plot, x, residual, xLo, xHi, -span, span);

        var zero = plot.Add.HorizontalLine(0);
        zero.LinePattern = LinePattern.Dashed;
        zero.LineWidth = 2;
        zero.Color = s_referenceColor;
        zero.LegendText = "zero";

        (double[] centres, double[] medians, double[] p16, double[] p84) = RunningPercentiles(x, residual);
        if (centres.Length > 1)
        {
            var median = plot.Add.ScatterLine(centres, medians);
            median.LineWidth = 3;
            median.Color = s_fitColor;
            median.LegendText = "running median";
            var low = plot.Add.ScatterLine(centres, p16);
            low.LineWidth = 2;
            low.LinePattern = LinePattern.Dashed;
            low.Color = s_fitColor;
            low.LegendText = "16th / 84th percentile";
            var high = plot.Add.ScatterLine(centres, p84);
            high.LineWidth = 2;
            high.LinePattern = LinePattern.Dashed;
            high.Color = s_fitColor;
        }

        plot.Axes.SetLimits(xLo, xHi, -span, span);
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, WideWidth, WideHeight);
    }

    /// <summary>Plots training and validation loss per epoch on a logarithmic y axis, with a marker at the best epoch.</summary>
    /// <param name="path">The PNG file to write (900 × 600).</param>
    /// <param name="train">The training loss per epoch (epoch 1 first); positive.</param>
    /// <param name="validation">The validation loss per epoch; may be empty.</param>
    /// <param name="lossName">The loss, e.g. <c>MAE (dex)</c>.</param>
    /// <param name="bestEpoch">The 1-based best epoch; by default the epoch of the lowest validation loss.</param>
    public static void LossCurves(string path, IReadOnlyList<double> train, IReadOnlyList<double> validation, string lossName, int? bestEpoch = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentException.ThrowIfNullOrEmpty(lossName);
        if (train.Count == 0)
        {
            throw new ArgumentException("There are no training losses to plot (0 epochs).", nameof(train));
        }

        RequirePositive(train, nameof(train));
        RequirePositive(validation, nameof(validation));
        int best = bestEpoch ?? (validation.Count > 0 ? ArgMin(validation) + 1 : ArgMin(train) + 1);
        int epochs = Math.Max(train.Count, validation.Count);
        if (best < 1 || best > epochs)
        {
            throw new ArgumentOutOfRangeException(nameof(bestEpoch), bestEpoch, $"The best epoch must lie in [1, {epochs}].");
        }

        Plot plot = CreatePlot("Loss curves", "Epoch", $"{lossName} (log scale)");
        double min = double.MaxValue, max = double.MinValue;
        var trainLine = plot.Add.ScatterLine(Epochs(train.Count), Log10(train, ref min, ref max));
        trainLine.LineWidth = 2;
        trainLine.Color = s_pointColor;
        trainLine.LegendText = "training";
        IReadOnlyList<double> bestSeries = train;
        if (validation.Count > 0)
        {
            var validationLine = plot.Add.ScatterLine(Epochs(validation.Count), Log10(validation, ref min, ref max));
            validationLine.LineWidth = 2;
            validationLine.Color = s_medianColor;
            validationLine.LegendText = "validation";
            bestSeries = validation;
        }

        var bestLine = plot.Add.VerticalLine(best);
        bestLine.LinePattern = LinePattern.Dashed;
        bestLine.Color = s_referenceColor.WithAlpha(0.6);
        bestLine.LineWidth = 1;
        if (best <= bestSeries.Count)
        {
            double bestValue = bestSeries[best - 1];
            var marker = plot.Add.Marker(best, Math.Log10(bestValue), MarkerShape.FilledCircle, 12, s_fitColor);
            marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"best epoch {best}: {bestValue:g4}");
        }

        double pad = Math.Max((max - min) * 0.08, 0.02);
        plot.Axes.SetLimitsY(min - pad, max + pad);
        plot.Axes.SetLimitsX(0.5, epochs + 0.5);
        (double[] ticks, string[] labels) = LogTicks(min - pad, max + pad);
        plot.Axes.Left.SetTicks(ticks, labels);
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, WideWidth, WideHeight);
    }

    /// <summary>
    /// Plots, for 10 central interval probabilities from 0.1 to 0.95, the expected coverage against the observed fraction
    /// of true values inside <c>predicted ± z·σ</c> (Gaussian intervals), with the diagonal of perfect calibration.
    /// </summary>
    /// <param name="path">The PNG file to write (800 × 800).</param>
    /// <param name="truth">The true values.</param>
    /// <param name="predicted">The predictions.</param>
    /// <param name="sigma">The predicted 1σ uncertainties (positive).</param>
    public static void Calibration(string path, ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sigma)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (sigma.IsEmpty)
        {
            throw new ArgumentException("A calibration plot needs the predicted uncertainties (sigma is empty).", nameof(sigma));
        }

        RegressionMetrics.Validate(truth, predicted, sigma);
        double[] observed = ObservedCoverage(truth, predicted, sigma, s_calibrationLevels);
        Plot plot = CreatePlot("Uncertainty calibration", "Expected coverage of the central interval", "Observed coverage");

        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LineWidth = 2;
        diagonal.Color = s_referenceColor;
        diagonal.LegendText = "perfect calibration";

        var curve = plot.Add.Scatter(s_calibrationLevels, observed);
        curve.LineWidth = 2;
        curve.MarkerSize = 9;
        curve.Color = s_pointColor;
        curve.LegendText = "observed";

        RegressionMetrics metrics = RegressionMetrics.Compute(truth, predicted, 0, sigma);
        var box = plot.Add.Annotation(string.Create(CultureInfo.InvariantCulture,
            $"n = {truth.Length:N0}\n±1σ (68.3%): {metrics.Coverage68:P1}\n±1.96σ (95%): {metrics.Coverage95:P1}\nabove the diagonal: σ too large\nbelow: σ too small"),
            Alignment.UpperLeft);
        StyleBox(box);

        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        Save(plot, path, SquareSize, SquareSize);
    }

    /// <summary>Draws the confusion matrix as a heatmap (colour: fraction of the true class) with the count and row percentage in each cell.</summary>
    /// <param name="path">The PNG file to write (800 × 800).</param>
    /// <param name="metrics">The classification metrics holding the matrix.</param>
    public static void ConfusionMatrix(string path, ClassificationMetrics metrics)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(metrics);
        int k = metrics.Classes.Count;
        if (metrics.ConfusionMatrix.Length != k || metrics.ConfusionMatrix.Any(row => row.Length != k))
        {
            throw new ArgumentException($"The confusion matrix is not {k} × {k} like the class list.", nameof(metrics));
        }

        double[,] fraction = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            double total = metrics.ConfusionMatrix[t].Sum();
            for (int p = 0; p < k; p++)
            {
                fraction[t, p] = total > 0 ? metrics.ConfusionMatrix[t][p] / total : 0;
            }
        }

        Plot plot = CreatePlot(string.Create(CultureInfo.InvariantCulture, $"Confusion matrix (accuracy {metrics.Accuracy:P1}, n = {metrics.Count})"),
            "Predicted class", "True class");
        var heatmap = plot.Add.Heatmap(fraction);
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues());
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Rectangle = new CoordinateRect(-0.5, k - 0.5, -0.5, k - 0.5);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "fraction of the true class";
        colorBar.LabelStyle.FontName = FontName;
        colorBar.LabelStyle.FontSize = 14;

        float fontSize = k <= 4 ? 20 : k <= 8 ? 14 : 10;
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                // Row 0 of the heatmap is drawn at the top: true class t sits at y = k - 1 - t.
                var text = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{metrics.ConfusionMatrix[t][p]:N0}\n{fraction[t, p] * 100:0.0}%"), p, k - 1 - t);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontName = FontName;
                text.LabelBold = t == p;
                text.LabelFontColor = fraction[t, p] > 0.55 ? Colors.White : Colors.Black;
            }
        }

        double[] positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, metrics.Classes.ToArray());
        plot.Axes.Left.SetTicks(positions, metrics.Classes.Reverse().ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontSize = 15;
        plot.Axes.Left.TickLabelStyle.FontSize = 15;
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        Save(plot, path, SquareSize, SquareSize);
    }

    /// <summary>The observed fraction of <c>|truth − predicted| ≤ Φ⁻¹((1 + p)/2)·σ</c> for each central probability <c>p</c>.</summary>
    internal static double[] ObservedCoverage(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sigma, IReadOnlyList<double> levels)
    {
        double[] ratio = new double[truth.Length];
        for (int i = 0; i < ratio.Length; i++)
        {
            ratio[i] = Math.Abs(truth[i] - predicted[i]) / sigma[i];
        }

        double[] observed = new double[levels.Count];
        for (int l = 0; l < levels.Count; l++)
        {
            double z = Statistics.NormalQuantile((1 + levels[l]) / 2);
            observed[l] = (double)ratio.Count(r => r <= z) / ratio.Length;
        }

        return observed;
    }

    /// <summary>Median and 16th/84th percentiles of <paramref name="y"/> in bins of <paramref name="x"/> holding equal numbers of points.</summary>
    internal static (double[] Centres, double[] Medians, double[] P16, double[] P84) RunningPercentiles(double[] x, double[] y)
    {
        int n = x.Length;
        int bins = Math.Clamp(n / 25, 0, 30);
        if (bins < 2)
        {
            return ([], [], [], []);
        }

        int[] order = Enumerable.Range(0, n).OrderBy(i => x[i]).ToArray();
        var centres = new double[bins];
        var medians = new double[bins];
        var p16 = new double[bins];
        var p84 = new double[bins];
        for (int b = 0; b < bins; b++)
        {
            int start = (int)((long)b * n / bins), end = (int)((long)(b + 1) * n / bins);
            double[] xs = new double[end - start], ys = new double[end - start];
            for (int i = start; i < end; i++)
            {
                xs[i - start] = x[order[i]];
                ys[i - start] = y[order[i]];
            }

            Array.Sort(ys);
            centres[b] = Statistics.Median(xs);
            medians[b] = Statistics.MedianOfSorted(ys);
            p16[b] = Statistics.QuantileOfSorted(ys, 0.16);
            p84[b] = Statistics.QuantileOfSorted(ys, 0.84);
        }

        return (centres, medians, p16, p84);
    }

    private static Plot CreatePlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title, 20);
        plot.XLabel(xLabel, 16);
        plot.YLabel(yLabel, 16);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        plot.Legend.FontName = FontName;
        return plot;
    }

    private static void DrawPoints(Plot plot, double[] x, double[] y, double xLo, double xHi, double yLo, double yHi)
    {
        if (x.Length < DensityThreshold)
        {
            var points = plot.Add.ScatterPoints(x, y);
            points.MarkerSize = x.Length < 1000 ? 6 : 4;
            points.Color = s_pointColor.WithAlpha(x.Length < 1000 ? 0.7 : 0.35);
            points.LegendText = "objects";
            return;
        }

        // A 2-D histogram; row 0 is drawn at the top, so y bins are filled from the top down. Empty cells are NaN (transparent).
        // About 8 objects per occupied cell on average keeps the map smooth without hiding structure.
        int bins = Math.Clamp((int)Math.Sqrt(x.Length / 8.0), 40, MaxDensityBins);
        double[,] counts = new double[bins, bins];
        double xStep = (xHi - xLo) / bins, yStep = (yHi - yLo) / bins;
        for (int i = 0; i < x.Length; i++)
        {
            int col = (int)Math.Floor((x[i] - xLo) / xStep);
            int row = (int)Math.Floor((y[i] - yLo) / yStep);
            if ((uint)col < bins && (uint)row < bins)
            {
                counts[bins - 1 - row, col]++;
            }
        }

        for (int r = 0; r < bins; r++)
        {
            for (int c = 0; c < bins; c++)
            {
                counts[r, c] = counts[r, c] > 0 ? Math.Log10(counts[r, c]) : double.NaN;
            }
        }

        var heatmap = plot.Add.Heatmap(counts);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Rectangle = new CoordinateRect(xLo, xHi, yLo, yHi);
        heatmap.NaNCellColor = Colors.Transparent;
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = string.Create(CultureInfo.InvariantCulture, $"log₁₀ objects per cell");
        colorBar.LabelStyle.FontName = FontName;
        colorBar.LabelStyle.FontSize = 14;
    }

    private static void AddMetricsBox(Plot plot, RegressionMetrics metrics, int n)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"n = {n:N0}"),
            string.Create(CultureInfo.InvariantCulture, $"σ = {metrics.Sigma:0.0000}"),
            string.Create(CultureInfo.InvariantCulture, $"RMSE = {metrics.Rmse:0.0000}"),
            string.Create(CultureInfo.InvariantCulture, $"MAD = {metrics.MeanAbsoluteDeviation:0.0000}"),
            string.Create(CultureInfo.InvariantCulture, $"NMAD = {metrics.Nmad:0.0000}"),
            string.Create(CultureInfo.InvariantCulture, $"bias = {metrics.Bias:+0.0000;-0.0000;0}"),
            string.Create(CultureInfo.InvariantCulture, $"R² = {metrics.AdjustedR2:0.000}"),
        };
        if (metrics.Coverage68 is double c68 && metrics.Coverage95 is double c95)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"in ±1σ: {c68:P1}, ±1.96σ: {c95:P1}"));
        }

        StyleBox(plot.Add.Annotation(string.Join('\n', lines), Alignment.UpperLeft));
    }

    private static void StyleBox(ScottPlot.Plottables.Annotation box)
    {
        box.LabelFontName = FontName;
        box.LabelFontSize = 14;
        box.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        box.LabelBorderColor = Colors.Gray;
        box.LabelBorderWidth = 1;
        box.LabelShadowColor = Colors.Transparent;
        box.LabelPadding = 8;
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        plot.SavePng(path, width, height);
    }

    private static string UnitSuffix(string? unit) => string.IsNullOrWhiteSpace(unit) ? string.Empty : $" [{unit}]";

    private static (double Lo, double Hi) PaddedRange(double[] a, double[] b)
    {
        double lo = Math.Min(a.Min(), b.Min()), hi = Math.Max(a.Max(), b.Max());
        double pad = hi > lo ? (hi - lo) * 0.04 : Math.Max(Math.Abs(lo) * 0.1, 1);
        return (lo - pad, hi + pad);
    }

    private static double Percentile(double[] values, double q)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return Statistics.QuantileOfSorted(sorted, q);
    }

    private static void RequirePositive(IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (!(values[i] > 0) || !double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is {values[i]}; a log-scale loss plot needs positive finite losses.", name);
            }
        }
    }

    private static int ArgMin(IReadOnlyList<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++)
        {
            if (values[i] < values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static double[] Epochs(int count) => Enumerable.Range(1, count).Select(i => (double)i).ToArray();

    private static double[] Log10(IReadOnlyList<double> values, ref double min, ref double max)
    {
        double[] result = new double[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Math.Log10(values[i]);
            min = Math.Min(min, result[i]);
            max = Math.Max(max, result[i]);
        }

        return result;
    }

    /// <summary>Tick positions (log10) and labels for a log axis: 1-2-5 per decade when it spans few decades, decades otherwise.</summary>
    internal static (double[] Positions, string[] Labels) LogTicks(double logMin, double logMax)
    {
        double decades = logMax - logMin;
        int[] mantissas = decades <= 1.2 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : decades <= 2.5 ? [1, 2, 5] : [1];
        var positions = new List<double>();
        var labels = new List<string>();
        for (int e = (int)Math.Floor(logMin) - 1; e <= (int)Math.Ceiling(logMax); e++)
        {
            foreach (int m in mantissas)
            {
                double value = m * Math.Pow(10, e);
                double position = Math.Log10(value);
                if (position >= logMin && position <= logMax)
                {
                    positions.Add(position);
                    labels.Add(value.ToString("g3", CultureInfo.InvariantCulture));
                }
            }
        }

        if (positions.Count < 2 && decades <= 0.4)
        {
            // Less than a step between labelled values: label evenly spaced values instead.
            positions.Clear();
            labels.Clear();
            for (int i = 0; i <= 4; i++)
            {
                double position = logMin + (decades * i / 4);
                positions.Add(position);
                labels.Add(Math.Pow(10, position).ToString("g3", CultureInfo.InvariantCulture));
            }
        }

        return (positions.ToArray(), labels.ToArray());
    }
}
