using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Catalogs;
using Astro.Ml.Training;
using Astro.Services;
using Astro.Services.Messages;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Training.Worker.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Training.Worker;

/// <summary>
/// The trainer worker: takes jobs from the training-jobs queue (the <see cref="TrainingJobMessage"/>s the function app's
/// timer and <c>POST /api/training-jobs</c> send), trains with <see cref="PhotometricTrainer"/> as <c>astro train</c> does,
/// scores the candidate and the current model on the candidate's held-out rows with the serving code, and publishes the
/// candidate through <see cref="ModelRegistry.PublishAsync"/> (upload, MD5 check, then the <c>current</c> pointer) followed
/// by a model-published message — only when the <see cref="PublishRule"/> allows it.
/// </summary>
/// <remarks>
/// <para>While a job runs its message stays invisible (renewed every <see cref="TrainingWorkerOptions.EffectiveRenewalInterval"/>).
/// A failed attempt makes it visible again after <see cref="TrainingWorkerOptions.RetryDelay"/>; after
/// <see cref="TrainingWorkerOptions.MaxDequeueCount"/> deliveries (at once for jobs that cannot succeed) it is moved to
/// <c>training-jobs-poison</c> with a <c>failure</c> object (reason, attempts, time) added to the job's JSON, which stays
/// a valid job for a replay. Every attempt writes <c>training-data/jobs/{jobId}/result.json</c>.</para>
/// <para>Crash safety: the pointer is written only after every package file is uploaded and verified, so a crash at any
/// step leaves the previous version current (an orphaned, never-pointed-to version folder at worst); a crash after the
/// pointer moved but before model-published is covered by the hosts' periodic registry check, and the redelivered
/// message is completed without training again (result.json says Published).</para>
/// </remarks>
public partial class TrainingWorker
{
    private readonly AstroStorage _storage = null!;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ModelRegistry _registry = null!;
    private readonly TrainingWorkerOptions _options = null!;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly TrainingMetrics _metrics = TrainingMetrics.Shared;
    private string? _deviceDescription;

    /// <summary>For mocking only.</summary>
    protected TrainingWorker()
    {
    }

    /// <summary>Creates a worker.</summary>
    /// <param name="storage">The storage clients (queues and containers of the layout).</param>
    /// <param name="options">The options (validated and copied).</param>
    /// <exception cref="ArgumentException">An option is invalid; every problem is listed.</exception>
    public TrainingWorker(AstroStorage storage, TrainingWorkerOptions options)
        : this(storage, options, NullLogger.Instance)
    {
    }

    /// <summary>Creates a worker.</summary>
    /// <param name="storage">The storage clients (queues and containers of the layout).</param>
    /// <param name="options">The options (validated and copied).</param>
    /// <param name="logger">Receives structured logs (job scope: CorrelationId, JobId, ModelName, MessageId, Attempt).</param>
    /// <exception cref="ArgumentException">An option is invalid; every problem is listed.</exception>
    public TrainingWorker(AstroStorage storage, TrainingWorkerOptions options, ILogger logger)
        : this(storage, options, logger, TrainingMetrics.Shared)
    {
    }

    /// <summary>Creates a worker.</summary>
    /// <param name="storage">The storage clients (queues and containers of the layout).</param>
    /// <param name="options">The options (validated and copied).</param>
    /// <param name="logger">Receives structured logs (job scope: CorrelationId, JobId, ModelName, MessageId, Attempt).</param>
    /// <param name="metrics">Receives the job metrics (<c>astro.training.jobs</c>, <c>astro.training.duration</c> of the Astro.Training meter); the other constructors use <see cref="TrainingMetrics.Shared"/>.</param>
    /// <param name="time">The clock of the visibility renewals (tests pass a fake one), or null for the system clock.</param>
    /// <exception cref="ArgumentException">An option is invalid; every problem is listed.</exception>
    public TrainingWorker(AstroStorage storage, TrainingWorkerOptions options, ILogger logger, TrainingMetrics metrics, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(metrics);
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid TrainingWorkerOptions: {string.Join("; ", problems)}.", nameof(options));
        }

