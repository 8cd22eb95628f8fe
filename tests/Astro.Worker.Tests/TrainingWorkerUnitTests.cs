using Astro.Catalogs;
using Astro.Catalogs.Preprocessing;
using Astro.Ml.Training;
using Astro.Testing;
using Astro.Training.Worker;
using Astro.Worker.Tests.Infrastructure;

namespace Astro.Worker.Tests;

public sealed class TrainingWorkerOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones_and_valid()
    {
        var o = new TrainingWorkerOptions();
        Assert.Equal(TrainingDevice.Cpu, o.Device);
        Assert.False(o.Once);
        Assert.Null(o.MaxJobs);
        Assert.Equal(TrainingWorkerDefaults.VisibilityTimeout, o.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), o.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(100), o.EffectiveRenewalInterval);
        Assert.Equal(5, o.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), o.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), o.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), o.ProgressLogInterval);
        Assert.Null(o.PublishMetric);
        Assert.Equal(0.0, o.PublishMargin);
        Assert.Equal("profiles", o.ProfilesDirectory);
        Assert.Equal(Path.Combine(Path.GetTempPath(), "astro-worker"), o.WorkDirectory);
        Assert.True(o.WritePlots);
        Assert.True(o.CreateStorage);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Validate_lists_every_problem()
    {
        var o = new TrainingWorkerOptions
        {
            VisibilityTimeout = TimeSpan.FromSeconds(10),
            RenewalInterval = TimeSpan.FromSeconds(20),
            MaxDequeueCount = 0,
            MaxJobs = 0,
            PublishMetric = "loss",
            PublishMargin = -1,
        };
        IReadOnlyList<string> problems = o.Validate();
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("RenewalInterval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaxDequeueCount", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaxJobs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PublishMetric 'loss' is unknown", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PublishMargin", StringComparison.Ordinal));
        var e = Assert.Throws<ArgumentException>(() => new TrainingWorker(new Astro.Services.Storage.AstroStorage(new Astro.Testing.InMemoryStorage(), new Astro.Services.Storage.StorageLayoutOptions()), o));
        Assert.Contains("MaxDequeueCount (0)", e.Message, StringComparison.Ordinal);
    }
}

public sealed class PublishRuleTests
{
    [Theory]
    [InlineData("rmse", 0.0, 0.30, 0.30, true)]   // equal is not worse
    [InlineData("rmse", 0.0, 0.31, 0.30, false)]
    [InlineData("rmse", 0.05, 0.31, 0.30, true)]  // within 5%
    [InlineData("rmse", 0.05, 0.32, 0.30, false)]
    [InlineData("rmse", -0.1, 0.28, 0.30, false)] // an improvement of 10% is demanded
    [InlineData("rmse", -0.1, 0.26, 0.30, true)]
    [InlineData("accuracy", 0.0, 0.90, 0.91, false)]
    [InlineData("accuracy", 0.02, 0.90, 0.91, true)]
    [InlineData("accuracy", 0.0, 0.95, 0.91, true)]
    public void Decide_applies_the_direction_and_the_relative_margin(string metric, double margin, double candidate, double current, bool publish)
    {
        var rule = new PublishRule(metric, margin);
        Assert.Equal(publish, rule.Decide(candidate, current).Publish);
    }

    [Fact]
    public void Without_a_current_model_the_candidate_is_published_and_non_finite_scores_are_never_better()
    {
        var rule = new PublishRule("nmad", 0);
        Assert.True(rule.Decide(0.1, null).Publish);
        Assert.False(rule.Decide(double.NaN, 0.1).Publish);
        Assert.True(rule.Decide(0.1, double.NaN).Publish);
    }

    [Fact]
    public void Score_uses_absolute_bias_and_defaults_follow_the_task()
    {
        Assert.Equal(0.02, new PublishRule("bias", 0).Score(new Dictionary<string, double> { ["bias"] = -0.02 }));
        Assert.True(double.IsNaN(new PublishRule("nmad", 0).Score(new Dictionary<string, double> { ["rmse"] = 1 })));
        Assert.Equal("accuracy", PublishRule.DefaultMetric(classification: true, redshift: false));
        Assert.Equal("nmad", PublishRule.DefaultMetric(classification: false, redshift: true));
        Assert.Equal("rmse", PublishRule.DefaultMetric(classification: false, redshift: false));
    }
}

