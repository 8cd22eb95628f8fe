namespace Astro.Services.Telemetry;

/// <summary>
/// The names of the meters, instruments, tags and tag values the function app and the trainer worker report (issue 6,
/// Operations). docs/runbook.md "Monitoring" lists them with units and queries; the names follow the OpenTelemetry
/// conventions (dotted, lower case, unit in <see cref="System.Diagnostics.Metrics.Instrument.Unit"/>, UCUM units).
/// </summary>
public static class TelemetryNames
{
    /// <summary>The meter of the function app.</summary>
    public const string FunctionsMeter = "Astro.Functions";

    /// <summary>The meter of the trainer worker.</summary>
    public const string TrainingMeter = "Astro.Training";

    /// <summary>Counter <c>{input}</c>: inputs handled; tags <see cref="Kind"/>, <see cref="Outcome"/>, <see cref="Path"/>.</summary>
    public const string InputsProcessed = "astro.inputs.processed";

    /// <summary>Counter <c>{row}</c>: rows a model predicted; tags <see cref="Model"/>, <see cref="Version"/>, <see cref="Path"/>.</summary>
    public const string RowsPredicted = "astro.rows.predicted";

    /// <summary>Counter <c>{row}</c>: predicted rows carrying a quality flag (missing bands, out of distribution, invalid output); tags as <see cref="RowsPredicted"/>.</summary>
    public const string RowsFlagged = "astro.rows.flagged";

    /// <summary>Histogram <c>s</c>: from the input blob's last-modified time to the output's write (both storage clocks); tag <see cref="Kind"/>.</summary>
    public const string UploadToOutputDuration = "astro.upload_to_output.duration";

    /// <summary>Histogram <c>s</c>: one chunk message, read → predict → part written (→ merge); tag <see cref="Outcome"/>.</summary>
    public const string ChunkDuration = "astro.chunk.duration";

    /// <summary>Histogram <c>s</c>: HTTP request duration; tags <see cref="Route"/>, <see cref="Method"/>, <see cref="StatusCode"/>.</summary>
    public const string HttpRequestDuration = "astro.http.request.duration";

    /// <summary>Observable gauge <c>{model}</c>: 1 for every model version in service; tags <see cref="Model"/>, <see cref="Version"/>, <see cref="Profile"/>.</summary>
    public const string ModelsLoaded = "astro.models.loaded";

    /// <summary>Counter <c>{reload}</c>: registry refreshes; tags <see cref="Trigger"/>, <see cref="Outcome"/>.</summary>
    public const string RegistryReloads = "astro.registry.reloads";

    /// <summary>Counter <c>{job}</c>: training jobs handled; tags <see cref="Decision"/>, <see cref="Model"/>.</summary>
    public const string TrainingJobs = "astro.training.jobs";

    /// <summary>Histogram <c>s</c>: the training part of a job; tags <see cref="Decision"/>, <see cref="Model"/>.</summary>
    public const string TrainingDuration = "astro.training.duration";

    /// <summary>Tag: <c>catalog</c>, <c>cutout</c>, <c>chunk</c> (or <c>event</c> for a blob-events message that cannot be parsed).</summary>
    public const string Kind = "kind";

    /// <summary>Tag: <c>ok</c>, <c>skipped</c> (blob gone, replaced version, sidecar), <c>quarantined</c>, <c>poisoned</c>, <c>failed</c> (will be retried).</summary>
    public const string Outcome = "outcome";

    /// <summary>Tag: <c>blob</c> (blob trigger), <c>eventgrid</c> (blob-events queue), <c>queue</c> (catalog-chunks), <c>http</c>.</summary>
    public const string Path = "path";

    /// <summary>Tag: the model's name.</summary>
    public const string Model = "model";

    /// <summary>Tag: the model's version.</summary>
    public const string Version = "version";

    /// <summary>Tag: the model's survey profile.</summary>
    public const string Profile = "profile";

    /// <summary>Tag: the HTTP route template (<c>/api/predict</c>; <c>unmatched</c> when no route matched).</summary>
    public const string Route = "http.route";

    /// <summary>Tag: the HTTP method.</summary>
    public const string Method = "http.request.method";

    /// <summary>Tag: the HTTP status code.</summary>
    public const string StatusCode = "http.response.status_code";

    /// <summary>Tag: what caused a registry refresh: <c>startup</c>, <c>published</c>, <c>periodic</c>.</summary>
    public const string Trigger = "trigger";

    /// <summary>Tag: the training decision: <c>published</c>, <c>rejected</c>, <c>failed</c> (<c>poisoned</c>, <c>abandoned</c> as well).</summary>
    public const string Decision = "decision";

    /// <summary>Tag values.</summary>
    public static class Values
    {
        /// <summary>Kind catalog.</summary>
        public const string Catalog = "catalog";

        /// <summary>Kind cutout.</summary>
        public const string Cutout = "cutout";

        /// <summary>Kind chunk.</summary>
        public const string Chunk = "chunk";

        /// <summary>Kind event (an unparseable blob-events message).</summary>
        public const string Event = "event";

        /// <summary>Outcome ok.</summary>
        public const string Ok = "ok";

        /// <summary>Outcome skipped.</summary>
        public const string Skipped = "skipped";

        /// <summary>Outcome quarantined.</summary>
        public const string Quarantined = "quarantined";

        /// <summary>Outcome poisoned.</summary>
        public const string Poisoned = "poisoned";

        /// <summary>Outcome failed.</summary>
        public const string Failed = "failed";

        /// <summary>Outcome partial (a registry refresh where some model failed to load).</summary>
        public const string Partial = "partial";

        /// <summary>Path blob.</summary>
        public const string Blob = "blob";

        /// <summary>Path eventgrid.</summary>
        public const string EventGrid = "eventgrid";

        /// <summary>Path queue.</summary>
        public const string Queue = "queue";

        /// <summary>Path http.</summary>
        public const string Http = "http";
    }
}