        _storage = storage;
        _options = options.Clone();
        _logger = logger;
        _registry = new ModelRegistry(storage, new ModelRegistryOptions { CacheDirectory = Path.Combine(_options.WorkDirectory, "registry-cache") }, logger);
    }

    /// <summary>Gets a copy of the options.</summary>
    public virtual TrainingWorkerOptions Options => _options.Clone();

    /// <summary>
    /// Consumes jobs until cancelled, until <see cref="TrainingWorkerOptions.MaxJobs"/> jobs were handled, or — with
    /// <see cref="TrainingWorkerOptions.Once"/> — until the queue has no visible message.
    /// </summary>
    /// <param name="cancellationToken">Stops the worker; a job being trained is abandoned and its message made visible again.</param>
    /// <returns>Every job handled.</returns>
    /// <remarks>Storage failures reading the queue (authentication, network) propagate.</remarks>
    public virtual async Task<IReadOnlyList<TrainingJobResult>> RunAsync(CancellationToken cancellationToken = default)
    {
        if (_options.CreateStorage)
        {
            await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }

        string device = DescribeDevice();
        _logger.LogInformation(
            "Trainer worker started on queue {Queue}: device {Device}, visibility {VisibilityTimeout} renewed every {RenewalInterval}, {MaxDequeueCount} attempts, {Mode}",
            _storage.Layout.TrainingJobsQueue,
            device,
            _options.VisibilityTimeout,
            _options.EffectiveRenewalInterval,
            _options.MaxDequeueCount,
            _options.Once ? "until the queue is empty" : "until stopped");
        var results = new List<TrainingJobResult>();
        while (!cancellationToken.IsCancellationRequested && !(_options.MaxJobs is int max && results.Count >= max))
        {
            TrainingJobResult? result;
            try
            {
                result = await ProcessNextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (result is not null)
            {
                results.Add(result);
                continue;
            }

            if (_options.Once)
            {
                break;
            }

            try
            {
                await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _logger.LogInformation(
            "Trainer worker stopped after {Jobs} job(s): {Published} published, {Rejected} rejected, {Failed} failed, {Poisoned} poisoned",
            results.Count,
            results.Count(r => r.Status == TrainingJobStatus.Published),
            results.Count(r => r.Status == TrainingJobStatus.Rejected),
            results.Count(r => r.Status == TrainingJobStatus.Failed),
            results.Count(r => r.Status == TrainingJobStatus.Poisoned));
        return results;
    }

    /// <summary>Receives one job and handles it (train, decide, publish; or retry, or poison).</summary>
    /// <param name="cancellationToken">Stops the job (its message is made visible again).</param>
    /// <returns>The job's result, or null when the queue has no visible message.</returns>
    /// <remarks>Storage failures reading the queue propagate.</remarks>
    public virtual async Task<TrainingJobResult?> ProcessNextAsync(CancellationToken cancellationToken = default)
    {
        QueuedMessage? message = await _storage.TrainingJobs.ReceiveAsync(_options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return null;
        }

        TrainingJobResult result = await HandleAsync(message, cancellationToken).ConfigureAwait(false);
        if (result.Attempt == message.DequeueCount)
        {
            // (A redelivered job that was already published returns its earlier result: not counted again.)
            _metrics.JobHandled(result.ModelName, result.Status.ToString().ToLowerInvariant(), result.TrainingSeconds);
        }

        return result;
    }

    private async Task<TrainingJobResult> HandleAsync(QueuedMessage message, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        long attempt = message.DequeueCount;
        string text = message.Text;
        TrainingJobMessage job;
        try
        {
            job = TrainingScheduler.Complete(StorageJson.Parse<TrainingJobMessage>(text, _storage.Layout.TrainingJobsQueue), "queue");
        }
        catch (InvalidInputException e)
        {
            // Nothing to retry: the message itself is wrong.
            var bad = new TrainingJobMessage { JobId = "message-" + message.Id, ModelName = "unknown", Profile = "unknown", CorrelationId = "message-" + message.Id };
            using IDisposable? badScope = BeginScope(bad, message);
            await PoisonAsync(message, text, e.Message, attempt, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(Failure(bad, TrainingJobStatus.Poisoned, attempt, started, e.Message), cancellationToken).ConfigureAwait(false);
        }

        using IDisposable? scope = BeginScope(job, message);
        _logger.LogInformation("Job {JobId} received (attempt {Attempt} of {MaxAttempts}): retrain {ModelName} on {Files} file(s) of profile {Profile}, target {Target}, requested by {Reason}", job.JobId, attempt, _options.MaxDequeueCount, job.ModelName, job.TrainingData.Count, job.Profile, job.Target ?? "(the current model's)", job.Reason);
        if (attempt > _options.MaxDequeueCount)
        {
            string reason = $"delivered {attempt} times: earlier attempts did not finish (the worker stopped or crashed during the job)";
            await PoisonAsync(message, text, reason, attempt, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(Failure(job, TrainingJobStatus.Poisoned, attempt, started, reason), cancellationToken).ConfigureAwait(false);
        }

        await using var lease = new MessageLease(_storage.TrainingJobs, message, _options.VisibilityTimeout, _options.EffectiveRenewalInterval, _time, _logger);
        TrainingJobResult? previous = await ReadResultAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        if (previous is { Status: TrainingJobStatus.Published })
        {
            _logger.LogInformation("Job {JobId} was already published as {ModelName} {Version} (attempt {PreviousAttempt}); completing the message", job.JobId, job.ModelName, previous.PublishedVersion, previous.Attempt);
            await lease.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            return previous;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        try
        {
            TrainingJobResult result = await ExecuteAsync(job, attempt, lease, linked.Token).ConfigureAwait(false);
            result = result with { VisibilityRenewals = lease.Renewals, FinishedUtc = DateTimeOffset.UtcNow };
            await RecordAsync(result, CancellationToken.None).ConfigureAwait(false);
            await lease.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Job {JobId} abandoned: the worker is stopping; the message is visible again now", job.JobId);
            await lease.ReleaseAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            return await RecordAsync(Failure(job, TrainingJobStatus.Abandoned, attempt, started, "the worker stopped during the job") with { VisibilityRenewals = lease.Renewals }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested)
        {
            const string reason = "the message's lease was lost (another worker may have the job); stopped without publishing";
            _logger.LogError("Job {JobId} stopped: {Reason}", job.JobId, reason);
            return await RecordAsync(Failure(job, TrainingJobStatus.Failed, attempt, started, reason) with { VisibilityRenewals = lease.Renewals }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            string reason = OneLine(e);
            bool permanent = e is TrainingJobException { Permanent: true } or InvalidInputException or CatalogException or TrainingException;
            if (permanent || attempt >= _options.MaxDequeueCount)
            {
                string why = permanent ? "cannot succeed" : $"failed {attempt} time(s)";
                _logger.LogError("Job {JobId} {Why}; moving it to {PoisonQueue}: {Reason}", job.JobId, why, PoisonQueue.Name, reason);
                LogDetail(e);
                await lease.EndWithAsync(m => PoisonAsync(m, text, reason, attempt, CancellationToken.None)).ConfigureAwait(false);
                return await RecordAsync(Failure(job, TrainingJobStatus.Poisoned, attempt, started, reason) with { VisibilityRenewals = lease.Renewals }, CancellationToken.None).ConfigureAwait(false);
            }

            _logger.LogWarning("Job {JobId} attempt {Attempt} of {MaxAttempts} failed; retrying in {RetryDelay}: {Reason}", job.JobId, attempt, _options.MaxDequeueCount, _options.RetryDelay, reason);
            LogDetail(e);
            await lease.ReleaseAsync(_options.RetryDelay, CancellationToken.None).ConfigureAwait(false);
            return await RecordAsync(Failure(job, TrainingJobStatus.Failed, attempt, started, reason) with { VisibilityRenewals = lease.Renewals }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private IMessageQueue PoisonQueue => _storage.PoisonOf(_storage.TrainingJobs);

    // The one-line reason is what people read; the stack of an unexpected failure goes to the debug log only.
    private void LogDetail(Exception e)
    {
        if (e is not (TrainingJobException or InvalidInputException or CatalogException or TrainingException))
        {
            _logger.LogDebug(e, "Job failure detail");
        }
    }

    /// <summary>Sends the job with a <c>failure</c> object to the poison queue, then deletes the original.</summary>
    private async Task PoisonAsync(QueuedMessage message, string text, string reason, long attempt, CancellationToken cancellationToken)
    {
        JsonObject body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["message"] = text };
        }
        catch (JsonException)
        {
            body = new JsonObject { ["message"] = text };
        }

        body["failure"] = new JsonObject
        {
            ["reason"] = reason,
            ["attempts"] = attempt,
            ["poisonedUtc"] = DateTimeOffset.UtcNow,
            ["messageId"] = message.Id,
        };
        await PoisonQueue.SendAsync(body.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await _storage.TrainingJobs.DeleteAsync(message, cancellationToken).ConfigureAwait(false);
        _logger.LogError("Job moved to {PoisonQueue} after {Attempts} attempt(s): {Reason}", PoisonQueue.Name, attempt, reason);
    }

    private IDisposable? BeginScope(TrainingJobMessage job, QueuedMessage message) => _logger.BeginScope(new Dictionary<string, object>
    {
        ["CorrelationId"] = job.CorrelationId,
        ["JobId"] = job.JobId,
        ["ModelName"] = job.ModelName,
        ["MessageId"] = message.Id,
        ["Attempt"] = message.DequeueCount,
    });

    private string DescribeDevice()
    {
        if (_deviceDescription is not null)
        {
            return _deviceDescription;
        }

        if (_options.Device == TrainingDevice.Cpu)
        {
            _deviceDescription = "cpu";
            _logger.LogInformation("Training device: CPU (requested cpu)");
        }
        else
        {
            Device device = TorchSetup.SelectDevice(_logger);
            bool cuda = device.type == DeviceType.CUDA;
            _deviceDescription = cuda ? "cuda" : "cuda → cpu";
            _logger.LogInformation("Training device: {Device} (requested cuda; LibTorch CUDA {Availability})", cuda ? "CUDA" : "CPU", cuda ? "is available" : "is not available, training on the CPU");
        }

        return _deviceDescription;
    }

    private TrainingJobResult Failure(TrainingJobMessage job, TrainingJobStatus status, long attempt, DateTimeOffset started, string reason) => new()
    {
        JobId = job.JobId,
        CorrelationId = job.CorrelationId,
        ModelName = job.ModelName,
        Profile = job.Profile,
        Target = job.Target,
        Status = status,
        Attempt = attempt,
        MaxAttempts = _options.MaxDequeueCount,
        Error = reason,
        StartedUtc = started,
        FinishedUtc = DateTimeOffset.UtcNow,
        Device = _deviceDescription,
        TrainingData = job.TrainingData,
    };

    /// <summary>The blob name of a job's result.</summary>
    /// <param name="jobId">The job id.</param>
    /// <returns><c>jobs/{jobId}/result.json</c> with characters other than letters, digits, '-', '_' and '.' replaced by '_'.</returns>
    public static string ResultBlobName(string jobId) =>
        string.Format(CultureInfo.InvariantCulture, TrainingWorkerDefaults.ResultBlobFormat, Safe(jobId));

    private async Task<TrainingJobResult> RecordAsync(TrainingJobResult result, CancellationToken cancellationToken)
    {
        try
        {
            using var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(result, StorageJson.Indented));
            await _storage.TrainingData.UploadAsync(ResultBlobName(result.JobId), json, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Job {JobId}: result.json not written ({Reason})", result.JobId, OneLine(e));
        }

        return result;
    }

    private async Task<TrainingJobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            BlobContent? r = await _storage.TrainingData.DownloadAsync(ResultBlobName(jobId), TrainingWorkerDefaults.MaxResultBytes, cancellationToken).ConfigureAwait(false);
            return r is null ? null : JsonSerializer.Deserialize<TrainingJobResult>(r.Content.Span, StorageJson.Compact);
        }
        catch (Exception e) when (e is JsonException or BlobTooLargeException)
        {
            return null;
        }
    }

    internal static string Safe(string s) => string.Concat(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    internal static string OneLine(Exception e) => e switch
    {
        AggregateException a when a.InnerExceptions.Count == 1 => OneLine(a.InnerExceptions[0]),
        _ => Printable.Line(e.Message),
    };
}
