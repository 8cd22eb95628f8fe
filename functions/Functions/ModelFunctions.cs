using Astro.Services;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Storage;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Functions;

/// <summary>The model lifecycle: new versions are loaded when published; retraining is requested on a schedule.</summary>
public sealed class ModelFunctions
{
    private readonly ModelRegistry _registry;
    private readonly AstroStorage _storage;
    private readonly ILogger<ModelFunctions> _logger;
    private readonly FunctionMetrics _metrics;

    /// <summary>Creates the functions.</summary>
    public ModelFunctions(ModelRegistry registry, AstroStorage storage, FunctionMetrics metrics, ILogger<ModelFunctions> logger)
    {
        _metrics = metrics;
        _registry = registry;
        _storage = storage;
        _logger = logger;
    }

    /// <summary>A model-published notice: reload the registry (every instance receives its own copy through the periodic check too).</summary>
    [FunctionName("ModelPublished")]
    public async Task ModelPublished([QueueTrigger("%Astro:Storage:ModelPublishedQueue%")] string message, CancellationToken cancellationToken)
    {
        string what = message;
        try
        {
            ModelPublishedMessage m = StorageJson.Parse<ModelPublishedMessage>(message, "model-published");
            what = $"{m.Name} {m.Version}";
        }
        catch (InvalidInputException e)
        {
            _logger.LogWarning("model-published message is not {{name, version}} ({Reason}); refreshing every model anyway", e.Message);
        }

        RegistryRefreshResult r;
        try
        {
            r = await _registry.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _metrics.RegistryReload("published", null);
            throw;
        }

        _metrics.RegistryReload("published", r);
        _logger.LogInformation("Published {Model}: registry refreshed; loaded [{Loaded}], failed [{Failed}]", what, string.Join(", ", r.Loaded), string.Join("; ", r.Failed));
    }

    /// <summary>Scheduled retraining: one training job per served model on its profile's training data.</summary>
    [FunctionName("RetrainingSchedule")]
    [Disable(Hosting.SettingKeys.DisableTimer)]
    public async Task RetrainingSchedule([TimerTrigger("%Astro:Training:Schedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        _ = timer;
        IReadOnlyList<TrainingJobMessage> jobs = await TrainingScheduler.CreateScheduledJobsAsync(_storage, _registry, cancellationToken).ConfigureAwait(false);
        foreach (TrainingJobMessage job in jobs)
        {
            await TrainingScheduler.SendAsync(_storage, job, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Scheduled retraining of {Model} ({Profile}, {Files} training file(s)) sent as job {JobId}", job.ModelName, job.Profile, job.TrainingData.Count, job.JobId);
        }

        if (jobs.Count == 0)
        {
            _logger.LogInformation("Scheduled retraining: no model is served, nothing to retrain");
        }
    }
}
