using System.ComponentModel.DataAnnotations;

namespace Astro.Ml.Training;

/// <summary>The loss a regression network minimises.</summary>
public enum TrainingLoss
{
    /// <summary>Mean absolute error (paper 000).</summary>
    MeanAbsoluteError = 1,

    /// <summary>Mean squared error (paper 001's regressions).</summary>
    MeanSquaredError,

    /// <summary>Categorical cross-entropy over softmax outputs (paper 001's stellarity classifier).</summary>
    CrossEntropy,
}

/// <summary>The optimiser.</summary>
public enum TrainingOptimizer
{
    /// <summary>Adam (papers 000 and 001).</summary>
    Adam = 1,

    /// <summary>RMSprop (paper 001's spectral-type network).</summary>
    RmsProp,
}

/// <summary>Where training runs.</summary>
public enum TrainingDevice
{
    /// <summary>The CPU.</summary>
    Cpu = 1,

    /// <summary>CUDA when <c>torch.cuda.is_available()</c>, else the CPU (with a logged line).</summary>
    Cuda,
}

/// <summary>The documented defaults of <see cref="TrainingOptions"/> (paper 000's Tables 1 and 2 where they apply).</summary>
public static class TrainingDefaults
{
    /// <summary>Mini-batch size (paper 000).</summary>
    public const int BatchSize = 256;

    /// <summary>Adam learning rate (paper 000).</summary>
    public const double LearningRate = 0.001;

    /// <summary>Standard deviation of the RandomNormal weight initialiser (Keras' default; biases start at zero).</summary>
    public const double InitialWeightStd = 0.05;

    /// <summary>Whether a regression output bias starts at the training mean (Keras, and so paper 000, start at zero).</summary>
    public const bool InitializeOutputBias = true;

    /// <summary>Fraction of rows used for training (paper 000: 64%).</summary>
    public const double TrainFraction = 0.64;

    /// <summary>Fraction of rows used for validation and early stopping (paper 000: 16%; the remaining 20% is the test set).</summary>
    public const double ValidationFraction = 0.16;

    /// <summary>The seed of everything random: weights, split, shuffles and band dropout.</summary>
    public const int Seed = 42;

    /// <summary>Number of ensemble members (deep ensemble; 1 = a single network).</summary>
    public const int EnsembleSize = 5;

    /// <summary>Whether regression networks carry a log-variance head (heteroscedastic uncertainty).</summary>
    public const bool HeteroscedasticHead = true;

    /// <summary>Probability with which each measured band is hidden from a training row (0 = paper 000: no band dropout).</summary>
    public const double BandDropout = 0.0;

    /// <summary>Fill value of missing bands in transformed units (asinh(0) = 0 flux), before standardisation.</summary>
    public const float MissingFillValue = 0f;

    /// <summary>Softening of the asinh flux transform in µJy when the data gives no flux errors.</summary>
    public const double FluxSoftening = 1.0;

    /// <summary>Training quantile of the Mahalanobis distance that becomes the out-of-distribution threshold.</summary>
    public const double OutOfDistributionQuantile = 0.999;

    /// <summary>The coverage the ±1σ interval is calibrated to on the validation set.</summary>
    public const double CalibrationCoverage = 0.682689492137086;

    /// <summary>Whether a LightGBM baseline is trained on the same split and reported next to the network.</summary>
    public const bool Baseline = true;

    /// <summary>Epochs of the paper-000 stellar-mass network when nothing else is known.</summary>
    public const int Epochs = 5000;

    /// <summary>Early-stopping patience of the paper-000 stellar-mass network when nothing else is known.</summary>
    public const int Patience = 300;
}

