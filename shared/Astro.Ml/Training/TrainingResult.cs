using Astro.Contract.Packaging;
using Astro.Evaluation;
using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Ml.Packaging;
using Astro.Onnx.Proto;
using static TorchSharp.torch;

namespace Astro.Ml.Training;

/// <summary>Outputs of the trained networks for some rows, combined as the exported graph combines them.</summary>
/// <param name="Mean">Regression: the ensemble mean per row (before slope correction). Classification: the arg-max class index per row.</param>
/// <param name="LogVariance">Regression with uncertainty: log of the total (aleatoric + epistemic) variance, uncalibrated; else null.</param>
/// <param name="Members">Regression ensembles: row-major rows × members means; else null.</param>
/// <param name="Probabilities">Classification: row-major rows × classes mean probabilities; else null.</param>
public sealed record ModelPrediction(float[] Mean, float[]? LogVariance, float[]? Members, float[]? Probabilities);

/// <summary>Mean and standard deviation over cross-validation folds of every test metric.</summary>
/// <param name="Folds">The number of folds.</param>
/// <param name="PerFold">Each fold's test metrics.</param>
/// <param name="Mean">The mean over folds.</param>
/// <param name="Std">The sample standard deviation over folds.</param>
public sealed record CrossValidationSummary(int Folds, IReadOnlyList<IReadOnlyDictionary<string, double>> PerFold, IReadOnlyDictionary<string, double> Mean, IReadOnlyDictionary<string, double> Std)
{
    internal static CrossValidationSummary From(IReadOnlyList<IReadOnlyDictionary<string, double>> folds)
    {
        var mean = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var std = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (string key in folds[0].Keys)
        {
            double[] values = [.. folds.Where(f => f.ContainsKey(key)).Select(f => f[key])];
            double m = values.Average();
            mean[key] = m;
            std[key] = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Length - 1)) : 0;
        }

        return new CrossValidationSummary(folds.Count, folds, mean, std);
    }
}

/// <summary>
/// The outcome of <see cref="PhotometricTrainer.Train"/>: the trained networks (one per ensemble member, exported
/// semantics: softmax for classes), the input encoding, calibration, out-of-distribution test and test-set evaluation.
/// </summary>
public sealed class TrainingResult : IDisposable
{
    /// <summary>The epsilon added to the ensemble variance when members have no variance head (keeps the log finite).</summary>
    public const float VarianceEpsilon = 1e-12f;

    private readonly FoldRun _run;

    internal TrainingResult(FoldRun run, TrainingDataset data, FeatureEncoder encoder, NetworkArchitecture architecture, TrainingLoss loss, TrainingOptimizer optimizer, bool heteroscedastic, string split, IReadOnlyDictionary<string, string> configuration, CrossValidationSummary? crossValidation, double seconds)
    {
        _run = run;
        Task = data.Task;
        Target = data.Target;
        Classes = data.Classes;
        Rows = data.Rows;
        Encoder = encoder;
        Architecture = architecture;
        Loss = loss;
        Optimizer = optimizer;
        HeteroscedasticHead = heteroscedastic;
        Split = split;
        Configuration = configuration;
        CrossValidation = crossValidation;
        TrainingSeconds = seconds;
    }

    /// <summary>Gets the task.</summary>
    public ModelTask Task { get; }

    /// <summary>Gets the target.</summary>
    public TargetInfo Target { get; }

    /// <summary>Gets the class names (classification).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Gets the number of rows trained, validated and tested on.</summary>
    public int Rows { get; }

    /// <summary>Gets how raw features become graph inputs.</summary>
    public FeatureEncoder Encoder { get; }

    /// <summary>Gets the architecture.</summary>
    public NetworkArchitecture Architecture { get; }

    /// <summary>Gets the loss.</summary>
    public TrainingLoss Loss { get; }

    /// <summary>Gets the optimiser.</summary>
    public TrainingOptimizer Optimizer { get; }

