using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Inference.Models;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Testing;

namespace Astro.Services.Tests.Training;

/// <summary>Retraining schedules and job checks.</summary>
public sealed class TrainingSchedulerTests
{
    [Fact]
    public void Schedules_are_six_field_cron_and_jobs_are_checked()
    {
        Assert.Null(TrainingScheduler.ValidateSchedule(TrainingScheduler.DefaultSchedule));
        Assert.Equal(new DateTime(2026, 1, 4, 3, 0, 0, DateTimeKind.Utc), TrainingScheduler.Next(TrainingScheduler.DefaultSchedule, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc))); // a Sunday
        Assert.NotNull(TrainingScheduler.ValidateSchedule("0 3 * * 0")); // five fields: WebJobs timers need six
        Assert.NotNull(TrainingScheduler.ValidateSchedule(""));
        TrainingJobMessage job = TrainingScheduler.Complete(new TrainingJobMessage { ModelName = "m", Profile = "p" }, "http");
        Assert.StartsWith("m-", job.JobId, StringComparison.Ordinal);
        Assert.Equal("http", job.Reason);
        Assert.NotEqual(default, job.RequestedUtc);
        var e = Assert.Throws<InvalidInputException>(() => TrainingScheduler.Complete(new TrainingJobMessage { ModelName = "a/b", Profile = "" }, "http"));
        Assert.Contains("modelName", e.Message, StringComparison.Ordinal);
        Assert.Contains("profile", e.Message, StringComparison.Ordinal);
    }
}