/// <summary>
/// How <see cref="PhotometricTrainer"/> trains: architecture, schedule, split, uncertainty, missing bands.
/// Values left <see langword="null"/> come from the architecture preset (see <see cref="NetworkArchitecture"/>).
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>Gets or sets the architecture: <c>sm</c>, <c>sfr</c>, <c>dl</c> (paper 000), <c>z001</c>, <c>class001</c>,
    /// <c>sptype001</c>, <c>mass001</c> (paper 001) or <c>custom:64,128,64</c>.</summary>
    /// <value>The default value is <see langword="null"/>: chosen from the target's name (see <see cref="NetworkArchitecture.ForTarget"/>).</value>
    public string? Architecture { get; set; }

    /// <summary>Gets or sets the maximum number of epochs.</summary>
    /// <value>The default value is <see langword="null"/>: the architecture's (sm 5000, sfr 1500, dl 1700).</value>
    [Range(1, 1_000_000)]
    public int? Epochs { get; set; }

    /// <summary>Gets or sets the early-stopping patience in epochs (the best epoch's weights are restored).</summary>
    /// <value>The default value is <see langword="null"/>: the architecture's (sm 300, sfr 500, dl 300).</value>
    [Range(1, 1_000_000)]
    public int? Patience { get; set; }

    /// <summary>Gets or sets the loss.</summary>
    /// <value>The default value is <see langword="null"/>: the architecture's (paper 000: MAE; paper 001: MSE or cross-entropy).</value>
    public TrainingLoss? Loss { get; set; }

    /// <summary>Gets or sets the optimiser.</summary>
    /// <value>The default value is <see langword="null"/>: the architecture's (Adam; RMSprop for <c>sptype001</c>).</value>
    public TrainingOptimizer? Optimizer { get; set; }

    /// <summary>Gets or sets the mini-batch size.</summary>
    /// <value>The default value is 256.</value>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = TrainingDefaults.BatchSize;

    /// <summary>Gets or sets the learning rate.</summary>
    /// <value>The default value is 0.001.</value>
    [Range(1e-8, 10.0)]
    public double LearningRate { get; set; } = TrainingDefaults.LearningRate;

    /// <summary>Gets or sets the standard deviation of the normal weight initialiser (biases start at zero).</summary>
    /// <value>The default value is 0.05.</value>
    [Range(1e-6, 10.0)]
    public double InitialWeightStd { get; set; } = TrainingDefaults.InitialWeightStd;

    /// <summary>Gets or sets a value indicating whether a regression network's output bias starts at the training targets' mean
    /// (and the log-variance head's at the log of their variance) instead of zero. Paper 000 (Keras defaults) starts at zero;
    /// with 76,000 rows that costs a few epochs, with DustPedia's 875 hundreds.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool InitializeOutputBias { get; set; } = TrainingDefaults.InitializeOutputBias;

    /// <summary>Gets or sets the seed of weights, split, shuffles and band dropout.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = TrainingDefaults.Seed;

    /// <summary>Gets or sets the training fraction of the split. Ignored with <see cref="Folds"/>.</summary>
    /// <value>The default value is 0.64.</value>
    [Range(0.01, 0.98)]
    public double TrainFraction { get; set; } = TrainingDefaults.TrainFraction;

    /// <summary>Gets or sets the validation fraction of the split (the test set is the rest). With <see cref="Folds"/>,
    /// validation takes <c>ValidationFraction / (TrainFraction + ValidationFraction)</c> of the non-test rows.</summary>
    /// <value>The default value is 0.16.</value>
    [Range(0.01, 0.98)]
    public double ValidationFraction { get; set; } = TrainingDefaults.ValidationFraction;

    /// <summary>Gets or sets the number of cross-validation folds, or <see langword="null"/> for one split.</summary>
    /// <value>The default value is <see langword="null"/>. With k folds every fold is the test set once; metrics are reported
    /// as mean ± std over folds and the shipped model is fold 1's (trained without its test fold, so its test metrics are honest).</value>
    [Range(2, 100)]
    public int? Folds { get; set; }

    /// <summary>Gets or sets the number of deep-ensemble members (different seeds, same split).</summary>
    /// <value>The default value is 5; 1 trains a single network.</value>
    [Range(1, 100)]
    public int EnsembleSize { get; set; } = TrainingDefaults.EnsembleSize;

    /// <summary>Gets or sets a value indicating whether regression networks have a log-variance head trained with the Gaussian
    /// negative log-likelihood on the (detached) mean, while the mean head keeps the configured loss.</summary>
    /// <value>The default value is <see langword="true"/>. Ignored for classification.</value>
    public bool HeteroscedasticHead { get; set; } = TrainingDefaults.HeteroscedasticHead;

    /// <summary>Gets or sets the probability with which each measured band of a training row is hidden (filled and masked).</summary>
    /// <value>The default value is 0. Any value above 0, or missing bands in the data, adds one mask input per band.</value>
    [Range(0.0, 0.9)]
    public double BandDropout { get; set; } = TrainingDefaults.BandDropout;

    /// <summary>Gets or sets the asinh softening of flux inputs in µJy.</summary>
    /// <value>The default value is <see langword="null"/>: the median flux error of the training data when known, else 1 µJy.
    /// Ignored for magnitude profiles (no transform).</value>
    public double? FluxSoftening { get; set; }

    /// <summary>Gets or sets the degree of paper 001's slope correction (a polynomial of true on predicted, fitted on validation), or null for none.</summary>
    /// <value>The default value is <see langword="null"/> (no correction). Regression only.</value>
    [Range(1, 5)]
    public int? SlopeCorrectionDegree { get; set; }

    /// <summary>Gets or sets the training quantile of the squared Mahalanobis distance used as the out-of-distribution threshold.</summary>
    /// <value>The default value is 0.999.</value>
    [Range(0.5, 1.0)]
    public double OutOfDistributionQuantile { get; set; } = TrainingDefaults.OutOfDistributionQuantile;

    /// <summary>Gets or sets a value indicating whether a LightGBM baseline (Astro.Trees) is trained on the same training,
    /// validation and test rows and the same encoded features, with the objective matching the loss (<c>regression_l1</c>
    /// for MAE, <c>regression</c> for MSE, <c>multiclass</c> for classes) and early stopping on the validation rows.</summary>
    /// <value>The default value is <see langword="true"/>. It is a report only: the package ships the network.</value>
    public bool Baseline { get; set; } = TrainingDefaults.Baseline;

    /// <summary>Gets or sets the device.</summary>
    /// <value>The default value is <see cref="TrainingDevice.Cpu"/>.</value>
    public TrainingDevice Device { get; set; } = TrainingDevice.Cpu;

    /// <summary>Gets or sets the torch thread count.</summary>
    /// <value>The default value is <see langword="null"/>: 1 (MLPs are fastest on one thread).</value>
    [Range(1, 256)]
    public int? Threads { get; set; }

    /// <summary>Returns a copy.</summary>
    public TrainingOptions Clone() => (TrainingOptions)MemberwiseClone();

    /// <summary>Checks every option and returns all problems (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var context = new ValidationContext(this);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, context, results, validateAllProperties: true);
        problems.AddRange(results.Select(r => r.ErrorMessage ?? "invalid value"));
        if (TrainFraction + ValidationFraction >= 1.0)
        {
            problems.Add($"TrainFraction ({TrainFraction}) + ValidationFraction ({ValidationFraction}) must leave rows for the test set");
        }

        if (FluxSoftening is double s && !(s > 0 && double.IsFinite(s)))
        {
            problems.Add($"FluxSoftening ({s}) must be positive");
        }

        if (Architecture is not null && !NetworkArchitecture.TryParse(Architecture, out _, out string? error))
        {
            problems.Add(error!);
        }

        if (Loss is TrainingLoss l && !Enum.IsDefined(l))
        {
            problems.Add($"Loss ({(int)l}) is not defined");
        }

        if (Optimizer is TrainingOptimizer o && !Enum.IsDefined(o))
        {
            problems.Add($"Optimizer ({(int)o}) is not defined");
        }

        if (!Enum.IsDefined(Device))
        {
            problems.Add($"Device ({(int)Device}) is not defined");
        }

        return problems;
    }
}