    /// <summary>Gets a value indicating whether members have a log-variance head.</summary>
    public bool HeteroscedasticHead { get; }

    /// <summary>Gets the split description, e.g. "64/16/20 seed 42".</summary>
    public string Split { get; }

    /// <summary>Gets the configuration as trained.</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; }

    /// <summary>Gets the cross-validation summary, or <see langword="null"/> without folds.</summary>
    public CrossValidationSummary? CrossValidation { get; }

    /// <summary>Gets the LightGBM baseline of the shipped model's split, or <see langword="null"/> when disabled (or it failed).</summary>
    public BaselineResult? Baseline => _run.Baseline;

    /// <summary>Gets the cross-validation summary of the LightGBM baseline (same folds), or <see langword="null"/>.</summary>
    public CrossValidationSummary? BaselineCrossValidation { get; init; }

    /// <summary>Gets the wall time of the whole training in seconds.</summary>
    public double TrainingSeconds { get; }

    /// <summary>Gets the trained networks of the shipped model (CPU, evaluation mode).</summary>
    public IReadOnlyList<SpecModel> Members => _run.Members;

    /// <summary>Gets the loss curves of the shipped model's members.</summary>
    public IReadOnlyList<TrainingHistory> History => _run.Histories;

    /// <summary>Gets the standardisation fitted on the training split.</summary>
    public StandardizationInfo Standardization => _run.Standardization;

    /// <summary>Gets the slope-correction polynomial (ascending powers: c0 + c1·x + …) or null.</summary>
    public IReadOnlyList<double>? SlopeCorrection => _run.SlopeCorrection;

    /// <summary>Gets the uncertainty description (regression with a variance head or an ensemble), or null.</summary>
    public UncertaintyInfo? Uncertainty => _run.Uncertainty;

    /// <summary>Gets the out-of-distribution test over the standardised feature inputs (mask inputs excluded).</summary>
    public OutOfDistributionInfo OutOfDistribution => _run.OutOfDistribution;

    /// <summary>Gets the dataset row indices of the training, validation and test rows.</summary>
    public (IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test) SplitRows => (_run.Split.Train, _run.Split.Validation, _run.Split.Test);

    /// <summary>Gets the test truth (regression: model-space target; classification: class index as double).</summary>
    public IReadOnlyList<double> TestTruth => _run.TestTruth;

    /// <summary>Gets the test predictions after slope correction (classification: predicted class index).</summary>
    public IReadOnlyList<double> TestPredicted => _run.TestPredicted;

    /// <summary>Gets the calibrated test σ (empty without uncertainty).</summary>
    public IReadOnlyList<double> TestSigma => _run.TestSigma;

    /// <summary>Gets the regression test metrics (after slope correction, with calibrated σ), or null.</summary>
    public RegressionMetrics? TestMetrics => _run.TestMetrics;

    /// <summary>Gets the regression test metrics before slope correction (null without a correction).</summary>
    public RegressionMetrics? TestMetricsBeforeCorrection => _run.TestMetricsBeforeCorrection;

    /// <summary>Gets the regression validation metrics (after correction and calibration), or null.</summary>
    public RegressionMetrics? ValidationMetrics => _run.ValidationMetrics;

    /// <summary>Gets the classification test metrics, or null.</summary>
    public ClassificationMetrics? TestClassification => _run.TestClassification;

    /// <summary>Gets the headline test metrics by name (regression or classification).</summary>
    public IReadOnlyDictionary<string, double> TestMetricsDictionary => _run.TestMetricsDictionary;

    /// <summary>Gets the ONNX output roles → names of the exported graph.</summary>
    public IReadOnlyDictionary<string, string> OutputRoles => EnsembleGraphCombiner.OutputRoles(Task, Members.Count, Uncertainty is not null);

