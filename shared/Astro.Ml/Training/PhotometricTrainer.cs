using System.Diagnostics;
using System.Globalization;
using Astro.Catalogs;
using Astro.Contract.Packaging;
using Astro.Evaluation;
using Astro.Ml.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Ml.Training;

/// <summary>
/// Trains photometric networks (papers 000 and 001 and beyond): asinh/standardised inputs, early stopping with the best
/// weights restored, a deep ensemble with heteroscedastic heads, σ calibration, slope correction, band dropout with mask
/// inputs and a Mahalanobis out-of-distribution test; deterministic from <see cref="TrainingOptions.Seed"/>.
/// </summary>
public class PhotometricTrainer
{
    private const int EvaluationBatch = 65_536;

    private readonly TrainingOptions _options = null!;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>Initializes a new instance of the <see cref="PhotometricTrainer"/> class with default options.</summary>
    public PhotometricTrainer()
        : this(new TrainingOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PhotometricTrainer"/> class.</summary>
    /// <param name="options">The options (copied; validated here).</param>
    /// <exception cref="ArgumentException">An option is invalid; every problem is listed.</exception>
    public PhotometricTrainer(TrainingOptions options)
        : this(options, NullLogger.Instance)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PhotometricTrainer"/> class.</summary>
    /// <param name="options">The options (copied; validated here).</param>
    /// <param name="logger">Receives device choice and summaries.</param>
    /// <exception cref="ArgumentException">An option is invalid; every problem is listed.</exception>
    public PhotometricTrainer(TrainingOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid TrainingOptions: {string.Join("; ", problems)}", nameof(options));
        }

        _options = options.Clone();
        _logger = logger;
    }

    /// <summary>Gets a copy of the options.</summary>
    public virtual TrainingOptions Options => _options.Clone();

    /// <summary>Trains on <paramref name="data"/> and evaluates on its held-out test rows.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="progress">Receives one report per epoch; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Checked once per batch.</param>
    /// <returns>The trained networks and everything the package needs. Dispose it to release the networks.</returns>
    /// <exception cref="TrainingException">The data cannot be trained with these options (too few rows, wrong loss for the task).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public virtual TrainingResult Train(TrainingDataset data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        TrainingOptions o = _options;
        bool classification = data.Task == ModelTask.Classification;
        NetworkArchitecture arch = o.Architecture is null ? NetworkArchitecture.ForTarget(data.Target.Name, classification) : NetworkArchitecture.Parse(o.Architecture);
        TrainingLoss loss = classification ? TrainingLoss.CrossEntropy : o.Loss ?? arch.Loss;
        if (!classification && loss == TrainingLoss.CrossEntropy)
        {
            throw new TrainingException($"cross-entropy needs a class target, but '{data.Target.Name}' is a regression label");
        }

        int minimumRows = 10 * (o.Folds ?? 1);
        if (data.Rows < minimumRows)
        {
            throw new TrainingException($"{data.Rows} rows are too few to train (at least {minimumRows} needed)");
        }

        var setup = new Setup(
            arch,
            loss,
            o.Optimizer ?? arch.Optimizer,
            o.Epochs ?? arch.Epochs,
            o.Patience ?? arch.Patience,
            classification,
            !classification && o.HeteroscedasticHead,
            classification ? data.Classes.Count : 1);

        TorchEnvironment env = TorchSetup.Initialize(TorchWorkload.Mlp, o.Threads, _logger);
        Device device = o.Device == TrainingDevice.Cuda ? env.Device : CPU;
        if (o.Device == TrainingDevice.Cuda && device.type != DeviceType.CUDA)
        {
            _logger.LogWarning("CUDA was asked for but is not available; training on the CPU.");
        }

        double softening = o.FluxSoftening ?? data.MedianFluxError ?? TrainingDefaults.FluxSoftening;
        FeatureTransformInfo transform = data.Representation == ModelInputRepresentation.FluxMicroJansky
            ? new FeatureTransformInfo(FeatureTransformKind.Asinh, "fluxMicroJansky", softening)
            : new FeatureTransformInfo(FeatureTransformKind.None, "abMagnitude", 1.0);
        bool maskInputs = o.BandDropout > 0 || data.HasMissingBands;
        var encoder = new FeatureEncoder(transform, data.FeatureNames, data.BandCount, maskInputs, TrainingDefaults.MissingFillValue);
        float[] inputs = encoder.Encode(data.Features, data.BandMask, data.Rows);

