using System.Diagnostics.Metrics;
using Astro.Services.Telemetry;
using Astro.Testing;
using N = Astro.Services.Telemetry.TelemetryNames;

namespace Astro.Functions.Tests.Telemetry;

/// <summary>The Astro.Training instruments (the trainer worker reports through them).</summary>
public sealed class TrainingMetricsTests
{
    [Fact]
    public void A_job_counts_by_decision_and_model_and_records_its_training_seconds()
    {
        using var metrics = new TrainingMetrics();
        Assert.Equal(N.TrainingMeter, metrics.Meter.Name);
        using var recorder = new MeasurementRecorder(metrics.Meter);
        metrics.JobHandled("mlp-gama", "published", 12.5);
        metrics.JobHandled("mlp-gama", "failed", null);
        IReadOnlyList<Recorded> all = recorder.Snapshot();
        Assert.Equal(3, all.Count);
        Assert.Contains(all, m => m.Is(N.TrainingJobs, 1, (N.Decision, "published"), (N.Model, "mlp-gama")));
        Assert.Contains(all, m => m.Is(N.TrainingJobs, 1, (N.Decision, "failed"), (N.Model, "mlp-gama")));
        Assert.Contains(all, m => m.Is(N.TrainingDuration, 12.5, (N.Decision, "published"), (N.Model, "mlp-gama")));
        Assert.Equal("s", recorder.Units[N.TrainingDuration]);
        Assert.Equal("{job}", recorder.Units[N.TrainingJobs]);
    }

    [Fact]
    public void Duration_histograms_advise_second_buckets()
    {
        using var metrics = new FunctionMetrics();
        Histogram<double>? chunk = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, _) =>
            {
                if (ReferenceEquals(i.Meter, metrics.Meter) && i.Name == N.ChunkDuration)
                {
                    chunk = (Histogram<double>)i;
                }
            },
        };
        listener.Start();
        Assert.NotNull(chunk);
        Assert.Equal(FunctionMetrics.SecondsBuckets, chunk.Advice?.HistogramBucketBoundaries);
        Assert.Equal(0.005, FunctionMetrics.SecondsBuckets[0]);
        Assert.Equal(3600, FunctionMetrics.SecondsBuckets[^1]);
    }
}
