using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Astro.Functions.Tests.Infrastructure;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using N = Astro.Services.Telemetry.TelemetryNames;

namespace Astro.Functions.Tests.Telemetry;

/// <summary>The Astro.Functions meter seen through a <see cref="MeterListener"/> while a catalog and a cutout go through the in-process host on Azurite.</summary>
[Collection(HostCollection.Name)]
public sealed class MetricsIntegrationTests(HostFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Catalog_cutout_and_http_requests_are_counted_with_their_tags()
    {
        Meter meter = fixture.Host.Services.GetRequiredService<FunctionMetrics>().Meter;
        using var recorder = new MeasurementRecorder(meter);

        // A catalog of 5 rows (one with a missing band: not predicted) in 2 chunks of 3, and a cutout, through the blob triggers.
        var rows = Enumerable.Range(0, 5).Select(i => ($"M-{i}", 11.0 + i, 21.0 + i, 31.0 + i, 0.1 + (0.01 * i))).ToList();
        rows[3] = (rows[3].Item1, rows[3].Item2, double.NaN, rows[3].Item4, rows[3].Item5);
        await fixture.Storage.Catalogs.GetBlobClient("metrics/five.csv").UploadAsync(BinaryData.FromString(TestPackages.Csv(rows)), overwrite: true);
        byte[] cutout = await File.ReadAllBytesAsync(Path.Combine(Azurite.RepoRoot(), "samples", "cutouts", "G266033fitim.fits"));
        await fixture.Storage.Cutouts.GetBlobClient("metrics/cutout.fits").UploadAsync(new BinaryData(cutout), overwrite: true);

        BinaryData summaryJson = await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "catalogs/metrics/five.summary.json", s_timeout);
        CatalogSummary summary = JsonSerializer.Deserialize<CatalogSummary>(summaryJson.ToString(), StorageJson.Compact)!;
        await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, "cutouts/metrics/cutout.json", s_timeout);
        await fixture.GetJsonAsync("api/models");

        ModelSummary model = Assert.Single(summary.Models);
        long predicted = model.RowsPredicted;
        Assert.Equal(4, predicted); // the row with a missing band is not predicted
        Assert.Equal(2, summary.Chunks);

        // The metrics are recorded just after the outputs are written: wait for them.
        await recorder.WaitForAsync(r => r.Any(m => m.Name == N.UploadToOutputDuration && m.Tag(N.Kind) == "catalog")
                                        && r.Any(m => m.Name == N.UploadToOutputDuration && m.Tag(N.Kind) == "cutout")
                                        && r.Count(m => m.Name == N.ChunkDuration) >= 2, s_timeout);
        IReadOnlyList<Recorded> all = recorder.Snapshot();

        // Inputs: the catalog drop and the cutout drop (path blob), both chunks (path queue).
        Assert.Contains(all, m => m.Is(N.InputsProcessed, 1, (N.Kind, "catalog"), (N.Outcome, "ok"), (N.Path, "blob")));
        Assert.Contains(all, m => m.Is(N.InputsProcessed, 1, (N.Kind, "cutout"), (N.Outcome, "ok"), (N.Path, "blob")));
        Assert.True(all.Count(m => m.Is(N.InputsProcessed, 1, (N.Kind, "chunk"), (N.Outcome, "ok"), (N.Path, "queue"))) >= 2);

        // Rows predicted and flagged: the summary's numbers, tagged with the model's name and version.
        Assert.Contains(all, m => m.Is(N.RowsPredicted, predicted, (N.Model, HostFixture.ModelName), (N.Version, HostFixture.ModelVersion), (N.Path, "queue")));
        Assert.Contains(all, m => m.Is(N.RowsFlagged, model.RowsFlagged, (N.Model, HostFixture.ModelName), (N.Version, HostFixture.ModelVersion), (N.Path, "queue")));

        // Latencies in seconds: upload → output (storage's 1 s resolution) and per chunk.
        Recorded latency = all.First(m => m.Name == N.UploadToOutputDuration && m.Tag(N.Kind) == "catalog");
        Assert.InRange(latency.Value, 0, 60);
        // Two last chunks finishing together may both merge (identical outputs, timings a few ms apart): allow for it.
        Assert.InRange(latency.Value, summary.Timings.UploadToOutputSeconds - 0.5, summary.Timings.UploadToOutputSeconds + 0.5);
        Assert.All(all.Where(m => m.Name == N.ChunkDuration), m => Assert.InRange(m.Value, 1e-6, 60));
        Assert.InRange(all.First(m => m.Name == N.UploadToOutputDuration && m.Tag(N.Kind) == "cutout").Value, 0, 60);

        // HTTP: duration by route template, method and status.
        Assert.Contains(all, m => m.Name == N.HttpRequestDuration && m.Tag(N.Route) == "/api/models" && m.Tag(N.Method) == "GET" && m.Tag(N.StatusCode) == "200" && m.Value is > 0 and < 60);

        // The model in service: an observable gauge of 1 per model version.
        recorder.Listener.RecordObservableInstruments();
        Assert.Contains(recorder.Snapshot(), m => m.Is(N.ModelsLoaded, 1, (N.Model, HostFixture.ModelName), (N.Version, HostFixture.ModelVersion), (N.Profile, HostFixture.Profile)));

        // Every instrument has its documented unit.
        Assert.Equal("s", recorder.Units[N.UploadToOutputDuration]);
        Assert.Equal("s", recorder.Units[N.ChunkDuration]);
        Assert.Equal("{row}", recorder.Units[N.RowsPredicted]);
    }

    [Fact]
    public async Task Http_predictions_count_rows_by_model_version_and_an_unknown_route_is_unmatched()
    {
        Meter meter = fixture.Host.Services.GetRequiredService<FunctionMetrics>().Meter;
        using var recorder = new MeasurementRecorder(meter);
        using HttpResponseMessage ok = await fixture.Http.PostAsync("api/predict", HostFixture.Json("""[{"id":"a","f1":10,"f2":20,"f3":30,"z":0.1},{"id":"b","f1":11,"f2":21,"f3":31,"z":0.2}]"""));
        Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync());
        using HttpResponseMessage missing = await fixture.Http.GetAsync("api/nothing-here");
        await recorder.WaitForAsync(r => r.Count(m => m.Name == N.HttpRequestDuration) >= 2, s_timeout);
        IReadOnlyList<Recorded> all = recorder.Snapshot();
        Assert.Contains(all, m => m.Is(N.RowsPredicted, 2, (N.Model, HostFixture.ModelName), (N.Version, HostFixture.ModelVersion), (N.Path, "http")));
        Assert.Contains(all, m => m.Is(N.InputsProcessed, 1, (N.Kind, "catalog"), (N.Outcome, "ok"), (N.Path, "http")));
        Assert.Contains(all, m => m.Name == N.HttpRequestDuration && m.Tag(N.Route) == "/api/predict" && m.Tag(N.Method) == "POST" && m.Tag(N.StatusCode) == "200");
        Assert.Contains(all, m => m.Name == N.HttpRequestDuration && m.Tag(N.Route) == "unmatched" && m.Tag(N.StatusCode) == ((int)missing.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_host_logs_with_the_astro_console_formatter()
    {
        ConsoleLoggerOptions options = fixture.Host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        Assert.Equal("astro", options.FormatterName);
    }
}

internal sealed record Recorded(string Name, double Value, KeyValuePair<string, object?>[] Tags)
{
    public string? Tag(string key) => Tags.Where(t => t.Key == key).Select(t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    public bool Is(string name, double value, params (string Key, string Value)[] tags) =>
        Name == name && Value == value && tags.All(t => Tag(t.Key) == t.Value);
}

/// <summary>Records every measurement of one meter instance (so the other hosts in the process do not interfere).</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly ConcurrentQueue<Recorded> _measurements = new();

    public MeasurementRecorder(Meter meter)
    {
        Listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    Units[instrument.Name] = instrument.Unit;
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        Listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue(new Recorded(i.Name, v, tags.ToArray())));
        Listener.SetMeasurementEventCallback<int>((i, v, tags, _) => _measurements.Enqueue(new Recorded(i.Name, v, tags.ToArray())));
        Listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue(new Recorded(i.Name, v, tags.ToArray())));
        Listener.Start();
    }

    public MeterListener Listener { get; }

    public ConcurrentDictionary<string, string?> Units { get; } = new();

    public IReadOnlyList<Recorded> Snapshot() => [.. _measurements];

    public async Task WaitForAsync(Func<IReadOnlyList<Recorded>, bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!done(Snapshot()))
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"the expected measurements did not arrive within {timeout.TotalSeconds} s; got: {string.Join("; ", Snapshot().Select(m => $"{m.Name}={m.Value} [{string.Join(",", m.Tags.Select(t => $"{t.Key}={t.Value}"))}]"))}");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose() => Listener.Dispose();
}
