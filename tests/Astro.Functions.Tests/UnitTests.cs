using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Functions.Hosting;
using Astro.Functions.Tests.Infrastructure;
using Astro.Inference.Models;
using Astro.Storage;
using Astro.Storage.Catalogs;
using Astro.Storage.Cutouts;
using Astro.Storage.Events;
using Astro.Storage.Models;
using Astro.Storage.Training;
using Microsoft.Extensions.Configuration;

namespace Astro.Functions.Tests;

/// <summary>The shared logic without Azure.</summary>
public sealed class UnitTests
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

    [Fact]
    public void Settings_problems_are_one_line_each_and_name_the_setting()
    {
        IConfigurationRoot config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingKeys.HttpPort] = "99999",
            [SettingKeys.FunctionKey] = "short",
            [SettingKeys.TrainingSchedule] = "every day",
            ["Astro:Storage:CatalogsContainer"] = "UPPER",
            ["Astro:Catalogs:ChunkRows"] = "0",
        }).Build();
        FunctionAppSettings.Read(config, out IReadOnlyList<string> problems);
        Assert.Contains(problems, p => p.StartsWith("AzureWebJobsStorage: the storage connection string is not set", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Http:Port: '99999'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Http:FunctionKey: shorter than 16", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Training:Schedule: the retraining schedule 'every day'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Storage:CatalogsContainer 'UPPER'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Catalogs:ChunkRows = 0", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain('\n', p));
        Assert.Throws<SettingsException>(() => FunctionHost.Build(config));

        FunctionAppSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = "UseDevelopmentStorage=true",
            [SettingKeys.FunctionKey] = "0123456789abcdef",
        }).Build(), out IReadOnlyList<string> none);
        Assert.Empty(none);
        Assert.Contains("malformed", FunctionAppSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SettingKeys.ConnectionString] = "not a connection string" }).Build(), out _) is not null ? AstroStorageClient.CheckConnectionString("not a connection string") : "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.csv", "a")]
    [InlineData("dir/b.csv.gz", "dir/b")]
    [InlineData("t.fits", "t")]
    [InlineData("weird.name.v2", "weird.name.v2")]
    [InlineData("noext", "noext")]
    public void Output_stems_drop_the_catalog_extension(string blob, string stem)
    {
        Assert.Equal(stem, CatalogPipeline.Stem(blob));
        Assert.Equal($"catalogs/{stem}.csv", CatalogPipeline.OutputNames(blob).Csv);
        Assert.Equal($"catalogs/{stem}/parts/000012.csv", CatalogPipeline.PartName(blob, 12));
    }

    [Fact]
    public void Prediction_rows_round_trip_through_csv_with_quoting()
    {
        var rows = new[]
        {
            new PredictionRow(0, "id,with \"comma\"", "m", "v1", "logMstar", "dex(Msun)", 10.123457f, 0.2f, "", float.NaN, "", 0, "", "catalogs/a b.csv", "\"0x8D\""),
            new PredictionRow(1, " padded ", "m", "v1", "logMstar", "dex(Msun)", float.NaN, float.NaN, "", float.NaN, "", 4, "missingFlux", "catalogs/a b.csv", "\"0x8D\""),
            new PredictionRow(2, "c", "cls", "v2", "class", "", float.NaN, 0.1f, "GALAXY", 0.9f, "STAR=0.05;GALAXY=0.9;QSO=0.05", 2, "", "x", "e"),
        };
        var w = new StringWriter { NewLine = "\n" };
        PredictionRowsCsv.WriteHeader(w);
        PredictionRowsCsv.WriteRows(w, rows);
        List<PredictionRow> back = [.. PredictionRowsCsv.ReadRows(new StringReader(w.ToString()), "test")];
        Assert.Equal(rows.Length, back.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].Id, back[i].Id);
            Assert.Equal(rows[i].ETag, back[i].ETag);
            Assert.Equal(rows[i].Prediction, back[i].Prediction);
            Assert.Equal(rows[i].Probability, back[i].Probability);
            Assert.Equal(rows[i].Flags, back[i].Flags);
            Assert.Equal(rows[i].Probabilities, back[i].Probabilities);
        }

        Assert.StartsWith(PredictionRowsCsv.Header + "\n0,\"id,with \"\"comma\"\"\",m,v1,logMstar,dex(Msun),10.123457,0.2,", w.ToString(), StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => PredictionRowsCsv.ReadRows(new StringReader("1,2,3\n"), "short").ToList());
    }

    [Fact]
    public void Fits_output_has_one_table_per_model_readable_by_astro_fits()
    {
        var a = new List<PredictionRow> { new(0, "s1", "alpha", "1", "logMstar", "dex(Msun)", 10.5f, 0.1f, "", float.NaN, "", 0, "", "catalogs/x.csv", "e"), new(1, "s2", "alpha", "1", "logMstar", "dex(Msun)", float.NaN, float.NaN, "", float.NaN, "", 4, "missingFlux", "catalogs/x.csv", "e") };
        var b = new List<PredictionRow> { new(0, "s1", "beta", "7", "class", "", float.NaN, 0.2f, "GALAXY", 0.8f, "GALAXY=0.8;STAR=0.2", 0, "", "catalogs/x.csv", "e"), new(1, "s2", "beta", "7", "class", "", float.NaN, 0.4f, "STAR", 0.6f, "GALAXY=0.4;STAR=0.6", 0, "", "catalogs/x.csv", "e") };
        using var ms = new MemoryStream();
        PredictionRowsFits.Write(ms, [a, b], "catalogs/x.csv", "e");
        using FitsFile f = FitsFile.Open(ms.ToArray());
        Assert.Equal(3, f.Count);
        var ta = Assert.IsAssignableFrom<TableHdu>(f[1]);
        Assert.Equal([10.5, double.NaN], ta.ReadColumnAsDouble("PREDICTION"));
        Assert.Equal(["", "missingFlux"], ta.ReadStrings("REASON").Select(s => s.TrimEnd()));
        var tb = Assert.IsAssignableFrom<TableHdu>(f[2]);
        Assert.Equal(["GALAXY", "STAR"], tb.ReadStrings("CLASS").Select(s => s.TrimEnd()));
        Assert.Equal("beta", f[2].Header.Find("MODEL")?.Value.AsString?.Trim());
        Assert.All(f, h => Assert.True(h.VerifyChecksums().IsValid));
        Assert.Equal(Astro.Fits.Checksums.ChecksumStatus.Valid, f[1].VerifyChecksums().Checksum);
    }

    [Fact]
    public void Summary_counts_rows_per_model_and_overall()
    {
        var plan = new CatalogPlan { Blob = "x.csv", ETag = "e", Format = CatalogFormat.Csv, Profile = "p", ProfileSource = "default", Rows = 3, ChunkRows = 2, ChunkCount = 2, CorrelationId = "c" };
        var rows = new Dictionary<string, List<PredictionRow>>
        {
            ["a"] = [R(0, "a", 0), R(1, "a", 4, "missingFlux"), R(2, "a", 1)],
            ["b"] = [R(0, "b", 4, "missingRedshift"), R(1, "b", 0), R(2, "b", 4, "missingRedshift")],
        };
        CatalogSummary s = CatalogPipeline.Summarise(plan, rows, CatalogPipeline.OutputNames("x.csv"), 1.5, 1.0, 0.1);
        Assert.Equal(3, s.RowsIn);
        Assert.Equal(3, s.RowsPredicted); // every row is predicted by at least one model
        Assert.Equal(1, s.RowsFlagged);
        Assert.Equal(0, s.RowsDropped);
        Assert.Equal(2, s.Models[0].RowsPredicted);
        Assert.Equal(1, s.Models[0].RowsMissingBands);
        Assert.Equal(2, s.Models[1].DroppedByReason["missingRedshift"]);
        Assert.Equal("catalogs/x.summary.json", s.Outputs["summary"]);

        static PredictionRow R(long row, string model, int flags, string reason = "") => new(row, $"s{row}", model, "1", "t", "", flags == 4 ? float.NaN : 1f, 0.1f, "", float.NaN, "", flags, reason, "x", "e");
    }

    [Fact]
    public void Event_grid_and_cloud_events_name_the_created_blob()
    {
        string eg = BlobEventParser.CreateBlobCreatedEvent(new Uri("http://127.0.0.1:10000/devstoreaccount1/catalogs/dir/a.csv"), "\"0x1\"", 5);
        BlobCreated b = Assert.Single(BlobEventParser.Parse(eg));
        Assert.Equal(("catalogs", "dir/a.csv", "\"0x1\""), (b.Container, b.Blob, b.ETag));

        string azure = """{"id":"1","eventType":"Microsoft.Storage.BlobCreated","subject":"/blobServices/default/containers/cutouts/blobs/g.fits","eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":{"api":"PutBlob","url":"https://acct.blob.core.windows.net/cutouts/g.fits","eTag":"0x2"}}""";
        Assert.Equal(("cutouts", "g.fits"), BlobEventParser.Parse(azure).Select(x => (x.Container, x.Blob)).Single());

        string cloud = """{"specversion":"1.0","id":"2","type":"Microsoft.Storage.BlobCreated","source":"/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/acct","subject":"/blobServices/default/containers/catalogs/blobs/c.csv","time":"2026-01-01T00:00:00Z","data":{"api":"PutBlob","url":"https://acct.blob.core.windows.net/catalogs/c.csv"}}""";
        Assert.Equal("c.csv", Assert.Single(BlobEventParser.Parse(cloud)).Blob);

        string other = """{"id":"3","eventType":"Microsoft.Storage.BlobDeleted","subject":"/x","eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":{"url":"https://acct.blob.core.windows.net/catalogs/c.csv"}}""";
        Assert.Empty(BlobEventParser.Parse(other));
        Assert.Equal(InputProblem.InvalidMessage, Assert.Throws<InvalidInputException>(() => BlobEventParser.Parse("not json")).Problem);
    }

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

    [Fact]
    public void Cutout_summary_rejects_bad_fits_and_images_without_pixels()
    {
        Assert.Throws<FitsException>(() => CutoutPipeline.Summarise("x.fits", "e", "c", "garbage"u8.ToArray()));
        using var ms = new MemoryStream();
        using (var w = new Astro.Fits.Writing.FitsWriter(ms, new Astro.Fits.Writing.FitsWriterOptions { LeaveOpen = true }))
        {
            w.WriteImage(Astro.Fits.Writing.FitsImage.FromPixels(Enumerable.Repeat(float.NaN, 16).ToArray(), 4, 4));
        }

        Assert.Contains("no defined pixels", Assert.Throws<FitsException>(() => CutoutPipeline.Summarise("nan.fits", "e", "c", ms.ToArray())).Message, StringComparison.Ordinal);
        Assert.Equal("cutouts/a/b.json", CutoutPipeline.OutputName("a/b.fits.gz"));
    }

    [Fact]
    public void Correlation_ids_are_deterministic_per_blob_version_unless_the_uploader_sets_one()
    {
        string a = Correlation.ForBlob("catalogs", "x.csv", "e1");
        Assert.Equal(a, Correlation.ForBlob("catalogs", "x.csv", "e1"));
        Assert.NotEqual(a, Correlation.ForBlob("catalogs", "x.csv", "e2"));
        Assert.Equal("mine", Correlation.FromMetadata(new Dictionary<string, string> { ["CorrelationId"] = "mine" }, "c", "b", "e"));
    }

    [Fact]
    public void On_demand_predictions_use_every_model_of_the_profile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "astro-unit-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var package = Astro.Inference.Packaging.ModelPackage.Load(TestPackages.Write(dir, "unit-model", "1", "unit-profile", 5f));
            var registry = new FixedRegistry([new Astro.Storage.Registry.LoadedModel("unit-model", "1", package, new Astro.Inference.PredictionService(package), DateTimeOffset.UtcNow)]);
            var predictor = new OnDemandPredictor(registry) { MaxObjects = 2 };
            var doc = predictor.PredictObjects(System.Text.Json.Nodes.JsonNode.Parse("""{"objects":[{"id":7,"f1":"10","f2":20,"f3":30,"z":0.5}],"profile":"unit-profile"}"""), null, "other");
            Assert.Equal("7", doc["results"]![0]!["id"]!.GetValue<string>());
            Assert.Equal(TestPackages.Expected(10, 20, 30, 0.5, 5f), doc["results"]![0]!["predictions"]![0]!["value"]!.GetValue<double>(), 4);
            Assert.Equal(InputProblem.TooLarge, Assert.Throws<InvalidInputException>(() => predictor.PredictObjects(System.Text.Json.Nodes.JsonNode.Parse("[{},{},{}]"), "unit-profile", "x")).Problem);
            Assert.Equal(InputProblem.UnknownProfile, Assert.Throws<InvalidInputException>(() => predictor.PredictObjects(System.Text.Json.Nodes.JsonNode.Parse("{}"), "nope", "x")).Problem);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed class FixedRegistry(IReadOnlyList<Astro.Storage.Registry.LoadedModel> models) : Astro.Storage.Registry.ModelRegistry
    {
        public override IReadOnlyList<Astro.Storage.Registry.LoadedModel> Models => models;

        public override IReadOnlyList<Astro.Storage.Registry.LoadedModel> ForProfile(string profile) => [.. models.Where(m => m.Profile == profile)];
    }
}