    /// <summary>Runs the trained networks in TorchSharp on encoded graph inputs (rows × <see cref="FeatureEncoder.InputCount"/>).</summary>
    public ModelPrediction Predict(float[] graphInputs, int rows) => _run.Predict(graphInputs, rows);

    /// <summary>Exports the shipped model as one ONNX graph (members combined; see <see cref="EnsembleGraphCombiner"/>).</summary>
    public ModelProto ExportOnnx(OnnxExportOptions? options = null) =>
        EnsembleGraphCombiner.Combine([.. Members.Select(m => OnnxExporter.Export(m, options))], Task, Uncertainty is not null, HeteroscedasticHead, options);

    /// <inheritdoc/>
    public void Dispose() => _run.Dispose();
}

/// <summary>One fold's trained members and their evaluation.</summary>
internal sealed class FoldRun : IDisposable
{
    private FoldRun()
    {
    }

    public IReadOnlyList<SpecModel> Members { get; private init; } = [];

    public IReadOnlyList<TrainingHistory> Histories { get; private init; } = [];

    public StandardizationInfo Standardization { get; private init; } = null!;

    public SplitIndices Split { get; private init; } = null!;

    public bool Classification { get; private init; }

    public bool Heteroscedastic { get; private init; }

    public int Width { get; private init; }

    public IReadOnlyList<double>? SlopeCorrection { get; private init; }

    public UncertaintyInfo? Uncertainty { get; private init; }

    public OutOfDistributionInfo OutOfDistribution { get; private init; } = null!;

    public double[] TestTruth { get; private init; } = [];

    public double[] TestPredicted { get; private init; } = [];

    public double[] TestSigma { get; private init; } = [];

    public RegressionMetrics? TestMetrics { get; private init; }

    public RegressionMetrics? TestMetricsBeforeCorrection { get; private init; }

    public RegressionMetrics? ValidationMetrics { get; private init; }

    public ClassificationMetrics? TestClassification { get; private init; }

    public IReadOnlyDictionary<string, double> TestMetricsDictionary { get; private init; } = new Dictionary<string, double>();

    public BaselineResult? Baseline { get; set; }

