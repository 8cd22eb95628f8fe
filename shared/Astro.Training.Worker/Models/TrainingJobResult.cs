namespace Astro.Training.Worker.Models;

/// <summary>How a training job ended (this attempt).</summary>
public enum TrainingJobStatus
{
    /// <summary>Trained, not worse than the current model, published: the pointer moved and model-published was sent.</summary>
    Published = 1,

    /// <summary>Trained but worse than the current model (or not comparable): not published. The job succeeded.</summary>
    Rejected,

    /// <summary>This attempt failed; the job will be tried again after the retry delay.</summary>
    Failed,

    /// <summary>The job failed for the last time (or cannot succeed) and was moved to the poison queue.</summary>
    Poisoned,

    /// <summary>The worker stopped (cancelled) during the job; the message was made visible again.</summary>
    Abandoned,
}

/// <summary>The scores of the publish rule: both models on the same test rows.</summary>
public sealed record PublishDecision
{
    /// <summary>The primary metric.</summary>
    public required string Metric { get; init; }

    /// <summary>Whether a higher score is better.</summary>
    public required bool HigherIsBetter { get; init; }

    /// <summary>The relative margin.</summary>
    public required double Margin { get; init; }

    /// <summary>The candidate's score (null when not finite).</summary>
    public double? CandidateScore { get; init; }

    /// <summary>The current model's score (null without a current model or when not comparable).</summary>
    public double? CurrentScore { get; init; }

    /// <summary>The version that was current when the job decided.</summary>
    public string? CurrentVersion { get; init; }

    /// <summary>Test rows both models predicted (the scores are over these rows).</summary>
    public int ComparedRows { get; init; }

    /// <summary>Whether the candidate was to be published.</summary>
    public required bool Publish { get; init; }

    /// <summary>The reason in one line.</summary>
    public required string Reason { get; init; }
}

/// <summary>The record of one job, written to <c>training-data/jobs/{jobId}/result.json</c> after every attempt.</summary>
public sealed record TrainingJobResult
{
    /// <summary>The job id.</summary>
    public required string JobId { get; init; }

    /// <summary>The correlation id (also in every log line of the job).</summary>
    public required string CorrelationId { get; init; }

    /// <summary>The model trained.</summary>
    public required string ModelName { get; init; }

    /// <summary>The survey profile.</summary>
    public string? Profile { get; init; }

    /// <summary>The target.</summary>
    public string? Target { get; init; }

    /// <summary>How the attempt ended.</summary>
    public required TrainingJobStatus Status { get; init; }

    /// <summary>The delivery number of this attempt (the queue's dequeue count).</summary>
    public long Attempt { get; init; }

    /// <summary>The deliveries after which the job is poisoned.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>The failure in one line (Failed, Poisoned).</summary>
    public string? Error { get; init; }

    /// <summary>When the attempt started (UTC).</summary>
    public DateTimeOffset StartedUtc { get; init; }

    /// <summary>When it ended (UTC).</summary>
    public DateTimeOffset FinishedUtc { get; init; }

    /// <summary>The device requested and the device trained on (e.g. "cuda → CPU").</summary>
    public string? Device { get; init; }

    /// <summary>The training blobs.</summary>
    public IReadOnlyList<string> TrainingData { get; init; } = [];

    /// <summary>Rows trained, validated and tested on.</summary>
    public int Rows { get; init; }

    /// <summary>Held-out test rows.</summary>
    public int TestRows { get; init; }

    /// <summary>The candidate's version.</summary>
    public string? CandidateVersion { get; init; }

    /// <summary>The version now current after a publish (null otherwise).</summary>
    public string? PublishedVersion { get; init; }

    /// <summary>The candidate's test metrics as the serving code computes them on the compared rows.</summary>
    public IReadOnlyDictionary<string, double>? CandidateMetrics { get; init; }

    /// <summary>The current model's test metrics on the same rows.</summary>
    public IReadOnlyDictionary<string, double>? CurrentMetrics { get; init; }

    /// <summary>The publish decision with both scores.</summary>
    public PublishDecision? Decision { get; init; }

    /// <summary>Job options that were not used (provenance keys of a manifest, or unknown names).</summary>
    public IReadOnlyList<string> IgnoredOptions { get; init; } = [];

    /// <summary>How often the message's visibility was renewed during the attempt.</summary>
    public int VisibilityRenewals { get; init; }

    /// <summary>Seconds spent training.</summary>
    public double TrainingSeconds { get; init; }
}
