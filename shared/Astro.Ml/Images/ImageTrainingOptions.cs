namespace Astro.Ml.Images;

/// <summary>Options of <see cref="ImageTrainer"/>; every default is stated.</summary>
public sealed class ImageTrainingOptions
{
    /// <summary>Gets or sets the network.</summary>
    /// <value>The default value is <see cref="ImageArchitecture.Custom"/> (paper 003's custom network).</value>
    public ImageArchitecture Architecture { get; set; } = ImageArchitecture.Custom;

    /// <summary>Gets or sets the number of epochs.</summary>
    /// <value>The default value is 31 (cosine cycles of 1, 2, 4, 8 and 16 epochs end exactly there).</value>
    public int Epochs { get; set; } = 31;

    /// <summary>Gets or sets the mini-batch size.</summary>
    /// <value>The default value is 32 (paper 003).</value>
    public int BatchSize { get; set; } = 32;

    /// <summary>Gets or sets Adam's (maximum) learning rate.</summary>
    /// <value>The default value is 0.001.</value>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Gets or sets the learning rate at the end of each cosine cycle.</summary>
    /// <value>The default value is 1e-5.</value>
    public double MinLearningRate { get; set; } = 1e-5;

    /// <summary>Gets or sets a value indicating whether the learning rate follows cosine annealing with warm restarts (paper 002); otherwise it is constant.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WarmRestarts { get; set; } = true;

    /// <summary>Gets or sets the first cosine cycle's length in epochs (each later cycle is twice as long).</summary>
    /// <value>The default value is 1.</value>
    public double FirstCycleEpochs { get; set; } = 1;

    /// <summary>Gets or sets the dropout probability.</summary>
    /// <value>The default value is 0.25 (paper 002's early-layer rate).</value>
    public double Dropout { get; set; } = 0.25;

    /// <summary>Gets or sets the number of ensemble members (each with its own seed; averaged in the exported graph).</summary>
    /// <value>The default value is 1.</value>
    public int EnsembleSize { get; set; } = 1;

    /// <summary>Gets or sets the seed of the weights, the split, the batch order, dropout and augmentation.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets a value indicating whether predictions average the 8 flips/90° rotations (test-time augmentation).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool TestTimeAugmentation { get; set; } = true;

    /// <summary>Gets or sets the training augmentation, or null for none.</summary>
    /// <value>The default value is rotations, flips and zoom 0.7–1.3.</value>
    public ImageAugmentationOptions? Augmentation { get; set; } = new();

    /// <summary>Gets or sets the validation share of the rows without a given split (taken from the training rows when only train/test are given).</summary>
    /// <value>The default value is 0.15.</value>
    public double ValidationFraction { get; set; } = 0.15;

    /// <summary>Gets or sets the test share of rows when no split is given.</summary>
    /// <value>The default value is 0.15.</value>
    public double TestFraction { get; set; } = 0.15;

    /// <summary>Gets or sets the torch thread count, or null for every core.</summary>
    /// <value>The default value is null.</value>
    public int? Threads { get; set; }

    /// <summary>Gets or sets a value indicating whether regression targets are log10 quantities (dex): dex metrics are then plain differences.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool TargetInDex { get; set; } = true;

    /// <summary>Gets or sets the epochs after which training stops when the validation loss has not improved, or null to run every epoch.</summary>
    /// <value>The default value is null.</value>
    public int? Patience { get; set; }

    /// <summary>Lists every invalid option (empty when all are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Architecture))
        {
            problems.Add($"unknown architecture {Architecture}");
        }

        if (Epochs < 1)
        {
            problems.Add($"epochs {Epochs} < 1");
        }

        if (BatchSize < 1)
        {
            problems.Add($"batch size {BatchSize} < 1");
        }

        if (!(LearningRate > 0) || !(MinLearningRate >= 0) || MinLearningRate > LearningRate)
        {
            problems.Add($"learning rates {MinLearningRate}–{LearningRate} must satisfy 0 ≤ min ≤ max, max > 0");
        }

        if (!(FirstCycleEpochs > 0))
        {
            problems.Add("the first cycle must be longer than 0 epochs");
        }

        if (Dropout is < 0 or >= 1)
        {
            problems.Add($"dropout {Dropout} outside [0, 1)");
        }

        if (EnsembleSize is < 1 or > 20)
        {
            problems.Add($"ensemble size {EnsembleSize} outside 1–20");
        }

        if (ValidationFraction is <= 0 or >= 0.5 || TestFraction is <= 0 or >= 0.5)
        {
            problems.Add("validation and test fractions must be in (0, 0.5)");
        }

        if (Threads is < 1)
        {
            problems.Add("threads must be ≥ 1");
        }

        try
        {
            Augmentation?.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            problems.Add(e.Message);
        }

        return problems;
    }
}

/// <summary>One epoch's report from <see cref="ImageTrainer"/>.</summary>
/// <param name="Member">The ensemble member (1-based).</param>
/// <param name="Members">The ensemble size.</param>
/// <param name="Epoch">The epoch just finished (1-based).</param>
/// <param name="Epochs">The number of epochs.</param>
/// <param name="TrainLoss">Mean training loss of the epoch (augmented images).</param>
/// <param name="ValidationLoss">Validation loss (no augmentation).</param>
/// <param name="LearningRate">The learning rate at the end of the epoch.</param>
/// <param name="BestEpoch">The epoch with the lowest validation loss so far.</param>
/// <param name="EpochSeconds">Wall time of the epoch.</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record ImageTrainingProgress(int Member, int Members, int Epoch, int Epochs, double TrainLoss, double ValidationLoss, double LearningRate, int BestEpoch, double EpochSeconds, TimeSpan Elapsed)
{
    /// <summary>One progress line.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"member {Member}/{Members} epoch {Epoch}/{Epochs}: train {TrainLoss:0.0000} valid {ValidationLoss:0.0000} lr {LearningRate:0.0e+0} best {BestEpoch} ({EpochSeconds:0.0} s/epoch, {Elapsed.TotalSeconds:0} s)");
}