    public static FoldRun Evaluate(List<SpecModel> members, List<TrainingHistory> histories, TrainingDataset data, FeatureEncoder encoder, StandardizationInfo standardization, SplitIndices split, float[] validX, float[] testX, PhotometricTrainer.Setup setup, TrainingOptions options)
    {
        int width = encoder.InputCount;
        var shell = new FoldRun
        {
            Members = members,
            Histories = histories,
            Standardization = standardization,
            Split = split,
            Classification = setup.Classification,
            Heteroscedastic = setup.Heteroscedastic,
            Width = width,
        };
        OutOfDistributionInfo ood = FitOutOfDistribution(encoder, standardization, PhotometricTrainer.Gather(encoder.Encode(data.Features, data.BandMask, data.Rows), width, split.Train), split.Train.Length, options.OutOfDistributionQuantile);
        ModelPrediction valid = shell.Predict(validX, split.Validation.Length);
        ModelPrediction test = shell.Predict(testX, split.Test.Length);

        if (setup.Classification)
        {
            int[] truth = [.. split.Test.Select(r => data.ClassIndices![r])];
            int[] predicted = [.. test.Mean.Select(v => (int)v)];
            ClassificationMetrics metrics = ClassificationMetrics.Compute(truth, predicted, data.Classes);
            return new FoldRun
            {
                Members = members,
                Histories = histories,
                Standardization = standardization,
                Split = split,
                Classification = true,
                Width = width,
                OutOfDistribution = ood,
                TestTruth = [.. truth.Select(t => (double)t)],
                TestPredicted = [.. predicted.Select(p => (double)p)],
                TestClassification = metrics,
                TestMetricsDictionary = metrics.ToDictionary(),
            };
        }

        double[] validTruth = [.. split.Validation.Select(r => (double)data.Targets![r])];
        double[] testTruth = [.. split.Test.Select(r => (double)data.Targets![r])];
        double[] validRaw = [.. valid.Mean.Select(v => (double)v)];
        double[] testRaw = [.. test.Mean.Select(v => (double)v)];
        double[]? coefficients = null;
        double[] validPred = validRaw;
        double[] testPred = testRaw;
        if (options.SlopeCorrectionDegree is int degree && validRaw.Length > degree + 1)
        {
            coefficients = TrainingMath.FitPolynomial(validRaw, validTruth, degree);
            validPred = [.. validRaw.Select(v => TrainingMath.Polynomial(coefficients, v))];
            testPred = [.. testRaw.Select(v => TrainingMath.Polynomial(coefficients, v))];
        }

        bool photoz = IsRedshift(data.Target.Name);
        int predictors = encoder.FeatureCount;
        UncertaintyInfo? uncertainty = null;
        double[] validSigma = [];
        double[] testSigma = [];
        if (valid.LogVariance is not null && test.LogVariance is not null)
        {
            double[] validRawSigma = [.. valid.LogVariance.Select(lv => Math.Sqrt(Math.Exp(lv)))];
            double[] testRawSigma = [.. test.LogVariance.Select(lv => Math.Sqrt(Math.Exp(lv)))];
            double scale = TrainingMath.CalibrationScale(validTruth, validPred, validRawSigma, TrainingDefaults.CalibrationCoverage);
            validSigma = [.. validRawSigma.Select(s => Math.Max(s * scale, 1e-12))];
            testSigma = [.. testRawSigma.Select(s => Math.Max(s * scale, 1e-12))];
            string kind = members.Count > 1 ? (setup.Heteroscedastic ? "heteroscedasticEnsemble" : "ensemble") : "heteroscedastic";
            uncertainty = new UncertaintyInfo(
                kind,
                scale,
                TrainingMath.Coverage(testTruth, testPred, testSigma, 1.0),
                TrainingMath.Coverage(testTruth, testPred, testSigma, RegressionMetrics.Z95));
        }

        RegressionMetrics testMetrics = RegressionMetrics.Compute(testTruth, testPred, predictors, testSigma, photoz);
        RegressionMetrics? before = coefficients is null ? null : RegressionMetrics.Compute(testTruth, testRaw, predictors, default, photoz);
        RegressionMetrics validMetrics = RegressionMetrics.Compute(validTruth, validPred, predictors, validSigma, photoz);
        return new FoldRun
        {
            Members = members,
            Histories = histories,
            Standardization = standardization,
            Split = split,
            Heteroscedastic = setup.Heteroscedastic,
            Width = width,
            SlopeCorrection = coefficients,
            Uncertainty = uncertainty,
            OutOfDistribution = ood,
            TestTruth = testTruth,
            TestPredicted = testPred,
            TestSigma = testSigma,
            TestMetrics = testMetrics,
            TestMetricsBeforeCorrection = before,
            ValidationMetrics = validMetrics,
            TestMetricsDictionary = testMetrics.ToDictionary(),
        };
    }

    public ModelPrediction Predict(float[] graphInputs, int rows)
    {
        ArgumentNullException.ThrowIfNull(graphInputs);
        if (graphInputs.Length != rows * Width)
        {
            throw new ArgumentException($"Expected {rows}×{Width} inputs, got {graphInputs.Length}.", nameof(graphInputs));
        }

        int k = Members.Count;
        var outputs = new float[k][];
        int outWidth = 0;
        using (no_grad())
        {
            for (int m = 0; m < k; m++)
            {
                using var scope = NewDisposeScope();
                Members[m].eval();
                Tensor x = tensor(graphInputs, [rows, Width]);
                Tensor y = Members[m].call(x).contiguous();
                outWidth = (int)y.shape[1];
                outputs[m] = y.data<float>().ToArray();
            }
        }

        if (Classification)
        {
            var probabilities = new float[rows * outWidth];
            var classes = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                int best = 0;
                for (int c = 0; c < outWidth; c++)
                {
                    float sum = 0;
                    for (int m = 0; m < k; m++)
                    {
                        sum += outputs[m][(r * outWidth) + c];
                    }

                    probabilities[(r * outWidth) + c] = sum / k;
                    if (probabilities[(r * outWidth) + c] > probabilities[(r * outWidth) + best])
                    {
                        best = c;
                    }
                }

                classes[r] = best;
            }

            return new ModelPrediction(classes, null, null, probabilities);
        }