        IReadOnlyList<SplitIndices> splits = o.Folds is int k
            ? SplitIndices.KFold(data.Rows, k, o.ValidationFraction / (o.TrainFraction + o.ValidationFraction), o.Seed)
            : [SplitIndices.Random(data.Rows, o.TrainFraction, o.ValidationFraction, o.Seed)];

        var stopwatch = Stopwatch.StartNew();
        var runs = new List<FoldRun>();
        try
        {
            for (int f = 0; f < splits.Count; f++)
            {
                runs.Add(TrainFold(data, encoder, inputs, splits[f], f + 1, splits.Count, setup, device, env.Threads, stopwatch, progress, cancellationToken));
            }
        }
        catch
        {
            foreach (FoldRun run in runs)
            {
                run.Dispose();
            }

            throw;
        }

        CrossValidationSummary? cv = null;
        CrossValidationSummary? baselineCv = null;
        if (runs.Count > 1)
        {
            cv = CrossValidationSummary.From([.. runs.Select(r => r.TestMetricsDictionary)]);
            if (runs.All(r => r.Baseline is not null))
            {
                baselineCv = CrossValidationSummary.From([.. runs.Select(r => r.Baseline!.TestMetricsDictionary)]);
            }
        }

        for (int i = 1; i < runs.Count; i++)
        {
            runs[i].Dispose();
        }

