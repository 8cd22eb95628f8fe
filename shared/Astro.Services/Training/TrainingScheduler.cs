using System.Text.Json;
using Astro.Services.Messages;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Cronos;

namespace Astro.Services.Training;

/// <summary>Scheduled retraining: validates the schedule and builds and sends training-job messages.</summary>
public static class TrainingScheduler
{
    /// <summary>The default schedule: Sundays at 03:00 UTC (<c>0 0 3 * * 0</c>, six fields with seconds, as WebJobs timers take).</summary>
    public const string DefaultSchedule = "0 0 3 * * 0";

    /// <summary>Checks a six-field CRON expression (second minute hour day month weekday).</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>A one-line problem, or null when valid.</returns>
    public static string? ValidateSchedule(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "the retraining schedule is empty";
        }

        try
        {
            CronExpression cron = CronExpression.Parse(expression, CronFormat.IncludeSeconds);
            return cron.GetNextOccurrence(DateTime.UtcNow) is null ? $"the retraining schedule '{expression}' never fires" : null;
        }
        catch (CronFormatException e)
        {
            return $"the retraining schedule '{expression}' is not a six-field CRON expression (second minute hour day month weekday): {e.Message}";
        }
    }

    /// <summary>The next occurrence of a valid schedule.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="from">From when.</param>
    /// <returns>The next time, or null.</returns>
    public static DateTime? Next(string expression, DateTime from) => CronExpression.Parse(expression, CronFormat.IncludeSeconds).GetNextOccurrence(DateTime.SpecifyKind(from, DateTimeKind.Utc));

    /// <summary>Checks a job request and fills its defaults (job id, request time).</summary>
    /// <param name="job">The job.</param>
    /// <param name="reason">"schedule" or "http".</param>
    /// <returns>The completed job.</returns>
    /// <exception cref="InvalidInputException">A required field is missing or malformed.</exception>
    public static TrainingJobMessage Complete(TrainingJobMessage job, string reason)
    {
        ArgumentNullException.ThrowIfNull(job);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(job.ModelName) || job.ModelName.Contains('/', StringComparison.Ordinal))
        {
            problems.Add("modelName must be a non-empty name without '/'");
        }

        if (string.IsNullOrWhiteSpace(job.Profile))
        {
            problems.Add("profile is required");
        }

        if (job.TrainingData is null || job.TrainingData.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("trainingData must list blob names (no empty entries)");
        }

        if (problems.Count > 0)
        {
            throw new InvalidInputException(InputProblem.BadRequest, $"Training job: {string.Join("; ", problems)}.");
        }

        string id = string.IsNullOrEmpty(job.JobId) ? $"{job.ModelName}-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..Math.Min(80, job.ModelName.Length + 48)] : job.JobId;
        return job with
        {
            JobId = id,
            Reason = string.IsNullOrEmpty(job.Reason) ? reason : job.Reason,
            RequestedUtc = job.RequestedUtc == default ? DateTimeOffset.UtcNow : job.RequestedUtc,
            CorrelationId = string.IsNullOrEmpty(job.CorrelationId) ? "job-" + Guid.NewGuid().ToString("N")[..16] : job.CorrelationId,
        };
    }

    /// <summary>The scheduled jobs: one per served model, on the training data under <c>{profile}/</c> in the training-data container.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="registry">The registry.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The jobs (not sent).</returns>
    public static async Task<IReadOnlyList<TrainingJobMessage>> CreateScheduledJobsAsync(AstroStorage storage, ModelRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(registry);
        var jobs = new List<TrainingJobMessage>();
        foreach (LoadedModel m in registry.Models)
        {
            var data = new List<string>();
            await foreach (BlobProperties item in storage.TrainingData.ListAsync(m.Profile + "/", cancellationToken).ConfigureAwait(false))
            {
                data.Add(item.Name);
            }

            jobs.Add(Complete(new TrainingJobMessage
            {
                ModelName = m.Name,
                Profile = m.Profile,
                Target = m.Package.Manifest.Target.Name,
                TrainingData = data,
                Options = new Dictionary<string, string>(m.Package.Manifest.Training) { ["previousVersion"] = m.Version },
            }, "schedule"));
        }

        return jobs;
    }

    /// <summary>Sends a job to the training-jobs queue.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="job">The completed job.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    public static async Task SendAsync(AstroStorage storage, TrainingJobMessage job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        await storage.TrainingJobs.SendAsync(JsonSerializer.Serialize(job, StorageJson.Compact), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
