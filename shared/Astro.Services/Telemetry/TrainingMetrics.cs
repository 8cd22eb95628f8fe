using System.Diagnostics;
using System.Diagnostics.Metrics;
using N = Astro.Services.Telemetry.TelemetryNames;

namespace Astro.Services.Telemetry;

/// <summary>The instruments of the <see cref="TelemetryNames.TrainingMeter"/> meter: training jobs and their duration.</summary>
public sealed class TrainingMetrics : IDisposable
{
    private readonly bool _ownsMeter;
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">A meter factory, or null for a meter owned (and disposed) by this instance.</param>
    public TrainingMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(N.TrainingMeter)) ?? new Meter(N.TrainingMeter);
        _jobs = Meter.CreateCounter<long>(N.TrainingJobs, "{job}", "Training jobs handled, by decision (published, rejected, failed, poisoned, abandoned) and model.");
        _duration = Meter.CreateHistogram<double>(N.TrainingDuration, "s", "Training time of a job, by decision and model.", tags: null, advice: FunctionMetrics.SecondsAdvice);
    }

    /// <summary>The process-wide instance (used when a worker is not given one).</summary>
    public static TrainingMetrics Shared { get; } = new();

    /// <summary>The meter.</summary>
    public Meter Meter { get; }

    /// <summary>Counts a handled job and records its training time.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="decision">published, rejected, failed, poisoned or abandoned.</param>
    /// <param name="trainingSeconds">Training seconds, or null/0 when the job did not train.</param>
    public void JobHandled(string model, string decision, double? trainingSeconds)
    {
        var tags = new TagList { { N.Decision, decision }, { N.Model, model } };
        _jobs.Add(1, tags);
        if (trainingSeconds is > 0)
        {
            _duration.Record(trainingSeconds.Value, tags);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
