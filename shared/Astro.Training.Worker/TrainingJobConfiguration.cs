using System.Globalization;
using Astro.Catalogs;
using Astro.Catalogs.Preprocessing;
using Astro.Ml.Training;

namespace Astro.Training.Worker;

/// <summary>
/// A job's <c>options</c> turned into what <c>astro train</c> uses: <see cref="TrainingOptions"/>, the selection, a row
/// limit, and the publish rule. Keys are case-insensitive and match the <c>training</c> section of a manifest, so a
/// scheduled job (which copies the served model's configuration) retrains the same architecture.
/// </summary>
/// <remarks>
/// Training keys: architecture, epochs, patience, seed, batchSize, learningRate, initialWeightStd, initializeOutputBias,
/// folds, ensembleSize, heteroscedasticHead, bandDropout, slopeCorrectionDegree, loss, optimizer, trainFraction,
/// validationFraction, fluxSoftening, outOfDistributionQuantile, baseline, threads. Worker keys: selection
/// (paper000 | paper001 | none; default paper000 as in <c>astro train</c>), maxRows, publishMetric, publishMargin,
/// force (publish whatever the comparison says). Ignored: a manifest's provenance keys (layers, hiddenActivation, device,
/// previousVersion) and unknown names (listed in the result).
/// </remarks>
public sealed class TrainingJobConfiguration
{
    private static readonly HashSet<string> s_provenance = new(StringComparer.OrdinalIgnoreCase) { "layers", "hiddenActivation", "device", "previousVersion" };

    private TrainingJobConfiguration()
    {
    }

    /// <summary>Gets the training options (device from the worker).</summary>
    public TrainingOptions Training { get; private init; } = new();

    /// <summary>Gets the selection name: paper000, paper001 or none.</summary>
    public string Selection { get; private init; } = "paper000";

    /// <summary>Gets the row limit, or null.</summary>
    public int? MaxRows { get; private init; }

    /// <summary>Gets the publish metric named by the job, or null for the worker's.</summary>
    public string? PublishMetric { get; private init; }

    /// <summary>Gets the publish margin named by the job, or null for the worker's.</summary>
    public double? PublishMargin { get; private init; }

    /// <summary>Gets a value indicating whether the job publishes whatever the comparison says.</summary>
    public bool Force { get; private init; }

    /// <summary>Gets the option keys that were not used.</summary>
    public IReadOnlyList<string> Ignored { get; private init; } = [];

