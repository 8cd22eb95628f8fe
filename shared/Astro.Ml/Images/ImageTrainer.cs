using System.Diagnostics;
using Astro.Ml.Models;
using Astro.Ml.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Ml.Images;

/// <summary>
/// Trains the image networks (papers 002/003): augmentation, Adam with cosine annealing and warm restarts, the weighted
/// L1 loss (regression) or L2 on answer probabilities, best-validation weights kept, ensembles of k members, test-time
/// augmentation; deterministic from <see cref="ImageTrainingOptions.Seed"/> at a fixed thread count.
/// </summary>
public class ImageTrainer
{
    private const int EvaluationBatch = 64;
    private readonly ImageTrainingOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ImageTrainer"/> class.</summary>
    /// <exception cref="ArgumentException">An option is invalid; every problem is listed.</exception>
    public ImageTrainer(ImageTrainingOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid ImageTrainingOptions: {string.Join("; ", problems)}", nameof(options));
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the options.</summary>
    public ImageTrainingOptions Options => _options;

    /// <summary>Draws the split: given splits are kept; validation rows come from the training rows when only train/test are given.</summary>
    public static (int[] Train, int[] Validation, int[] Test) Split(IReadOnlyList<ImageSample> samples, double validationFraction, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var rng = new Random(seed);
        var train = new List<int>();
        var valid = new List<int>();
        var test = new List<int>();
        var unassigned = new List<int>();
        for (int i = 0; i < samples.Count; i++)
        {
            (samples[i].Split switch { ImageSplit.Train => train, ImageSplit.Validation => valid, ImageSplit.Test => test, _ => unassigned }).Add(i);
        }

        int[] loose = [.. unassigned];
        rng.Shuffle(loose);
        int nTest = test.Count == 0 ? (int)Math.Round(loose.Length * testFraction) : 0;
        test.AddRange(loose[..nTest]);
        train.AddRange(loose[nTest..]);
        if (valid.Count == 0)
        {
            int[] pool = [.. train];
            rng.Shuffle(pool);
            int nValid = Math.Max(1, (int)Math.Round(pool.Length * validationFraction));
            valid.AddRange(pool[..nValid]);
            train = [.. pool[nValid..]];
        }

        if (train.Count < 2 || test.Count < 1)
        {
            throw new ImageDataException($"{samples.Count} samples give {train.Count} training and {test.Count} test rows; more are needed");
        }

        return ([.. train.Order()], [.. valid.Order()], [.. test.Order()]);
    }

    /// <summary>Trains the ensemble and evaluates it on the test rows.</summary>
    /// <param name="data">The preprocessed data.</param>
    /// <param name="progress">Receives one report per epoch.</param>
    /// <param name="cancellationToken">Checked once per batch.</param>
    /// <exception cref="ImageDataException">Too few rows.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public virtual ImageTrainingResult Train(ImageDataset data, IProgress<ImageTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ImageTrainingOptions o = _options;
        TorchEnvironment env = TorchSetup.Initialize(TorchWorkload.Cnn, o.Threads, _logger);
        (int[] train, int[] valid, int[] test) = Split(data.Samples, o.ValidationFraction, o.TestFraction, o.Seed);
        ModelSpec spec = ImageArchitectures.Create(o.Architecture, data.Input.Bands.Count, data.Input.Size, data.Target.Outputs.Count, data.Target.Tree, o.Dropout);
        var stopwatch = Stopwatch.StartNew();
        var members = new List<SpecModel>();
        var histories = new List<ImageTrainingHistory>();
        try
        {
            for (int m = 0; m < o.EnsembleSize; m++)
            {
                (SpecModel model, ImageTrainingHistory history) = TrainMember(data, spec, train, valid, o.Seed + m, m + 1, stopwatch, progress, cancellationToken);
                members.Add(model);
                histories.Add(history);
                _logger.LogInformation("Member {Member}/{Members}: best epoch {Best}, {Seconds:0.0} s/epoch.", m + 1, o.EnsembleSize, history.BestEpoch, history.SecondsPerEpoch);
            }
        }
        catch
        {
            foreach (SpecModel member in members)
            {
                member.Dispose();
            }

            throw;
        }

        return new ImageTrainingResult(data, spec, members, histories, train, valid, test, o, env.Threads, stopwatch.Elapsed.TotalSeconds);
    }

