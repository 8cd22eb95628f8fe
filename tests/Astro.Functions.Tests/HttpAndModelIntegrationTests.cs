using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Contract.Predictions;
using Astro.Functions.Tests.Infrastructure;
using Astro.Services.Catalogs;
using Astro.Services.Messages;
using Astro.Services.Registry;
using Astro.Testing;
using Azure.Storage.Queues.Models;

namespace Astro.Functions.Tests;

/// <summary>The HTTP functions, the training-job paths and live model updates through the real host on Azurite.</summary>
[Collection(HostCollection.Name)]
public sealed class HttpAndModelIntegrationTests(HostFixture fixture)
{
    [Fact]
    public async Task Keys_are_required_except_for_health()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/models?code=wrong-key")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"api/models?code={HostFixture.Key}")).StatusCode);
        JsonNode models = await fixture.GetJsonAsync("api/models");
        JsonNode m = models["models"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == HostFixture.ModelName)!;
        Assert.Equal(HostFixture.ModelVersion, m["version"]!.GetValue<string>());
        Assert.Equal(HostFixture.Profile, m["profile"]!.GetValue<string>());
        Assert.Equal(["f1", "f2", "f3", "z"], m["columns"]!.AsArray().Select(c => c!.GetValue<string>()).Order().ToArray());
    }

    [Fact]
    public async Task Predict_answers_one_object_or_a_batch_with_uncertainties_and_flags()
    {
        JsonNode one = await PostJsonAsync("api/predict", """{"id":"g1","f1":10,"f2":20,"f3":30,"z":0.1}""", HttpStatusCode.OK);
        JsonNode p = one["results"]![0]!["predictions"]![0]!;
        Assert.Equal("g1", one["results"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(TestPackages.Expected(10, 20, 30, 0.1, HostFixture.Bias), p["value"]!.GetValue<double>(), 4);
        Assert.Equal(TestPackages.Sigma, p["uncertainty"]!.GetValue<double>(), 5);
        Assert.Equal(HostFixture.ModelVersion, p["version"]!.GetValue<string>());

        JsonNode batch = await PostJsonAsync($"api/predict?profile={HostFixture.Profile}", """[{"id":"a","f1":1,"f2":2,"f3":3,"z":0.2},{"id":"b","f1":1,"f2":null,"f3":3,"z":0.2}]""", HttpStatusCode.OK);
        Assert.Equal(2, batch["count"]!.GetValue<int>());
        JsonNode missing = batch["results"]![1]!["predictions"]![0]!;
        Assert.Null(missing["value"]);
        Assert.Contains("notPredicted", missing["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(missing["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_predict_requests_get_clear_4xx_answers()
    {
        Assert.Contains("not valid JSON", (await PostJsonAsync("api/predict", "{oops", HttpStatusCode.BadRequest))["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("f3", (await PostJsonAsync("api/predict", """{"f1":1,"f2":2,"z":0.1}""", HttpStatusCode.BadRequest))["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("unknownProfile", (await PostJsonAsync("api/predict?profile=nope", """{"f1":1}""", HttpStatusCode.NotFound))["problem"]!.GetValue<string>());
        Assert.Equal("badRequest", (await PostJsonAsync("api/predict", "42", HttpStatusCode.BadRequest))["problem"]!.GetValue<string>());
        string big = "[" + string.Join(",", Enumerable.Repeat("""{"f1":1,"f2":2,"f3":3,"z":0.1}""", 3000)) + "]"; // > 64 KiB test limit
        Assert.Equal("tooLarge", (await PostJsonAsync("api/predict", big, HttpStatusCode.RequestEntityTooLarge))["problem"]!.GetValue<string>());
    }

    [Fact]
    public async Task Predict_catalog_answers_the_prediction_csv()
    {
        string csv = TestPackages.Csv([("x1", 5, 6, 7, 0.3), ("x2", 8, 9, 10, 0.4)]);
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using HttpResponseMessage r = await fixture.Http.PostAsync("api/predict/catalog?name=mine.csv", content);
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, text);
        List<PredictionRow> rows = [.. PredictionCsv.ReadRows(new StringReader(text), "response")];
        Assert.Equal(["x1", "x2"], rows.Select(x => x.Id));
        Assert.Equal(TestPackages.Expected(8, 9, 10, 0.4, HostFixture.Bias), rows[1].Prediction, 4);
        Assert.Equal("http:mine.csv", rows[0].Input);
        Assert.StartsWith("sha256:", rows[0].ETag, StringComparison.Ordinal);

        using var bad = new StringContent("id,f1\n1,2\n", Encoding.UTF8, "text/csv");
        using HttpResponseMessage rb = await fixture.Http.PostAsync("api/predict/catalog", bad);
        Assert.Equal(HttpStatusCode.BadRequest, rb.StatusCode);
        Assert.Contains("f2", await rb.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_jobs_are_enqueued_by_http_and_by_the_schedule()
    {
        await fixture.Storage.TrainingData.GetBlobClient($"{HostFixture.Profile}/train.csv").UploadAsync(BinaryData.FromString("id,f1,f2,f3,z,mstar\n"), overwrite: true);
        JsonNode job = await PostJsonAsync("api/training-jobs", $$$"""{"modelName":"{{{HostFixture.ModelName}}}","profile":"{{{HostFixture.Profile}}}","target":"logMstar","options":{"epochs":"5"}}""", HttpStatusCode.Accepted);
        string id = job["jobId"]!.GetValue<string>();
        Assert.Equal([$"{HostFixture.Profile}/train.csv"], job["trainingData"]!.AsArray().Select(x => x!.GetValue<string>()));
        await PostJsonAsync("api/training-jobs", """{"profile":"x"}""", HttpStatusCode.BadRequest);

        // The HTTP job and (every 2 s in the tests) scheduled ones arrive on training-jobs.
        var seen = new List<TrainingJobMessage>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20) && !(seen.Any(j => j.JobId == id) && seen.Any(Scheduled)))
        {
            foreach (QueueMessage m in (await fixture.Storage.TrainingJobs.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value)
            {
                seen.Add(JsonSerializer.Deserialize<TrainingJobMessage>(m.Body.ToString(), StorageJson.Compact)!);
            }

            await Task.Delay(200);
        }

        TrainingJobMessage http = Assert.Single(seen, j => j.JobId == id);
        Assert.Equal("http", http.Reason);
        Assert.Equal("5", http.Options["epochs"]);
        TrainingJobMessage scheduled = seen.First(Scheduled);
        Assert.Equal(HostFixture.Profile, scheduled.Profile);
        Assert.Equal("logMstar", scheduled.Target);
        Assert.Equal(HostFixture.ModelVersion, scheduled.Options["previousVersion"]);

        // Scheduled jobs list the training data of the model's profile (those sent after the upload include it).
        static bool Scheduled(TrainingJobMessage j) => j.Reason == "schedule" && j.ModelName == HostFixture.ModelName && j.TrainingData.Contains($"{HostFixture.Profile}/train.csv");
    }

    [Fact]
    public async Task A_published_model_version_is_served_without_a_restart_and_a_broken_one_is_not()
    {
        const string name = "live-model";
        const string profile = "test-live";
        var registry = new ModelRegistry(fixture.Storage.Services, new ModelRegistryOptions { CacheDirectory = Path.Combine(fixture.Work, "live-cache") });
        async Task<string?> Served()
        {
            JsonNode models = await fixture.GetJsonAsync("api/models");
            return models["models"]!.AsArray().FirstOrDefault(m => m!["name"]!.GetValue<string>() == name)?["version"]?.GetValue<string>();
        }

        foreach ((string version, float bias) in new[] { ("20260301.000000", 1f), ("20260302.000000", 2f) })
        {
            await registry.PublishAsync(TestPackages.Write(Path.Combine(fixture.Work, "live", version), name, version, profile, bias));
            var watch = Stopwatch.StartNew();
            await fixture.Storage.ModelPublished.SendMessageAsync(JsonSerializer.Serialize(new ModelPublishedMessage { Name = name, Version = version }, StorageJson.Compact));
            while (await Served() != version)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"version {version} not served within 20 s");
                await Task.Delay(100);
            }
        }

        JsonNode p = await PostJsonAsync($"api/predict?profile={profile}", """{"f1":1,"f2":1,"f3":1,"z":0}""", HttpStatusCode.OK);
        Assert.Equal(TestPackages.Expected(1, 1, 1, 0, 2f), p["results"]![0]!["predictions"]![0]!["value"]!.GetValue<double>(), 4);

        // A broken version whose pointer moved: loading fails, the previous version keeps serving.
        await UploadBrokenAsync(name, "20260303.000000");
        await fixture.Storage.ModelPublished.SendMessageAsync(JsonSerializer.Serialize(new ModelPublishedMessage { Name = name, Version = "20260303.000000" }, StorageJson.Compact));
        var wait = Stopwatch.StartNew();
        while (!fixture.Logs.Any(l => l.Contains("20260303.000000 not loaded", StringComparison.Ordinal)))
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(20), "the broken version was not tried");
            await Task.Delay(100);
        }

        Assert.Equal("20260302.000000", await Served());
    }

    private async Task UploadBrokenAsync(string name, string version)
    {
        string dir = TestPackages.Write(Path.Combine(fixture.Work, "live", version), name, version, "test-live", 3f, corruptOnnx: true);
        foreach (string file in Directory.GetFiles(dir))
        {
            await fixture.Storage.Models.GetBlobClient($"{name}/{version}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
        }

        await fixture.Storage.Models.GetBlobClient($"{name}/current").UploadAsync(BinaryData.FromString(version), overwrite: true);
    }

    private async Task<JsonNode> PostJsonAsync(string path, string json, HttpStatusCode expected)
    {
        using var content = new StringContent(json, new MediaTypeHeaderValue("application/json"));
        using HttpResponseMessage r = await fixture.Http.PostAsync(path, content);
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"{path}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
