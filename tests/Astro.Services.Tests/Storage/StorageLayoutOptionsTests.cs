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

namespace Astro.Services.Tests.Storage;

/// <summary>The container and queue names and their validation.</summary>
public sealed class StorageLayoutOptionsTests
{
    [Fact]
    public void Layout_defaults_are_the_documented_names_and_validate()
    {
        var layout = new StorageLayoutOptions();
        Assert.Equal(["cutouts", "catalogs", "predictions", "models", "training-data", "quarantine"], layout.Containers);
        Assert.Equal(["catalog-chunks", "training-jobs", "model-published", "blob-events", "catalog-chunks-poison", "training-jobs-poison", "model-published-poison", "blob-events-poison"], layout.Queues);
        Assert.Empty(layout.Validate());
    }

    [Fact]
    public void Layout_validation_names_each_bad_setting()
    {
        var layout = new StorageLayoutOptions { CatalogsContainer = "Bad_Name", CutoutsContainer = "a--b", TrainingJobsQueue = new string('q', 60), ModelsContainer = "predictions" };
        IReadOnlyList<string> problems = layout.Validate();
        Assert.Contains(problems, p => p.StartsWith("CatalogsContainer 'Bad_Name'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("CutoutsContainer 'a--b'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TrainingJobsQueue", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PredictionsContainer and ModelsContainer", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
    }
}