    private (SpecModel Model, ImageTrainingHistory History) TrainMember(ImageDataset data, ModelSpec spec, int[] train, int[] valid, int seed, int member, Stopwatch stopwatch, IProgress<ImageTrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ImageTrainingOptions o = _options;
        bool answers = data.Target.Kind == ImageHeadKind.AnswerProbabilities;
        int outputs = data.Target.Outputs.Count;
        int sampleSize = data.SampleSize;
        int bands = data.Input.Bands.Count;
        int size = data.Input.Size;
        TorchSetup.Seed(seed);
        var model = new SpecModel(spec);
        try
        {
            if (!answers)
            {
                InitialiseOutputBias(model, data, train);
            }

            var schedule = new CosineRestartSchedule(o.LearningRate, o.MinLearningRate, o.FirstCycleEpochs);
            using var optimizer = optim.Adam(model.parameters(), o.LearningRate);
            var rng = new Random(seed);
            var augmentRng = new Random(unchecked((seed * 7919) + 17));
            int[] order = [.. train];
            var batch = new float[o.BatchSize * sampleSize];
            var trainLosses = new List<double>();
            var validLosses = new List<double>();
            var epochSeconds = new List<double>();
            Dictionary<string, Tensor>? best = null;
            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0;
            (float[] validY, float[] validE) = Targets(data, valid);
            try
            {
                for (int epoch = 1; epoch <= o.Epochs; epoch++)
                {
                    var epochWatch = Stopwatch.StartNew();
                    model.train();
                    rng.Shuffle(order);
                    int batches = (order.Length + o.BatchSize - 1) / o.BatchSize;
                    double sum = 0;
                    double lr = o.LearningRate;
                    for (int b = 0; b < batches; b++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        lr = o.WarmRestarts ? schedule.LearningRate(epoch - 1 + ((double)b / batches)) : o.LearningRate;
                        foreach (var group in optimizer.ParamGroups)
                        {
                            group.LearningRate = lr;
                        }

                        int start = b * o.BatchSize;
                        int count = Math.Min(o.BatchSize, order.Length - start);
                        int[] rows = order[start..(start + count)];
                        for (int i = 0; i < count; i++)
                        {
                            ReadOnlySpan<float> source = data.Pixels.AsSpan(rows[i] * sampleSize, sampleSize);
                            Span<float> destination = batch.AsSpan(i * sampleSize, sampleSize);
                            if (o.Augmentation is { IsIdentity: false } augmentation)
                            {
                                ImageAugmentation.Augment(source, bands, size, augmentation, augmentRng, destination);
                            }
                            else
                            {
                                source.CopyTo(destination);
                            }
                        }

                        (float[] y, float[] e) = Targets(data, rows);
                        using Tensor x = tensor(batch.AsSpan(0, count * sampleSize).ToArray(), [count, bands, size, size]);
                        using Tensor yt = tensor(y, [count, outputs]);
                        using Tensor et = tensor(e, [count, outputs]);
                        sum += TrainingStep.Run(model, optimizer, x, yt, (output, target) => Loss(answers, output, target, et));
                    }

                    double validLoss = ValidationLoss(model, data, valid, validY, validE, answers);
                    trainLosses.Add(sum / batches);
                    validLosses.Add(validLoss);
                    epochSeconds.Add(epochWatch.Elapsed.TotalSeconds);
                    if (validLoss < bestLoss || best is null)
                    {
                        bestLoss = validLoss;
                        bestEpoch = epoch;
                        ModelState.Dispose(best);
                        best = ModelState.Clone(model);
                    }

                    progress?.Report(new ImageTrainingProgress(member, o.EnsembleSize, epoch, o.Epochs, sum / batches, validLoss, lr, bestEpoch, epochWatch.Elapsed.TotalSeconds, stopwatch.Elapsed));
                    if (o.Patience is int patience && epoch - bestEpoch >= patience)
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

            model.eval();
            return (model, new ImageTrainingHistory(member, seed, trainLosses, validLosses, bestEpoch, epochSeconds));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    internal static Tensor Loss(bool answers, Tensor output, Tensor target, Tensor error) =>
        answers ? nn.functional.mse_loss(output, target) : ImageLosses.WeightedL1(output, target, error);

    private static double ValidationLoss(SpecModel model, ImageDataset data, int[] rows, float[] y, float[] e, bool answers)
    {
        model.eval();
        using var noGrad = no_grad();
        int outputs = data.Target.Outputs.Count;
        int sampleSize = data.SampleSize;
        double sum = 0;
        for (int start = 0; start < rows.Length; start += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(EvaluationBatch, rows.Length - start);
            var batch = new float[count * sampleSize];
            for (int i = 0; i < count; i++)
            {
                Array.Copy(data.Pixels, rows[start + i] * sampleSize, batch, i * sampleSize, sampleSize);
            }

            Tensor x = tensor(batch, [count, data.Input.Bands.Count, data.Input.Size, data.Input.Size]);
            Tensor output = model.call(x);
            Tensor target = tensor(y.AsSpan(start * outputs, count * outputs).ToArray(), [count, outputs]);
            Tensor error = tensor(e.AsSpan(start * outputs, count * outputs).ToArray(), [count, outputs]);
            sum += Loss(answers, output, target, error).item<float>() * count;
        }

        return sum / Math.Max(1, rows.Length);
    }

    internal static (float[] Values, float[] Errors) Targets(ImageDataset data, int[] rows)
    {
        int outputs = data.Target.Outputs.Count;
        var y = new float[rows.Length * outputs];
        var e = new float[rows.Length * outputs];
        for (int i = 0; i < rows.Length; i++)
        {
            ImageSample s = data.Samples[rows[i]];
            for (int j = 0; j < outputs; j++)
            {
                y[(i * outputs) + j] = (float)s.Targets[j];
                e[(i * outputs) + j] = (float)s.Errors[j];
            }
        }

        return (y, e);
    }

    // Starts the regression output at the training median so the network does not first walk a zero bias to ~9 dex.
    private static void InitialiseOutputBias(SpecModel model, ImageDataset data, int[] train)
    {
        int outputs = data.Target.Outputs.Count;
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            if (name == $"head_{ImageArchitectures.OutputHead}.{model.Spec.Heads[0].Layers.Count - 1}.bias")
            {
                float[] medians = [.. Enumerable.Range(0, outputs).Select(j => (float)ImageRegressionMetrics.Median(train.Select(r => data.Samples[r].Targets[j])))];
                parameter.copy_(tensor(medians));
            }
        }
    }
}

/// <summary>The loss curves of one ensemble member.</summary>
/// <param name="Member">The member (1-based).</param>
/// <param name="Seed">Its seed.</param>
/// <param name="TrainLoss">Mean training loss per epoch.</param>
/// <param name="ValidationLoss">Validation loss per epoch.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (1-based).</param>
/// <param name="EpochSeconds">Wall time per epoch.</param>
public sealed record ImageTrainingHistory(int Member, int Seed, IReadOnlyList<double> TrainLoss, IReadOnlyList<double> ValidationLoss, int BestEpoch, IReadOnlyList<double> EpochSeconds)
{
    /// <summary>Gets the mean seconds per epoch.</summary>
    public double SecondsPerEpoch => EpochSeconds.Count == 0 ? 0 : EpochSeconds.Average();
}
