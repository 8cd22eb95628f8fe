namespace Astro.Ml.Training;

/// <summary>One epoch's report from <see cref="PhotometricTrainer"/>.</summary>
/// <param name="Fold">The fold being trained (1-based; 1 without cross-validation).</param>
/// <param name="Folds">The number of folds (1 without cross-validation).</param>
/// <param name="Member">The ensemble member being trained (1-based).</param>
/// <param name="Members">The ensemble size.</param>
/// <param name="Epoch">The epoch just finished (1-based).</param>
/// <param name="MaxEpochs">The epoch limit.</param>
/// <param name="TrainLoss">Mean training loss of the epoch (the monitored loss: the configured loss, plus the Gaussian NLL of the variance head when there is one).</param>
/// <param name="ValidationLoss">Validation loss after the epoch.</param>
/// <param name="BestEpoch">The epoch with the lowest validation loss so far (1-based).</param>
/// <param name="BestValidationLoss">That loss.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Remaining">An upper bound of the time left (every remaining epoch of every remaining member and fold).</param>
public sealed record TrainingProgress(
    int Fold,
    int Folds,
    int Member,
    int Members,
    int Epoch,
    int MaxEpochs,
    double TrainLoss,
    double ValidationLoss,
    int BestEpoch,
    double BestValidationLoss,
    TimeSpan Elapsed,
    TimeSpan Remaining)
{
    /// <summary>Gets the fraction of the worst-case work done, 0–1.</summary>
    public double Fraction
    {
        get
        {
            double total = (double)Folds * Members * MaxEpochs;
            double done = ((((Fold - 1) * (double)Members) + (Member - 1)) * MaxEpochs) + Epoch;
            return Math.Clamp(done / total, 0, 1);
        }
    }
}

/// <summary>The loss curves and stopping point of one trained network.</summary>
/// <param name="Fold">The fold (1-based).</param>
/// <param name="Member">The ensemble member (1-based).</param>
/// <param name="TrainLoss">Mean training loss per epoch (the monitored loss: with a variance head, the configured loss plus the Gaussian NLL).</param>
/// <param name="ValidationLoss">Validation loss per epoch (monitored by early stopping).</param>
/// <param name="BestEpoch">The epoch whose weights were kept (1-based).</param>
/// <param name="Seconds">Wall time of this member's training.</param>
public sealed record TrainingHistory(int Fold, int Member, IReadOnlyList<double> TrainLoss, IReadOnlyList<double> ValidationLoss, int BestEpoch, double Seconds)
{
    /// <summary>Gets the configured loss alone (MAE, MSE or cross-entropy) per epoch on the training batches; equals
    /// <see cref="TrainLoss"/> without a variance head.</summary>
    public IReadOnlyList<double> TrainPrimaryLoss { get; init; } = [];

    /// <summary>Gets the configured loss alone per epoch on the validation rows.</summary>
    public IReadOnlyList<double> ValidationPrimaryLoss { get; init; } = [];

    /// <summary>Gets the wall time of each epoch in seconds (training batches and the validation loss).</summary>
    public IReadOnlyList<double> EpochSeconds { get; init; } = [];

    /// <summary>Gets the number of epochs run.</summary>
    public int Epochs => TrainLoss.Count;

    /// <summary>Gets the mean seconds per epoch.</summary>
    public double SecondsPerEpoch => Epochs == 0 ? 0 : Seconds / Epochs;
}