        var mean = new float[rows];
        float[]? logVariance = Heteroscedastic || k > 1 ? new float[rows] : null;
        float[]? membersOut = k > 1 ? new float[rows * k] : null;
        for (int r = 0; r < rows; r++)
        {
            float sum = 0;
            for (int m = 0; m < k; m++)
            {
                float value = outputs[m][r * outWidth];
                sum += value;
                if (membersOut is not null)
                {
                    membersOut[(r * k) + m] = value;
                }
            }

            float mu = sum / k;
            mean[r] = mu;
            if (logVariance is null)
            {
                continue;
            }

            if (k == 1)
            {
                logVariance[r] = outputs[0][(r * outWidth) + 1];
                continue;
            }

            float aleatoric = 0;
            float epistemic = 0;
            for (int m = 0; m < k; m++)
            {
                if (Heteroscedastic)
                {
                    aleatoric += MathF.Exp(outputs[m][(r * outWidth) + 1]);
                }

                float d = outputs[m][r * outWidth] - mu;
                epistemic += d * d;
            }

            float total = (aleatoric / k) + (epistemic / k) + (Heteroscedastic ? 0f : TrainingResult.VarianceEpsilon);
            logVariance[r] = MathF.Log(total);
        }

        return new ModelPrediction(mean, logVariance, membersOut, null);
    }

    public void Dispose()
    {
        foreach (SpecModel member in Members)
        {
            member.Dispose();
        }
    }

    internal static bool IsRedshift(string name) =>
        name.ToLowerInvariant() is "z" or "zspec" or "z_spec" or "redshift" or "zs" or "specz" or "spec_z" or "zphot" or "z_phot" or "photoz" or "photo_z";

    private static OutOfDistributionInfo FitOutOfDistribution(FeatureEncoder encoder, StandardizationInfo standardization, float[] trainInputs, int rows, double quantile)
    {
        int width = encoder.InputCount;
        int d = encoder.FeatureCount;
        int nb = encoder.BandCount;

        // Rows with every band measured describe the domain; fall back to all rows when there are too few.
        var complete = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            bool all = true;
            for (int b = 0; b < nb && encoder.MaskInputs; b++)
            {
                all &= trainInputs[(r * width) + d + b] != 0f;
            }

            if (all)
            {
                complete.Add(r);
            }
        }

        if (complete.Count < Math.Max(d + 2, 10))
        {
            complete = [.. Enumerable.Range(0, rows)];
        }

        var standardized = new float[complete.Count * d];
        for (int i = 0; i < complete.Count; i++)
        {
            for (int j = 0; j < d; j++)
            {
                standardized[(i * d) + j] = (trainInputs[(complete[i] * width) + j] - standardization.Mean[j]) / standardization.Std[j];
            }
        }

        (double[] mean, double[] precision) = TrainingMath.MeanAndPrecision(standardized, complete.Count, d);
        var distances = new double[complete.Count];
        for (int i = 0; i < complete.Count; i++)
        {
            distances[i] = TrainingMath.SquaredMahalanobis(standardized.AsSpan(i * d, d), mean, precision);
        }

        double threshold = TrainingMath.Quantile(distances, quantile);
        return new OutOfDistributionInfo(mean, precision, threshold, quantile);
    }
}