public sealed class TrainingJobConfigurationTests
{
    [Fact]
    public void A_manifest_training_section_round_trips_into_training_options()
    {
        // What PhotometricTrainer records in manifest.training, plus what TrainingScheduler adds.
        var manifestTraining = new Dictionary<string, string>
        {
            ["architecture"] = "sm",
            ["layers"] = "7-14-21-21-2",
            ["hiddenActivation"] = "Relu",
            ["loss"] = "MeanAbsoluteError",
            ["optimizer"] = "Adam",
            ["learningRate"] = "0.001",
            ["batchSize"] = "256",
            ["epochs"] = "5000",
            ["patience"] = "300",
            ["initialWeightStd"] = "0.05",
            ["initializeOutputBias"] = "True",
            ["seed"] = "42",
            ["ensembleSize"] = "5",
            ["heteroscedasticHead"] = "True",
            ["bandDropout"] = "0.2",
            ["slopeCorrectionDegree"] = "none",
            ["folds"] = "none",
            ["device"] = "CPU",
            ["threads"] = "1",
            ["baseline"] = "LightGBM",
            ["previousVersion"] = "20260101.000000",
            ["somethingNew"] = "x",
        };
        TrainingJobConfiguration c = TrainingJobConfiguration.Parse(manifestTraining, TrainingDevice.Cuda);
        TrainingOptions o = c.Training;
        Assert.Equal("sm", o.Architecture);
        Assert.Equal(TrainingLoss.MeanAbsoluteError, o.Loss);
        Assert.Equal(TrainingOptimizer.Adam, o.Optimizer);
        Assert.Equal(5000, o.Epochs);
        Assert.Equal(300, o.Patience);
        Assert.Equal(5, o.EnsembleSize);
        Assert.Equal(0.2, o.BandDropout);
        Assert.Null(o.SlopeCorrectionDegree);
        Assert.Null(o.Folds);
        Assert.Equal(1, o.Threads);
        Assert.True(o.Baseline);
        Assert.Equal(TrainingDevice.Cuda, o.Device); // the worker's device wins
        Assert.Equal("paper000", c.Selection);
        Assert.Equal(["device", "hiddenActivation", "layers", "previousVersion", "somethingNew"], c.Ignored);
    }

    [Fact]
    public void Worker_keys_and_paper001_slope_correction_like_astro_train()
    {
        TrainingJobConfiguration c = TrainingJobConfiguration.Parse(
            new Dictionary<string, string> { ["selection"] = "paper001", ["maxRows"] = "500", ["publishMetric"] = "NMAD", ["publishMargin"] = "0.05", ["force"] = "false", ["baseline"] = "none" },
            TrainingDevice.Cpu);
        Assert.Equal(1, c.Training.SlopeCorrectionDegree);
        Assert.Equal(500, c.MaxRows);
        Assert.Equal("nmad", c.PublishMetric);
        Assert.Equal(0.05, c.PublishMargin);
        Assert.False(c.Force);
        Assert.False(c.Training.Baseline);
        Assert.Empty(c.Ignored);
    }

    [Fact]
    public void Bad_values_are_all_reported_as_a_permanent_failure()
    {
        var e = Assert.Throws<TrainingJobException>(() => TrainingJobConfiguration.Parse(
            new Dictionary<string, string> { ["epochs"] = "many", ["loss"] = "hinge", ["selection"] = "paper999", ["architecture"] = "custom:0" },
            TrainingDevice.Cpu));
        Assert.True(e.Permanent);
        Assert.Contains("option epochs = 'many' is not an integer", e.Message, StringComparison.Ordinal);
        Assert.Contains("option loss = 'hinge'", e.Message, StringComparison.Ordinal);
        Assert.Contains("option selection = 'paper999'", e.Message, StringComparison.Ordinal);

        var invalid = Assert.Throws<TrainingJobException>(() => TrainingJobConfiguration.Parse(new Dictionary<string, string> { ["architecture"] = "custom:0" }, TrainingDevice.Cpu));
        Assert.Contains("architecture", invalid.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Selection_adapts_to_the_profile_as_astro_train_does()
    {
        SurveyProfile profile = SurveyProfile.Parse(WorkerFixture.ProfileJson, "test");
        SelectionOptions s = TrainingJobConfiguration.Parse(new Dictionary<string, string> { ["bandDropout"] = "0.1" }, TrainingDevice.Cpu).CreateSelection(profile);
        Assert.Equal(9, s.MinLog10StellarMass);
        Assert.Null(s.MinHighSnrBands); // 6 high-S/N bands cannot be met with 3 bands
        Assert.Equal(MissingBandPolicy.KeepAndFlag, s.MissingBandPolicy);
    }
}
