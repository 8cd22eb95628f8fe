using System.Globalization;
using Astro.Ml.Training;

namespace Astro.Training.Worker;

/// <summary>The documented defaults of <see cref="TrainingWorkerOptions"/>.</summary>
public static class TrainingWorkerDefaults
{
    /// <summary>How long a received job stays invisible to other workers between renewals: 5 minutes.</summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries of one job before it goes to the poison queue: 5 (the function host's queue setting too).</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>How long a failed job stays invisible before its next attempt: 30 seconds.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle worker waits before looking at the queue again: 5 seconds.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    /// <summary>Shortest time between two progress lines of one training run: 10 seconds.</summary>
    public static readonly TimeSpan ProgressLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>The relative margin by which a candidate may be worse than the current model and still be published: 0 (not worse).</summary>
    public const double PublishMargin = 0.0;

    /// <summary>Folder of survey profiles (<c>{name}.json</c>), relative to the current directory: <c>profiles</c>.</summary>
    public const string ProfilesDirectory = "profiles";

    /// <summary>Folder of each job's downloads and package: <c>{temp}/astro-worker</c>.</summary>
    public static string WorkDirectory => Path.Combine(Path.GetTempPath(), "astro-worker");

    /// <summary>The blob, in the training-data container, that receives a job's result: <c>jobs/{jobId}/result.json</c>.</summary>
    public const string ResultBlobFormat = "jobs/{0}/result.json";

    /// <summary>The most bytes of a job's result.json read back: 4 MiB.</summary>
    public const long MaxResultBytes = 4 << 20;

    /// <summary>The most bytes of a profile read from the training-data container: 1 MiB.</summary>
    public const long MaxProfileBytes = 1 << 20;

    /// <summary>The folder, in the training-data container, searched for <c>{profile}.json</c> when the local folder lacks it: <c>profiles/</c>.</summary>
    public const string ProfilesPrefix = "profiles/";
}

/// <summary>How <see cref="TrainingWorker"/> consumes the training-jobs queue and decides what to publish.</summary>
public sealed class TrainingWorkerOptions
{
    /// <summary>Gets or sets the training device (<c>--device</c>); it overrides any device a job names.</summary>
    /// <value>The default value is <see cref="TrainingDevice.Cpu"/>. <see cref="TrainingDevice.Cuda"/> trains on the GPU when
    /// LibTorch CUDA is present and on the CPU otherwise; the choice is logged.</value>
    public TrainingDevice Device { get; set; } = TrainingDevice.Cpu;

    /// <summary>Gets or sets a value indicating whether <see cref="TrainingWorker.RunAsync"/> returns as soon as the queue has
    /// no visible message (a Container Apps job execution), instead of polling until cancelled.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Once { get; set; }

    /// <summary>Gets or sets the number of jobs after which <see cref="TrainingWorker.RunAsync"/> returns, or null for no limit.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxJobs { get; set; }

    /// <summary>Gets or sets how long a job being trained stays invisible; the worker renews it every
    /// <see cref="RenewalInterval"/> while it works, so the job only reappears when the worker dies.</summary>
    /// <value>The default value is 5 minutes (<see cref="TrainingWorkerDefaults.VisibilityTimeout"/>).</value>
    public TimeSpan VisibilityTimeout { get; set; } = TrainingWorkerDefaults.VisibilityTimeout;

    /// <summary>Gets or sets how often the visibility is renewed, or null for a third of <see cref="VisibilityTimeout"/>.</summary>
    /// <value>The default value is <see langword="null"/>. Must be shorter than <see cref="VisibilityTimeout"/>.</value>
    public TimeSpan? RenewalInterval { get; set; }

    /// <summary>Gets or sets the deliveries of a job before it is moved to <c>training-jobs-poison</c> with the reason.</summary>
    /// <value>The default value is 5. Jobs that cannot succeed (malformed message, unknown option values, unknown profile)
    /// are poisoned at the first delivery.</value>
    public int MaxDequeueCount { get; set; } = TrainingWorkerDefaults.MaxDequeueCount;

    /// <summary>Gets or sets how long a failed job stays invisible before it is tried again.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RetryDelay { get; set; } = TrainingWorkerDefaults.RetryDelay;

    /// <summary>Gets or sets how long an idle worker waits between looks at the queue (ignored with <see cref="Once"/>).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TrainingWorkerDefaults.PollInterval;

    /// <summary>Gets or sets the shortest time between two progress lines (epoch, losses) of a run; zero logs every epoch.</summary>
    /// <value>The default value is 10 seconds. The first and last epoch of every member are always logged.</value>
    public TimeSpan ProgressLogInterval { get; set; } = TrainingWorkerDefaults.ProgressLogInterval;