        FoldRun shipped = runs[0];
        string split = o.Folds is int folds
            ? $"{folds}-fold seed {o.Seed} (shipped model: fold 1; validation {o.ValidationFraction / (o.TrainFraction + o.ValidationFraction):0.###} of the other folds)"
            : $"{o.TrainFraction * 100:0.##}/{o.ValidationFraction * 100:0.##}/{(1 - o.TrainFraction - o.ValidationFraction) * 100:0.##} seed {o.Seed}";
        var configuration = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = arch.Name,
            ["layers"] = string.Join("-", [encoder.InputCount, .. arch.HiddenFor(encoder.FeatureCount), setup.Outputs]),
            ["hiddenActivation"] = arch.HiddenActivation?.ToString() ?? "linear",
            ["loss"] = loss.ToString(),
            ["optimizer"] = setup.Optimizer.ToString(),
            ["learningRate"] = o.LearningRate.ToString(CultureInfo.InvariantCulture),
            ["batchSize"] = o.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = setup.Epochs.ToString(CultureInfo.InvariantCulture),
            ["patience"] = setup.Patience.ToString(CultureInfo.InvariantCulture),
            ["initialWeightStd"] = o.InitialWeightStd.ToString(CultureInfo.InvariantCulture),
            ["initializeOutputBias"] = o.InitializeOutputBias.ToString(CultureInfo.InvariantCulture),
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            ["ensembleSize"] = o.EnsembleSize.ToString(CultureInfo.InvariantCulture),
            ["heteroscedasticHead"] = setup.Heteroscedastic.ToString(CultureInfo.InvariantCulture),
            ["bandDropout"] = o.BandDropout.ToString(CultureInfo.InvariantCulture),
            ["slopeCorrectionDegree"] = o.SlopeCorrectionDegree?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["folds"] = o.Folds?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["device"] = device.type.ToString(),
            ["threads"] = env.Threads.ToString(CultureInfo.InvariantCulture),
            ["baseline"] = o.Baseline ? BaselineResult.ModelName : "none",
        };

        return new TrainingResult(shipped, data, encoder, arch, setup.Loss, setup.Optimizer, setup.Heteroscedastic, split, configuration, cv, stopwatch.Elapsed.TotalSeconds) { BaselineCrossValidation = baselineCv };
    }

    private BaselineResult? TrainBaseline(TrainingDataset data, FeatureEncoder encoder, float[] inputs, SplitIndices split, Setup setup, int seed, int threads, int fold, int folds)
    {
        try
        {
            BaselineResult baseline = LightGbmBaseline.Train(data, encoder, inputs, split, setup, seed, threads);
            _logger.LogInformation("Fold {Fold}/{Folds} LightGBM baseline ({Objective}): {Iterations} iterations, {Seconds:0.0} s.", fold, folds, baseline.Objective, baseline.BestIteration, baseline.Seconds);
            return baseline;
        }
        catch (Exception e) when (e is Astro.Trees.LightGbmException or DllNotFoundException or EntryPointNotFoundException)
        {
            // The baseline is a report, not the model: its failure must not throw away a trained network.
            _logger.LogWarning("The LightGBM baseline could not be trained: {Message}", e.Message.ReplaceLineEndings(" "));
            return null;
        }
    }

    private FoldRun TrainFold(TrainingDataset data, FeatureEncoder encoder, float[] inputs, SplitIndices split, int fold, int folds, Setup setup, Device device, int threads, Stopwatch stopwatch, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingOptions o = _options;
        int width = encoder.InputCount;
        StandardizationInfo standardization = FitStandardization(encoder, inputs, split.Train);
        ModelSpec trainSpec = BuildSpec(setup, encoder, standardization, forExport: false);
        ModelSpec exportSpec = BuildSpec(setup, encoder, standardization, forExport: true);

        float[] trainX = Gather(inputs, width, split.Train);
        float[] validX = Gather(inputs, width, split.Validation);
        float[] testX = Gather(inputs, width, split.Test);
        var members = new List<SpecModel>();
        var histories = new List<TrainingHistory>();
        try
        {
            for (int m = 0; m < o.EnsembleSize; m++)
            {
                var context = new MemberContext(fold, folds, m + 1, o.EnsembleSize, stopwatch, progress, cancellationToken);
                long seed = o.Seed + (1_000L * (fold - 1)) + m;
                (SpecModel model, TrainingHistory history) = TrainMember(trainSpec, exportSpec, setup, data, split, trainX, validX, seed, device, context);
                members.Add(model);
                histories.Add(history);
                _logger.LogInformation("Fold {Fold}/{Folds} member {Member}/{Members}: best epoch {Best} of {Epochs}, {Seconds:0.0} s.", fold, folds, m + 1, o.EnsembleSize, history.BestEpoch, history.Epochs, history.Seconds);
            }

            FoldRun run = FoldRun.Evaluate(members, histories, data, encoder, standardization, split, validX, testX, setup, o);
            if (o.Baseline)
            {
                run.Baseline = TrainBaseline(data, encoder, inputs, split, setup, (int)(o.Seed + (1_000L * (fold - 1))), threads, fold, folds);
            }

            return run;
        }
        catch
        {
            foreach (SpecModel member in members)
            {
                member.Dispose();
            }

            throw;
        }
    }

    private (SpecModel Model, TrainingHistory History) TrainMember(ModelSpec trainSpec, ModelSpec exportSpec, Setup setup, TrainingDataset data, SplitIndices split, float[] trainX, float[] validX, long seed, Device device, MemberContext context)
    {
        TrainingOptions o = _options;
        var watch = Stopwatch.StartNew();
        int width = trainSpec.InputShape[0] is long w ? (int)w : 0;
        int nTrain = split.Train.Length;
        int nValid = split.Validation.Length;
        int featureCount = data.FeatureNames.Count;
        int nb = data.BandCount;
        bool dropout = o.BandDropout > 0 && nb > 0;

        TorchSetup.Seed(seed);
        var model = new SpecModel(trainSpec);
        try
        {
            InitialiseWeights(model, o.InitialWeightStd);
            if (!setup.Classification && o.InitializeOutputBias)
            {
                InitialiseOutputBias(model, setup, data, split.Train);
            }

            model.to(device);
            using var generator = new Generator((ulong)seed);
            using optim.Optimizer optimizer = setup.Optimizer == TrainingOptimizer.RmsProp
                ? optim.RMSProp(model.parameters(), o.LearningRate)
                : optim.Adam(model.parameters(), o.LearningRate);
            using Tensor xTrain = tensor(trainX, [nTrain, width]).to(device);
            using Tensor xValid = tensor(validX, [nValid, width]).to(device);
            using Tensor yTrain = TargetTensor(data, split.Train, setup.Classification).to(device);
            using Tensor yValid = TargetTensor(data, split.Validation, setup.Classification).to(device);
            using Tensor fill = tensor(TrainingDefaults.MissingFillValue).to(device);
            using Tensor zero = tensor(0f).to(device);

            var trainLosses = new List<double>();
            var validLosses = new List<double>();
            var trainPrimary = new List<double>();
            var validPrimaryLosses = new List<double>();
            var epochSeconds = new List<double>();
            TimeSpan epochStart = watch.Elapsed;
            Dictionary<string, Tensor>? best = null;
            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0;
            try
            {
                for (int epoch = 1; epoch <= setup.Epochs; epoch++)
                {
                    model.train();
                    double sum = 0;
                    double primarySum = 0;
                    int batches = 0;
                    using (Tensor permutation = randperm(nTrain, generator: generator))
                    {
                        for (int start = 0; start < nTrain; start += o.BatchSize)
                        {
                            context.CancellationToken.ThrowIfCancellationRequested();
                            using var scope = NewDisposeScope();
                            int count = Math.Min(o.BatchSize, nTrain - start);
                            Tensor index = permutation.narrow(0, start, count).to(device);
                            Tensor x = xTrain.index_select(0, index);
                            Tensor y = yTrain.index_select(0, index);
                            if (dropout)
                            {
                                Tensor drop = (rand([count, nb], generator: generator) < o.BandDropout).to(device);
                                Tensor bands = where(drop, fill, x.narrow(1, 0, nb));
                                Tensor rest = x.narrow(1, nb, featureCount - nb);
                                Tensor mask = where(drop, zero, x.narrow(1, featureCount, nb));
                                x = cat([bands, rest, mask], 1);
                            }

                            optimizer.zero_grad();
                            Tensor output = model.call(x);
                            (Tensor objective, Tensor monitored, Tensor primary) = Objective(setup, output, y);
                            objective.backward();
                            optimizer.step();
                            sum += monitored.item<float>();
                            primarySum += primary.item<float>();
                            batches++;
                        }
                    }

                    double trainLoss = sum / Math.Max(1, batches);
                    (double validLoss, double validPrimary) = EvaluateLoss(model, setup, xValid, yValid);
                    trainLosses.Add(trainLoss);
                    validLosses.Add(validLoss);
                    trainPrimary.Add(primarySum / Math.Max(1, batches));
                    validPrimaryLosses.Add(validPrimary);
                    epochSeconds.Add((watch.Elapsed - epochStart).TotalSeconds);
                    epochStart = watch.Elapsed;
                    if (validLoss < bestLoss || best is null)
                    {
                        bestLoss = validLoss;
                        bestEpoch = epoch;
                        ModelState.Dispose(best);
                        best = ModelState.Clone(model);
                    }

                    TimeSpan perEpoch = watch.Elapsed / epoch;
                    int remainingEpochs = setup.Epochs - epoch + ((context.Members - context.Member) * setup.Epochs) + ((context.Folds - context.Fold) * context.Members * setup.Epochs);
                    context.Progress?.Report(new TrainingProgress(context.Fold, context.Folds, context.Member, context.Members, epoch, setup.Epochs, trainLoss, validLoss, bestEpoch, bestLoss, context.Stopwatch.Elapsed, perEpoch * remainingEpochs));
                    if (epoch - bestEpoch >= setup.Patience)
                    {
                        break;
                    }
                }

                model.load_state_dict(best!);
            }
            finally
            {
                ModelState.Dispose(best);
            }

            model.to(CPU);
            model.eval();
            SpecModel export = new(exportSpec);
            export.load_state_dict(model.state_dict());
            export.eval();
            model.Dispose();
            return (export, new TrainingHistory(context.Fold, context.Member, trainLosses, validLosses, bestEpoch, watch.Elapsed.TotalSeconds) { TrainPrimaryLoss = trainPrimary, ValidationPrimaryLoss = validPrimaryLosses, EpochSeconds = epochSeconds });
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static (Tensor Objective, Tensor Monitored, Tensor Primary) Objective(Setup setup, Tensor output, Tensor target)
    {
        if (setup.Classification)
        {
            Tensor ce = nn.functional.cross_entropy(output, target);
            return (ce, ce, ce);
        }

        Tensor mean = setup.Heteroscedastic ? output.narrow(1, 0, 1) : output;
        Tensor primary = setup.Loss == TrainingLoss.MeanSquaredError ? nn.functional.mse_loss(mean, target) : nn.functional.l1_loss(mean, target);
        if (!setup.Heteroscedastic)
        {
            return (primary, primary, primary);
        }

        // The variance head learns the residual variance of a mean it does not move: the mean keeps the paper's loss.
        // Early stopping watches the sum, so the best epoch is one where the variance has been learnt as well (the
        // NLL of a detached mean also rises when the mean overfits).
        Tensor logVariance = output.narrow(1, 1, 1).clamp(-30, 30);
        Tensor nll = TrainingStep.GaussianNll(mean.detach(), logVariance, target);
        Tensor total = primary + nll;
        return (total, total, primary);
    }

    private static (double Monitored, double Primary) EvaluateLoss(SpecModel model, Setup setup, Tensor x, Tensor y)
    {
        model.eval();
        using var noGrad = no_grad();
        double sum = 0;
        double primarySum = 0;
        long n = x.shape[0];
        for (long start = 0; start < n; start += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(EvaluationBatch, n - start);
            Tensor output = model.call(x.narrow(0, start, count));
            (_, Tensor monitored, Tensor primary) = Objective(setup, output, y.narrow(0, start, count));
            sum += monitored.item<float>() * count;
            primarySum += primary.item<float>() * count;
        }

        return (sum / Math.Max(1, n), primarySum / Math.Max(1, n));
    }

    private static void InitialiseWeights(SpecModel model, double std)
    {
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            if (name.EndsWith(".weight", StringComparison.Ordinal) && parameter.dim() == 2)
            {
                nn.init.normal_(parameter, 0, std);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                nn.init.zeros_(parameter);
            }
        }
    }

    // Starts the mean output at the training mean (and the log-variance at the log of the training variance), so small
    // catalogs do not spend hundreds of epochs walking a zero bias to a target near 10 dex.
    private static void InitialiseOutputBias(SpecModel model, Setup setup, TrainingDataset data, int[] trainRows)
    {
        double mean = trainRows.Average(r => (double)data.Targets![r]);
        double variance = trainRows.Average(r => Math.Pow(data.Targets![r] - mean, 2));
        string meanBias = setup.Heteroscedastic ? "head_mean.0.bias" : $"layers.{model.Spec.Layers.Count - 1}.bias";
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            if (name == meanBias)
            {
                parameter.fill_(mean);
            }
            else if (name == "head_log_var.0.bias")
            {
                parameter.fill_(Math.Log(Math.Max(variance, 1e-12)));
            }
        }
    }

    private static Tensor TargetTensor(TrainingDataset data, int[] rows, bool classification)
    {
        if (classification)
        {
            long[] classes = [.. rows.Select(r => (long)data.ClassIndices![r])];
            return tensor(classes, [rows.Length]);
        }

        float[] y = [.. rows.Select(r => data.Targets![r])];
        return tensor(y, [rows.Length, 1]);
    }

    internal static float[] Gather(float[] rowsMajor, int width, int[] rows)
    {
        var output = new float[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(rowsMajor, rows[i] * width, output, i * width, width);
        }

        return output;
    }

    private static StandardizationInfo FitStandardization(FeatureEncoder encoder, float[] inputs, int[] trainRows)
    {
        int width = encoder.InputCount;
        int f = encoder.FeatureCount;
        int nb = encoder.BandCount;
        var mean = new float[width];
        var std = new float[width];
        for (int j = 0; j < width; j++)
        {
            if (j >= f)
            {
                // Mask entries pass through unchanged.
                mean[j] = 0;
                std[j] = 1;
                continue;
            }

            double sum = 0;
            double sumSq = 0;
            long n = 0;
            foreach (int r in trainRows)
            {
                float v = inputs[(r * width) + j];
                bool missing = j < nb && encoder.MaskInputs && inputs[(r * width) + f + j] == 0f;
                if (missing || !float.IsFinite(v))
                {
                    continue;
                }

                sum += v;
                sumSq += (double)v * v;
                n++;
            }

            double m = n > 0 ? sum / n : 0;
            double variance = n > 1 ? Math.Max(0, (sumSq - (n * m * m)) / (n - 1)) : 1;
            double s = Math.Sqrt(variance);
            mean[j] = (float)m;
            std[j] = s > 1e-6 && double.IsFinite(s) ? (float)s : 1f;
        }

        return new StandardizationInfo(mean, std);
    }

    private static ModelSpec BuildSpec(Setup setup, FeatureEncoder encoder, StandardizationInfo standardization, bool forExport)
    {
        int width = encoder.InputCount;
        var layers = new List<LayerSpec> { new StandardizeSpec(standardization.Mean, standardization.Std) };
        int current = width;
        foreach (int hidden in setup.Architecture.HiddenFor(encoder.FeatureCount))
        {
            layers.Add(new LinearSpec(current, hidden));
            if (setup.Architecture.HiddenActivation is Activation activation)
            {
                layers.Add(new ActivationSpec(activation));
            }

            current = hidden;
        }

        if (setup.Classification)
        {
            layers.Add(new LinearSpec(current, setup.Outputs));
            if (forExport)
            {
                layers.Add(new ActivationSpec(Activation.Softmax));
            }

            return new ModelSpec { Name = "member", InputShape = [width], Layers = layers, OutputName = "probabilities" };
        }

        if (!setup.Heteroscedastic)
        {
            layers.Add(new LinearSpec(current, 1));
            return new ModelSpec { Name = "member", InputShape = [width], Layers = layers, OutputName = "mean" };
        }

        return new ModelSpec
        {
            Name = "member",
            InputShape = [width],
            Layers = layers,
            Heads = [new HeadSpec("mean", [new LinearSpec(current, 1)]), new HeadSpec("log_var", [new LinearSpec(current, 1)])],
        };
    }

    internal sealed record Setup(NetworkArchitecture Architecture, TrainingLoss Loss, TrainingOptimizer Optimizer, int Epochs, int Patience, bool Classification, bool Heteroscedastic, int Outputs);

    private sealed record MemberContext(int Fold, int Folds, int Member, int Members, Stopwatch Stopwatch, IProgress<TrainingProgress>? Progress, CancellationToken CancellationToken);
}