    /// <summary>Parses a job's options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="device">The worker's device.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="TrainingJobException">(permanent) A value does not parse or is out of range; every problem is listed.</exception>
    public static TrainingJobConfiguration Parse(IReadOnlyDictionary<string, string>? options, TrainingDevice device)
    {
        var o = new TrainingOptions { Device = device };
        var problems = new List<string>();
        var ignored = new List<string>();
        string selection = "paper000";
        int? maxRows = null;
        string? metric = null;
        double? margin = null;
        bool force = false;
        bool slopeGiven = false;
        foreach ((string rawKey, string rawValue) in options ?? new Dictionary<string, string>())
        {
            string key = rawKey.Trim();
            string value = (rawValue ?? string.Empty).Trim();
            bool none = value.Length == 0 || string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "null", StringComparison.OrdinalIgnoreCase);
            void Bad(string expected) => problems.Add($"option {key} = '{value}' is not {expected}");
            int? Int() => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null;
            double? Double() => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null;
            bool? Bool() => bool.TryParse(value, out bool b) ? b : null;
            switch (key.ToLowerInvariant())
            {
                case "architecture":
                    o.Architecture = none ? null : value;
                    break;
                case "epochs":
                    if (Int() is int epochs) { o.Epochs = epochs; } else { Bad("an integer"); }
                    break;
                case "patience":
                    if (Int() is int patience) { o.Patience = patience; } else { Bad("an integer"); }
                    break;
                case "seed":
                    if (Int() is int seed) { o.Seed = seed; } else { Bad("an integer"); }
                    break;
                case "batchsize":
                    if (Int() is int batch) { o.BatchSize = batch; } else { Bad("an integer"); }
                    break;
                case "threads":
                    if (Int() is int threads) { o.Threads = threads; } else { Bad("an integer"); }
                    break;
                case "ensemblesize":
                    if (Int() is int members) { o.EnsembleSize = members; } else { Bad("an integer"); }
                    break;
                case "folds":
                    if (none) { o.Folds = null; } else if (Int() is int folds) { o.Folds = folds; } else { Bad("an integer or none"); }
                    break;
                case "slopecorrectiondegree":
                    slopeGiven = true;
                    if (none || value == "0") { o.SlopeCorrectionDegree = null; } else if (Int() is int degree) { o.SlopeCorrectionDegree = degree; } else { Bad("an integer or none"); }
                    break;
                case "learningrate":
                    if (Double() is double lr) { o.LearningRate = lr; } else { Bad("a number"); }
                    break;
                case "initialweightstd":
                    if (Double() is double std) { o.InitialWeightStd = std; } else { Bad("a number"); }
                    break;
                case "banddropout":
                    if (Double() is double dropout) { o.BandDropout = dropout; } else { Bad("a number"); }
                    break;
                case "trainfraction":
                    if (Double() is double train) { o.TrainFraction = train; } else { Bad("a number"); }
                    break;
                case "validationfraction":
                    if (Double() is double valid) { o.ValidationFraction = valid; } else { Bad("a number"); }
                    break;
                case "outofdistributionquantile":
                    if (Double() is double q) { o.OutOfDistributionQuantile = q; } else { Bad("a number"); }
                    break;
                case "fluxsoftening":
                    if (none) { o.FluxSoftening = null; } else if (Double() is double soft) { o.FluxSoftening = soft; } else { Bad("a number or none"); }
                    break;
                case "initializeoutputbias":
                    if (Bool() is bool init) { o.InitializeOutputBias = init; } else { Bad("true or false"); }
                    break;
                case "heteroscedastichead":
                    if (Bool() is bool hetero) { o.HeteroscedasticHead = hetero; } else { Bad("true or false"); }
                    break;
                case "baseline":
                    // A manifest records the baseline's model name ("LightGBM") or "none".
                    o.Baseline = !none && Bool() is not false;
                    break;
                case "loss":
                    if (ParseLoss(value) is TrainingLoss loss) { o.Loss = loss; } else { Bad("a loss (MeanAbsoluteError, MeanSquaredError, CrossEntropy)"); }
                    break;
                case "optimizer":
                    if (Enum.TryParse(value, ignoreCase: true, out TrainingOptimizer optimizer) && Enum.IsDefined(optimizer)) { o.Optimizer = optimizer; } else { Bad("an optimizer (Adam, RmsProp)"); }
                    break;
                case "selection":
                    if (value.ToLowerInvariant() is "paper000" or "paper001" or "none") { selection = value.ToLowerInvariant(); } else { Bad("a selection (paper000, paper001, none)"); }
                    break;
                case "maxrows":
                    if (none) { maxRows = null; } else if (Int() is int rows && rows > 0) { maxRows = rows; } else { Bad("a positive integer"); }
                    break;
                case "publishmetric":
                    if (PublishRule.Metrics.ContainsKey(value)) { metric = PublishRule.Metrics.Keys.First(k => string.Equals(k, value, StringComparison.OrdinalIgnoreCase)); } else { Bad($"a metric ({string.Join(", ", PublishRule.Metrics.Keys)})"); }
                    break;
                case "publishmargin":
                    if (Double() is double mg && mg > -1) { margin = mg; } else { Bad("a number above -1"); }
                    break;
                case "force":
                    if (Bool() is bool f) { force = f; } else { Bad("true or false"); }
                    break;
                default:
                    ignored.Add(key);
                    break;
            }
        }

        // As `astro train`: paper 001's selection brings its slope correction unless the job says otherwise.
        if (!slopeGiven && selection == "paper001")
        {
            o.SlopeCorrectionDegree = 1;
        }

        if (problems.Count == 0)
        {
            problems.AddRange(o.Validate());
        }

        if (problems.Count > 0)
        {
            throw new TrainingJobException($"invalid job options: {string.Join("; ", problems)}", permanent: true);
        }

        return new TrainingJobConfiguration
        {
            Training = o,
            Selection = selection,
            MaxRows = maxRows,
            PublishMetric = metric,
            PublishMargin = margin,
            Force = force,
            Ignored = [.. ignored.Where(k => !s_provenance.Contains(k)).Concat(ignored.Where(s_provenance.Contains)).Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>The selection of <c>astro train --selection</c> (<see cref="SelectionOptions.ForTraining"/>).</summary>
    /// <param name="profile">The survey profile.</param>
    /// <param name="classTarget">True when the target is the profile's class label.</param>
    /// <returns>The selection options.</returns>
    public SelectionOptions CreateSelection(SurveyProfile profile, bool classTarget = false) =>
        SelectionOptions.ForTraining(profile, Selection, Training.BandDropout > 0, classTarget);

    private static TrainingLoss? ParseLoss(string value) => value.ToLowerInvariant() switch
    {
        "mae" => TrainingLoss.MeanAbsoluteError,
        "mse" => TrainingLoss.MeanSquaredError,
        _ => Enum.TryParse(value, ignoreCase: true, out TrainingLoss l) && Enum.IsDefined(l) ? l : null,
    };
}