    /// <summary>Gets or sets the primary metric of the publish rule, or null to choose from the task: <c>rmse</c> for
    /// regression, <c>nmad</c> for photometric redshift, <c>accuracy</c> for classification. A job's <c>publishMetric</c> option wins.</summary>
    /// <value>The default value is <see langword="null"/>. Names: see <see cref="PublishRule.Metrics"/>.</value>
    public string? PublishMetric { get; set; }

    /// <summary>Gets or sets the relative margin of the publish rule: the candidate is published when its score is at most
    /// <c>current × (1 + margin)</c> (lower-is-better metrics) or at least <c>current × (1 − margin)</c> (higher-is-better).
    /// A job's <c>publishMargin</c> option wins; negative values demand an improvement.</summary>
    /// <value>The default value is 0 (not worse).</value>
    public double PublishMargin { get; set; } = TrainingWorkerDefaults.PublishMargin;

    /// <summary>Gets or sets the local folder of survey profiles. A job's profile is looked up here, then as
    /// <c>profiles/{name}.json</c> in the training-data container, then in the current model package (its profile.json).</summary>
    /// <value>The default value is <c>profiles</c> (relative to the current directory).</value>
    public string ProfilesDirectory { get; set; } = TrainingWorkerDefaults.ProfilesDirectory;

    /// <summary>Gets or sets the folder for downloads and packages (one sub-folder per job, deleted afterwards).</summary>
    /// <value>The default value is <c>{temp}/astro-worker</c>.</value>
    public string WorkDirectory { get; set; } = TrainingWorkerDefaults.WorkDirectory;

    /// <summary>Gets or sets a value indicating whether a job's folder is kept after the job (for debugging).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool KeepWorkFiles { get; set; }

    /// <summary>Gets or sets a value indicating whether packages get their PNG plots.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WritePlots { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the containers and queues are created at start when missing.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CreateStorage { get; set; } = true;

    /// <summary>Gets the renewal interval in effect.</summary>
    public TimeSpan EffectiveRenewalInterval => RenewalInterval ?? VisibilityTimeout / 3;

    /// <summary>Returns a copy.</summary>
    /// <returns>The copy.</returns>
    public TrainingWorkerOptions Clone() => (TrainingWorkerOptions)MemberwiseClone();

    /// <summary>Checks every option.</summary>
    /// <returns>One line per problem, naming the option; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Device))
        {
            problems.Add($"Device ({(int)Device}) is not defined");
        }

        if (MaxJobs is int m && m < 1)
        {
            problems.Add($"MaxJobs ({m}) must be at least 1");
        }

        // Azure Storage accepts visibility timeouts from 1 second to 7 days.
        if (VisibilityTimeout < TimeSpan.FromSeconds(1) || VisibilityTimeout > TimeSpan.FromDays(7))
        {
            problems.Add($"VisibilityTimeout ({VisibilityTimeout}) must be between 1 second and 7 days");
        }

        if (EffectiveRenewalInterval <= TimeSpan.Zero || EffectiveRenewalInterval >= VisibilityTimeout)
        {
            problems.Add($"RenewalInterval ({EffectiveRenewalInterval}) must be positive and shorter than VisibilityTimeout ({VisibilityTimeout})");
        }

        if (MaxDequeueCount < 1 || MaxDequeueCount > 100)
        {
            problems.Add($"MaxDequeueCount ({MaxDequeueCount}) must be between 1 and 100");
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromDays(7))
        {
            problems.Add($"RetryDelay ({RetryDelay}) must be between 0 and 7 days");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            problems.Add($"PollInterval ({PollInterval}) must be positive");
        }

        if (ProgressLogInterval < TimeSpan.Zero)
        {
            problems.Add($"ProgressLogInterval ({ProgressLogInterval}) must not be negative");
        }

        if (PublishMetric is not null && !PublishRule.Metrics.ContainsKey(PublishMetric))
        {
            problems.Add($"PublishMetric '{PublishMetric}' is unknown (use {string.Join(", ", PublishRule.Metrics.Keys)})");
        }

        if (!double.IsFinite(PublishMargin) || PublishMargin <= -1)
        {
            problems.Add($"PublishMargin ({PublishMargin.ToString(CultureInfo.InvariantCulture)}) must be a finite number above -1");
        }

        if (string.IsNullOrWhiteSpace(ProfilesDirectory))
        {
            problems.Add("ProfilesDirectory is empty");
        }

        if (string.IsNullOrWhiteSpace(WorkDirectory))
        {
            problems.Add("WorkDirectory is empty");
        }

        return problems;
    }
}
