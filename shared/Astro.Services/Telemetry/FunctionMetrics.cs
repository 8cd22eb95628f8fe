using System.Diagnostics;
using System.Diagnostics.Metrics;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Registry;
using N = Astro.Services.Telemetry.TelemetryNames;
using V = Astro.Services.Telemetry.TelemetryNames.Values;

namespace Astro.Services.Telemetry;

/// <summary>
/// The instruments of the <see cref="TelemetryNames.FunctionsMeter"/> meter (names, units and tags in
/// <see cref="TelemetryNames"/> and docs/runbook.md "Monitoring"). One instance per host (a DI singleton); with an
/// <see cref="IMeterFactory"/> the meter belongs to that host's container, so two hosts in one process (tests) keep
/// their measurements apart.
/// </summary>
public sealed class FunctionMetrics : IDisposable
{
    private readonly bool _ownsMeter;
    private readonly Counter<long> _inputs;
    private readonly Counter<long> _rowsPredicted;
    private readonly Counter<long> _rowsFlagged;
    private readonly Histogram<double> _uploadToOutput;
    private readonly Histogram<double> _chunk;
    private readonly Histogram<double> _http;
    private readonly Counter<long> _reloads;
    private Func<IReadOnlyList<LoadedModel>>? _models;

    /// <summary>Bucket boundaries (seconds) of the duration histograms: 5 ms to 1 h (the SDK default is for milliseconds).</summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    internal static InstrumentAdvice<double> SecondsAdvice { get; } = new() { HistogramBucketBoundaries = SecondsBuckets };

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The host's meter factory, or null for a meter owned (and disposed) by this instance.</param>
    public FunctionMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(N.FunctionsMeter)) ?? new Meter(N.FunctionsMeter);
        _inputs = Meter.CreateCounter<long>(N.InputsProcessed, "{input}", "Inputs handled by the function app, by kind, outcome and path.");
        _rowsPredicted = Meter.CreateCounter<long>(N.RowsPredicted, "{row}", "Rows predicted, by model and version.");
        _rowsFlagged = Meter.CreateCounter<long>(N.RowsFlagged, "{row}", "Predicted rows with a quality flag (missing bands, out of distribution, invalid output), by model and version.");
        _uploadToOutput = Meter.CreateHistogram<double>(N.UploadToOutputDuration, "s", "From the input blob's last-modified time to the output's write.", tags: null, advice: SecondsAdvice);
        _chunk = Meter.CreateHistogram<double>(N.ChunkDuration, "s", "Processing time of one catalog chunk message.", tags: null, advice: SecondsAdvice);
        _http = Meter.CreateHistogram<double>(N.HttpRequestDuration, "s", "HTTP request duration, by route.", tags: null, advice: SecondsAdvice);
        _reloads = Meter.CreateCounter<long>(N.RegistryReloads, "{reload}", "Model registry refreshes, by trigger and outcome.");
        Meter.CreateObservableGauge(N.ModelsLoaded, ObserveModels, "{model}", "1 for every model version in service.");
    }

    /// <summary>The meter.</summary>
    public Meter Meter { get; }

    /// <summary>Reports the models of <paramref name="registry"/> through the <see cref="TelemetryNames.ModelsLoaded"/> gauge.</summary>
    /// <param name="registry">The registry.</param>
    public void ObserveRegistry(ModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _models = () => registry.Models;
    }

    /// <summary>Counts an input.</summary>
    /// <param name="kind">catalog, cutout, chunk or event.</param>
    /// <param name="outcome">ok, skipped, quarantined, poisoned or failed.</param>
    /// <param name="path">blob, eventgrid, queue or http.</param>
    public void InputProcessed(string kind, string outcome, string path) =>
        _inputs.Add(1, new(N.Kind, kind), new(N.Outcome, outcome), new(N.Path, path));

    /// <summary>Counts rows predicted and flagged by a model version.</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">Its version.</param>
    /// <param name="path">queue (catalog fan-out) or http.</param>
    /// <param name="predicted">Rows predicted.</param>
    /// <param name="flagged">Of those, rows with a quality flag.</param>
    public void RowsPredicted(string model, string version, string path, long predicted, long flagged)
    {
        var tags = new TagList { { N.Model, model }, { N.Version, version }, { N.Path, path } };
        _rowsPredicted.Add(predicted, tags);
        _rowsFlagged.Add(flagged, tags);
    }

    /// <summary>Counts the rows of a merged catalog's summary, per model and version.</summary>
    /// <param name="summary">The summary.</param>
    public void RowsPredicted(CatalogSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        foreach (ModelSummary m in summary.Models)
        {
            RowsPredicted(m.Name, m.Versions.Count == 1 ? m.Versions[0] : string.Join(";", m.Versions), V.Queue, m.RowsPredicted, m.RowsFlagged);
        }
    }

    /// <summary>Records the latency from upload to output.</summary>
    /// <param name="kind">catalog or cutout.</param>
    /// <param name="seconds">Seconds (negative values, from clock steps, are recorded as 0).</param>
    public void UploadToOutput(string kind, double seconds) =>
        _uploadToOutput.Record(Math.Max(0, seconds), new KeyValuePair<string, object?>(N.Kind, kind));

    /// <summary>Records a chunk's processing time.</summary>
    /// <param name="outcome">The outcome tag.</param>
    /// <param name="seconds">Seconds.</param>
    public void ChunkProcessed(string outcome, double seconds) =>
        _chunk.Record(seconds, new KeyValuePair<string, object?>(N.Outcome, outcome));

    /// <summary>Records an HTTP request.</summary>
    /// <param name="route">The route template.</param>
    /// <param name="method">The method.</param>
    /// <param name="status">The status code.</param>
    /// <param name="seconds">Seconds.</param>
    public void HttpRequest(string route, string method, int status, double seconds) =>
        _http.Record(seconds, new(N.Route, route), new(N.Method, method), new(N.StatusCode, status));

    /// <summary>Counts a registry refresh.</summary>
    /// <param name="trigger">startup, published or periodic.</param>
    /// <param name="result">The result, or null when the refresh threw.</param>
    public void RegistryReload(string trigger, RegistryRefreshResult? result) =>
        _reloads.Add(1, new(N.Trigger, trigger), new(N.Outcome, result is null ? V.Failed : result.Failed.Count > 0 ? V.Partial : V.Ok));

    /// <summary>The outcome tag of a catalog drop.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The tag value.</returns>
    public static string OutcomeOf(DropOutcome outcome) => outcome switch
    {
        DropOutcome.Quarantined => V.Quarantined,
        DropOutcome.Ignored => V.Skipped,
        _ => V.Ok,
    };

    /// <summary>The outcome tag of a chunk.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The tag value.</returns>
    public static string OutcomeOf(ChunkOutcome outcome) => outcome switch
    {
        ChunkOutcome.Quarantined => V.Quarantined,
        ChunkOutcome.Superseded => V.Skipped,
        _ => V.Ok,
    };

    /// <summary>The outcome tag of a cutout.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The tag value.</returns>
    public static string OutcomeOf(CutoutOutcome outcome) => outcome switch
    {
        CutoutOutcome.Quarantined => V.Quarantined,
        CutoutOutcome.Ignored => V.Skipped,
        _ => V.Ok,
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private IEnumerable<Measurement<int>> ObserveModels()
    {
        IReadOnlyList<LoadedModel> models = _models?.Invoke() ?? [];
        foreach (LoadedModel m in models)
        {
            yield return new Measurement<int>(1, new KeyValuePair<string, object?>(N.Model, m.Name), new KeyValuePair<string, object?>(N.Version, m.Version), new KeyValuePair<string, object?>(N.Profile, m.Profile));
        }
    }
}