/// <summary>Row indices of a train / validation / test split.</summary>
internal sealed record SplitIndices(int[] Train, int[] Validation, int[] Test)
{
    public static SplitIndices Random(int rows, double trainFraction, double validationFraction, int seed)
    {
        int[] order = Shuffled(rows, seed);
        int nTrain = Math.Max(1, (int)Math.Round(rows * trainFraction));
        int nValid = Math.Max(1, (int)Math.Round(rows * validationFraction));
        nValid = Math.Min(nValid, rows - nTrain - 1);
        return new SplitIndices(order[..nTrain], order[nTrain..(nTrain + nValid)], order[(nTrain + nValid)..]);
    }

    public static IReadOnlyList<SplitIndices> KFold(int rows, int folds, double validationShare, int seed)
    {
        int[] order = Shuffled(rows, seed);
        var splits = new List<SplitIndices>();
        for (int f = 0; f < folds; f++)
        {
            int start = (int)((long)rows * f / folds);
            int end = (int)((long)rows * (f + 1) / folds);
            int[] test = order[start..end];
            int[] rest = [.. order[..start], .. order[end..]];
            int nValid = Math.Max(1, (int)Math.Round(rest.Length * validationShare));
            splits.Add(new SplitIndices(rest[nValid..], rest[..nValid], test));
        }

        return splits;
    }

    private static int[] Shuffled(int rows, int seed)
    {
        int[] order = [.. Enumerable.Range(0, rows)];
        new System.Random(seed).Shuffle(order);
        return order;
    }
}
