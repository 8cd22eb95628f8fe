using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Astro.Catalogs;
using Astro.Catalogs.Fits;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Inference.Models;
using Astro.Inference.Output;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Services.Catalogs;

/// <summary>
/// The catalog fan-out: <see cref="DropAsync"/> plans a catalog blob version and sends one <see cref="ChunkMessage"/> per
/// chunk of rows; <see cref="PredictChunkAsync"/> predicts a chunk with every model serving its profile, writes the part
/// and, when every part of the version is in, <see cref="MergeAsync"/> writes <c>catalogs/{stem}.csv</c>, <c>.fits</c>
/// and <c>.summary.json</c> in the predictions container.
/// </summary>
/// <remarks>
/// Idempotent: names depend only on the blob name, contents only on the blob version (ETag) and the models; a re-delivered
/// message finds its part written and does nothing but the completion check. Chunks of a replaced version are dropped.
/// Unusable input (bad FITS, missing profile column, unknown profile, no usable rows) is quarantined, never retried.
/// </remarks>
public class CatalogPipeline
{
    private readonly AstroStorage _storage = null!;
    private readonly ModelRegistry _registry = null!;
    private readonly QuarantineWriter _quarantine = null!;
    private readonly CatalogPipelineOptions _options = null!;
    private readonly BlobFileCache _cache = null!;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>For mocking only.</summary>
    protected CatalogPipeline()
    {
    }

    /// <summary>Creates the pipeline.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="registry">The model registry.</param>
    /// <param name="quarantine">The quarantine writer.</param>
    /// <param name="options">The options (validated).</param>
    /// <param name="logger">The logger, or null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public CatalogPipeline(AstroStorage storage, ModelRegistry registry, QuarantineWriter quarantine, CatalogPipelineOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(quarantine);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid CatalogPipelineOptions: {string.Join("; ", problems)}.", nameof(options));
        }

        _storage = storage;
        _registry = registry;
        _quarantine = quarantine;
        _options = options;
        _cache = new BlobFileCache(Path.Combine(options.WorkDirectory, "blobs"));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The output stem of a catalog blob: its name without the catalog extension (<c>a/b.csv.gz</c> → <c>a/b</c>).</summary>
    /// <param name="blob">The blob name.</param>
    /// <returns>The stem.</returns>
    public static string Stem(string blob)
    {
        ArgumentException.ThrowIfNullOrEmpty(blob);
        string ext = BlobFileCache.Extension(blob);
        string[] known = [".csv", ".tsv", ".txt", ".dat", ".cat", ".fits", ".fit", ".fts"];
        string inner = ext.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? ext[..^3] : ext;
        return (known.Contains(inner, StringComparer.OrdinalIgnoreCase) || inner.Length == 0) && ext.Length < blob.Length ? blob[..^ext.Length] : blob;
    }

    /// <summary>The predictions-container names of a catalog's outputs.</summary>
    /// <param name="blob">The catalog blob name.</param>
    /// <returns>csv, fits, summary, plan and the parts prefix.</returns>
    public static (string Csv, string Fits, string Summary, string Plan, string PartsPrefix) OutputNames(string blob)
    {
        // Derived names come from the plain form of the input name (a digest for names with dot segments or control characters).
        string s = "catalogs/" + Stem(BlobNames.PlainOrDigest(blob));
        return (s + ".csv", s + ".fits", s + ".summary.json", s + "/parts/plan.json", s + "/parts/");
    }

    /// <summary>The part name of a chunk.</summary>
    /// <param name="blob">The catalog blob name.</param>
    /// <param name="chunk">The chunk index.</param>
    /// <returns>The name.</returns>
    public static string PartName(string blob, int chunk) => $"{OutputNames(blob).PartsPrefix}{chunk:D6}.csv";

    /// <summary>Plans a catalog blob and sends its chunk messages.</summary>
    /// <param name="blobName">The blob's name in the catalogs container.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What happened.</returns>
    /// <remarks>Storage failures propagate (transient: the trigger retries).</remarks>
    public virtual async Task<DropOutcome> DropAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        if (blobName.EndsWith(CatalogPipelineDefaults.ProfileSidecarSuffix, StringComparison.Ordinal))
        {
            return DropOutcome.Ignored;
        }

        var watch = Stopwatch.StartNew();
        IBlobContainer catalogs = _storage.Catalogs;
        BlobProperties? props = await catalogs.GetPropertiesAsync(blobName, cancellationToken).ConfigureAwait(false);
        if (props is null)
        {
            _logger.LogWarning("Catalog {Blob} no longer exists; nothing to do", BlobNames.Printable(blobName));
            return DropOutcome.Ignored;
        }

        string etag = props.ETag;
        string correlation = Correlation.FromMetadata(props.Metadata, _storage.Layout.CatalogsContainer, blobName, etag);
        using IDisposable? scope = _logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlation, ["Blob"] = $"{_storage.Layout.CatalogsContainer}/{BlobNames.Printable(blobName)}" });
        var names = OutputNames(blobName);

        CatalogPlan? existing = await ReadPlanAsync(blobName, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.ETag == etag)
        {
            int resent = await SendMissingChunksAsync(existing, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Catalog {Blob} version {ETag} was already planned; {Resent} missing chunk(s) sent again", blobName, etag, resent);
            return DropOutcome.AlreadyPlanned;
        }

        (string profile, string profileSource) = await ResolveProfileAsync(blobName, props, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<LoadedModel> models = _registry.ForProfile(profile);
        QuarantineRecord Record(InputProblem problem, string reason) => new()
        {
            SourceContainer = _storage.Layout.CatalogsContainer, Blob = blobName, ETag = etag, Problem = problem, Reason = reason,
            CorrelationId = correlation, QuarantinedUtc = DateTimeOffset.UtcNow,
        };
        if (models.Count == 0)
        {
            string served = string.Join(", ", _registry.Models.Select(m => m.Profile).Distinct().Order(StringComparer.Ordinal));
            await _quarantine.QuarantineAsync(catalogs, null, Record(InputProblem.UnknownProfile, $"Catalog '{BlobNames.Printable(blobName)}': no model serves profile '{profile}' (from {profileSource}); profiles served: {(served.Length == 0 ? "none" : served)}."), cancellationToken).ConfigureAwait(false);
            return DropOutcome.Quarantined;
        }

        string path;
        try
        {
            path = await _cache.GetAsync(catalogs, blobName, etag, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobChangedException)
        {
            _logger.LogInformation("Catalog {Blob} changed or vanished while planning; the newer version has its own trigger", BlobNames.Printable(blobName));
            return DropOutcome.Ignored;
        }

        CatalogFormat format = FitsCatalogSource.IsFits(path) ? CatalogFormat.Fits : CatalogFormat.Csv;
        long rows = 0;
        long usable = 0;
        long malformed = 0;
        try
        {
            foreach (LoadedModel m in models.Skip(1))
            {
                // Opening checks that every column the model needs exists (the message names the file and the column).
                using CatalogReadSession check = Reader(m, _options.ChunkRows).Open(path);
            }

            LoadedModel first = models[0];
            using CatalogReadSession session = Reader(first, _options.ChunkRows).Open(path);
            var preprocessor = new CatalogPreprocessor(first.Service.ServingProfile, first.Service.CreateSelectionOptions());
            foreach (CatalogChunk chunk in session.ReadChunks(cancellationToken))
            {
                rows += chunk.RowCount;
                usable += preprocessor.Process(chunk).RowCount;
            }

            malformed = session.Report.MalformedRows;
        }
        catch (Exception e) when (IsInputError(e))
        {
            InputProblem problem = e is FitsException ? InputProblem.BadFits : InputProblem.BadCatalog;
            await _quarantine.QuarantineAsync(catalogs, null, Record(problem, Describe(blobName, path, e)), cancellationToken).ConfigureAwait(false);
            return DropOutcome.Quarantined;
        }

        if (rows == 0 || usable == 0)
        {
            string why = rows == 0
                ? $"Catalog '{BlobNames.Printable(blobName)}': no usable rows ({malformed} malformed, 0 well-formed) for profile '{profile}'."
                : $"Catalog '{BlobNames.Printable(blobName)}': no usable rows: all {rows} rows are dropped by model {models[0].Name}'s selection (profile '{profile}').";
            await _quarantine.QuarantineAsync(catalogs, null, Record(InputProblem.NoUsableRows, why), cancellationToken).ConfigureAwait(false);
            return DropOutcome.Quarantined;
        }

        int chunkRows = _options.ChunkRows;
        var plan = new CatalogPlan
        {
            Blob = blobName,
            ETag = etag,
            Format = format,
            Profile = profile,
            ProfileSource = profileSource,
            Rows = rows,
            MalformedRows = malformed,
            ChunkRows = chunkRows,
            ChunkCount = (int)((rows + chunkRows - 1) / chunkRows),
            Bytes = props.Length,
            CorrelationId = correlation,
            Models = [.. models.Select(m => $"{m.Name} {m.Version}")],
            UploadedUtc = props.LastModified,
            PlannedUtc = DateTimeOffset.UtcNow,
            PlanSeconds = watch.Elapsed.TotalSeconds,
        };
        await UploadJsonAsync(names.Plan, plan, null, cancellationToken).ConfigureAwait(false);
        int sent = await SendMissingChunksAsync(plan, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Catalog {Blob} ({Format}, profile {Profile} from {ProfileSource}): {Rows} rows in {Chunks} chunk(s) sent to {Queue}", BlobNames.Printable(blobName), format, profile, profileSource, rows, sent, _storage.Layout.CatalogChunksQueue);
        return DropOutcome.Planned;
    }

    /// <summary>Predicts one chunk with every model serving its profile, writes the part, and merges when all parts are in.</summary>
    /// <param name="message">The chunk.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What happened.</returns>
    /// <remarks>Storage failures propagate (transient: the trigger retries, then poisons).</remarks>
    public virtual async Task<ChunkOutcome> PredictChunkAsync(ChunkMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using IDisposable? scope = _logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = message.CorrelationId, ["Blob"] = $"{_storage.Layout.CatalogsContainer}/{BlobNames.Printable(message.Blob)}", ["Chunk"] = message.Chunk });
        var watch = Stopwatch.StartNew();
        CatalogPlan? plan = await ReadPlanAsync(message.Blob, cancellationToken).ConfigureAwait(false);
        if (plan is null || plan.ETag != message.ETag)
        {
            _logger.LogInformation("Chunk {Chunk} of {Blob} belongs to version {ETag}, which is no longer planned; dropped", message.Chunk, BlobNames.Printable(message.Blob), message.ETag);
            return ChunkOutcome.Superseded;
        }

        string part = PartName(message.Blob, message.Chunk);
        if ((await _storage.Predictions.GetPropertiesAsync(part, cancellationToken).ConfigureAwait(false))?.MetadataValue("etag") == Ascii(message.ETag))
        {
            return await TryMergeAsync(plan, cancellationToken).ConfigureAwait(false) ? ChunkOutcome.Merged : ChunkOutcome.AlreadyDone;
        }

        string path;
        try
        {
            path = await _cache.GetAsync(_storage.Catalogs, message.Blob, message.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobChangedException)
        {
            _logger.LogInformation("Catalog {Blob} version {ETag} is gone; chunk {Chunk} dropped", BlobNames.Printable(message.Blob), message.ETag, message.Chunk);
            return ChunkOutcome.Superseded;
        }

        string input = $"{_storage.Layout.CatalogsContainer}/{BlobNames.Printable(message.Blob)}";
        var text = new StringWriter(new StringBuilder(message.RowCount * 160)) { NewLine = "\n" };
        PredictionCsv.WriteHeader(text);
        var used = new List<string>();
        long rows = 0;
        try
        {
            foreach (LoadedModel model in _registry.ForProfile(message.Profile))
            {
                PredictionBatch? batch = ReadAndPredict(model, path, plan.ChunkRows, message.FirstRow, cancellationToken);
                if (batch is null)
                {
                    continue;
                }

                PredictionCsv.WriteRows(text, PredictionRows.FromBatch(batch, model.Package, input, message.ETag));
                used.Add($"{model.Name} {model.Version}");
                rows = Math.Max(rows, batch.RowCount);
            }
        }
        catch (Exception e) when (IsInputError(e))
        {
            InputProblem problem = e is FitsException ? InputProblem.BadFits : InputProblem.BadCatalog;
            await _quarantine.QuarantineAsync(_storage.Catalogs, null, new QuarantineRecord
            {
                SourceContainer = _storage.Layout.CatalogsContainer, Blob = message.Blob, ETag = message.ETag, Problem = problem,
                Reason = $"chunk {message.Chunk}: {Describe(message.Blob, path, e)}", CorrelationId = message.CorrelationId, QuarantinedUtc = DateTimeOffset.UtcNow,
            }, cancellationToken).ConfigureAwait(false);
            return ChunkOutcome.Quarantined;
        }

        var metadata = new Dictionary<string, string>
        {
            ["etag"] = Ascii(message.ETag),
            ["rows"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seconds"] = watch.Elapsed.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["models"] = Ascii(string.Join(";", used)),
        };
        using (var content = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())))
        {
            await _storage.Predictions.UploadAsync(part, content, new BlobWriteOptions { Metadata = metadata, ContentType = "text/csv" }, cancellationToken).ConfigureAwait(false);
        }

        _logger.LogInformation("Chunk {Chunk}/{ChunkCount} of {Blob}: rows {FirstRow}..{LastRow} predicted by {Models} in {Seconds:F3} s", message.Chunk + 1, message.ChunkCount, BlobNames.Printable(message.Blob), message.FirstRow, message.FirstRow + rows - 1, used.Count == 0 ? "no model" : string.Join(", ", used), watch.Elapsed.TotalSeconds);
        return await TryMergeAsync(plan, cancellationToken).ConfigureAwait(false) ? ChunkOutcome.Merged : ChunkOutcome.Written;
    }

    /// <summary>Records why a chunk failed for good (called on its last delivery, before the message goes to the poison queue).</summary>
    /// <param name="message">The chunk.</param>
    /// <param name="error">The failure.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The error record's name in the predictions container.</returns>
    public virtual async Task<string> RecordChunkFailureAsync(ChunkMessage message, Exception error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(error);
        string name = $"{OutputNames(message.Blob).PartsPrefix}{message.Chunk:D6}.error.json";
        var record = new { message.Blob, message.ETag, message.Chunk, message.CorrelationId, Error = error.GetType().Name, Reason = error.Message.ReplaceLineEndings(" "), FailedUtc = DateTimeOffset.UtcNow };
        await UploadJsonAsync(name, record, null, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Merges the parts of a planned version when all are in.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>Whether the outputs were written.</returns>
    public virtual async Task<bool> TryMergeAsync(CatalogPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var names = OutputNames(plan.Blob);
        var parts = new Dictionary<int, BlobProperties>();
        await foreach (BlobProperties item in _storage.Predictions.ListAsync(names.PartsPrefix, cancellationToken).ConfigureAwait(false))
        {
            string file = item.Name[names.PartsPrefix.Length..];
            if (file.Length == 10 && file.EndsWith(".csv", StringComparison.Ordinal) && int.TryParse(file.AsSpan(0, 6), out int index)
                && index < plan.ChunkCount && item.MetadataValue("etag") == Ascii(plan.ETag))
            {
                parts[index] = item;
            }
        }

        if (parts.Count < plan.ChunkCount)
        {
            return false;
        }

        await MergeAsync(plan, [.. Enumerable.Range(0, plan.ChunkCount).Select(i => parts[i])], cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Reads a catalog's plan, or null.</summary>
    /// <param name="blobName">The catalog blob name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The plan.</returns>
    public virtual async Task<CatalogPlan?> ReadPlanAsync(string blobName, CancellationToken cancellationToken = default)
    {
        BlobContent? r = await _storage.Predictions.DownloadAsync(OutputNames(blobName).Plan, CatalogPipelineDefaults.MaxJsonBytes, cancellationToken).ConfigureAwait(false);
        return r is null ? null : JsonSerializer.Deserialize<CatalogPlan>(r.Content.Span, StorageJson.Compact);
    }

    private async Task MergeAsync(CatalogPlan plan, IReadOnlyList<BlobProperties> parts, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var names = OutputNames(plan.Blob);
        string input = $"{_storage.Layout.CatalogsContainer}/{BlobNames.Printable(plan.Blob)}";
        var byModel = new SortedDictionary<string, List<PredictionRow>>(StringComparer.Ordinal);
        string dir = Path.Combine(_options.WorkDirectory, "merge");
        Directory.CreateDirectory(dir);
        string csvPath = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".csv");
        string fitsPath = Path.ChangeExtension(csvPath, ".fits");
        double chunkTotal = 0;
        double chunkMax = 0;
        try
        {
            await using (var csv = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" })
            {
                PredictionCsv.WriteHeader(csv);
                foreach (BlobProperties item in parts)
                {
                    if (item.MetadataValue("seconds") is string s && double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out double sec))
                    {
                        chunkTotal += sec;
                        chunkMax = Math.Max(chunkMax, sec);
                    }

                    BlobContent r = await _storage.Predictions.DownloadAsync(item.Name, long.MaxValue, cancellationToken).ConfigureAwait(false)
                        ?? throw new BlobChangedException(_storage.Predictions.Name, item.Name, $"Part {item.Name} vanished during the merge.");
                    List<PredictionRow> rows = [.. PredictionCsv.ReadRows(new StringReader(r.ToString()), item.Name)];
                    PredictionCsv.WriteRows(csv, rows);
                    foreach (PredictionRow row in rows)
                    {
                        if (!byModel.TryGetValue(row.Model, out List<PredictionRow>? list))
                        {
                            byModel[row.Model] = list = [];
                        }

                        list.Add(row);
                    }
                }
            }

            await using (FileStream fits = File.Create(fitsPath))
            {
                PredictionRowsFits.Write(fits, [.. byModel.Values], input, plan.ETag);
            }

            var stamp = new Dictionary<string, string> { ["etag"] = Ascii(plan.ETag) };
            await using (FileStream csv = File.OpenRead(csvPath))
            {
                await _storage.Predictions.UploadAsync(names.Csv, csv, new BlobWriteOptions { ContentType = "text/csv", Metadata = stamp }, cancellationToken).ConfigureAwait(false);
            }

            await using (FileStream fits = File.OpenRead(fitsPath))
            {
                await _storage.Predictions.UploadAsync(names.Fits, fits, new BlobWriteOptions { ContentType = "application/fits", Metadata = stamp }, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(csvPath);
            File.Delete(fitsPath);
        }

        CatalogSummary summary = Summarise(plan, byModel, names, chunkTotal, chunkMax, watch.Elapsed.TotalSeconds);
        await UploadJsonAsync(names.Summary, summary, new Dictionary<string, string> { ["etag"] = Ascii(plan.ETag) }, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Catalog {Blob} merged: {Rows} rows, {Predicted} predicted by at least one of {Models} model(s), {Seconds:F2} s from upload to output", BlobNames.Printable(plan.Blob), summary.RowsIn, summary.RowsPredicted, summary.Models.Count, summary.Timings.UploadToOutputSeconds);
    }

    internal static CatalogSummary Summarise(CatalogPlan plan, IReadOnlyDictionary<string, List<PredictionRow>> byModel, (string Csv, string Fits, string Summary, string Plan, string PartsPrefix) names, double chunkTotal, double chunkMax, double mergeSeconds)
    {
        long n = plan.Rows;
        var predicted = new bool[n];
        var flagged = new bool[n];
        var reason = new string?[n];
        var models = new List<ModelSummary>();
        foreach ((string name, List<PredictionRow> rows) in byModel)
        {
            long p = 0, f = 0, mb = 0, ood = 0, np = 0;
            var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (PredictionRow r in rows)
            {
                bool inRange = r.Row >= 0 && r.Row < n;
                if (r.Predicted)
                {
                    p++;
                    bool anyFlag = (r.Flags & (int)(PredictionFlags.MissingBands | PredictionFlags.OutOfDistribution | PredictionFlags.InvalidOutput)) != 0;
                    f += anyFlag ? 1 : 0;
                    mb += (r.Flags & (int)PredictionFlags.MissingBands) != 0 ? 1 : 0;
                    ood += (r.Flags & (int)PredictionFlags.OutOfDistribution) != 0 ? 1 : 0;
                    if (inRange)
                    {
                        predicted[r.Row] = true;
                        flagged[r.Row] |= anyFlag;
                    }
                }
                else
                {
                    np++;
                    string key = r.Reason.Length == 0 ? "unknown" : r.Reason;
                    dropped[key] = dropped.GetValueOrDefault(key) + 1;
                    if (inRange)
                    {
                        reason[r.Row] ??= key;
                    }
                }
            }

            models.Add(new ModelSummary
            {
                Name = name,
                Versions = [.. rows.Select(r => r.Version).Distinct().Order(StringComparer.Ordinal)],
                Target = rows.Count > 0 ? rows[0].Target : "",
                Unit = rows.Count > 0 ? rows[0].Unit : "",
                RowsPredicted = p,
                RowsFlagged = f,
                RowsMissingBands = mb,
                RowsOutOfDistribution = ood,
                RowsNotPredicted = np,
                DroppedByReason = dropped,
            });
        }

        var droppedAll = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long predictedAll = 0, flaggedAll = 0;
        for (long i = 0; i < n; i++)
        {
            if (predicted[i])
            {
                predictedAll++;
                flaggedAll += flagged[i] ? 1 : 0;
            }
            else
            {
                string key = reason[i] ?? "noModel";
                droppedAll[key] = droppedAll.GetValueOrDefault(key) + 1;
            }
        }

        DateTimeOffset merged = DateTimeOffset.UtcNow;
        return new CatalogSummary
        {
            Input = plan.Blob,
            ETag = plan.ETag,
            Format = plan.Format,
            Profile = plan.Profile,
            ProfileSource = plan.ProfileSource,
            CorrelationId = plan.CorrelationId,
            RowsIn = n,
            MalformedRows = plan.MalformedRows,
            RowsPredicted = predictedAll,
            RowsFlagged = flaggedAll,
            RowsDropped = n - predictedAll,
            DroppedByReason = droppedAll,
            Models = models,
            Chunks = plan.ChunkCount,
            ChunkRows = plan.ChunkRows,
            Outputs = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["csv"] = names.Csv, ["fits"] = names.Fits, ["summary"] = names.Summary },
            Timings = new CatalogTimings
            {
                UploadedUtc = plan.UploadedUtc,
                PlannedUtc = plan.PlannedUtc,
                MergedUtc = merged,
                PlanSeconds = plan.PlanSeconds,
                ChunkSecondsTotal = chunkTotal,
                ChunkSecondsMax = chunkMax,
                MergeSeconds = mergeSeconds,
                UploadToOutputSeconds = (merged - plan.UploadedUtc).TotalSeconds,
            },
        };
    }

    private static CatalogReader Reader(LoadedModel model, int chunkRows) =>
        new(model.Service.ServingProfile, new CatalogReaderOptions { ChunkRows = chunkRows, SourceFactory = FitsCatalogSource.TryOpen });

    private static PredictionBatch? ReadAndPredict(LoadedModel model, string path, int chunkRows, long firstRow, CancellationToken cancellationToken)
    {
        using CatalogReadSession session = Reader(model, chunkRows).Open(path);
        foreach (CatalogChunk chunk in session.ReadChunks(cancellationToken))
        {
            if (chunk.FirstRowIndex == firstRow)
            {
                return model.Service.Predict(chunk, cancellationToken);
            }

            if (chunk.FirstRowIndex > firstRow)
            {
                break;
            }
        }

        return null;
    }

    private async Task<int> SendMissingChunksAsync(CatalogPlan plan, CancellationToken cancellationToken)
    {
        var done = new HashSet<int>();
        string prefix = OutputNames(plan.Blob).PartsPrefix;
        await foreach (BlobProperties item in _storage.Predictions.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string file = item.Name[prefix.Length..];
            if (file.Length == 10 && int.TryParse(file.AsSpan(0, 6), out int i) && item.MetadataValue("etag") == Ascii(plan.ETag))
            {
                done.Add(i);
            }
        }

        if (done.Count >= plan.ChunkCount)
        {
            await TryMergeAsync(plan, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        IMessageQueue queue = _storage.CatalogChunks;
        int sent = 0;
        for (int c = 0; c < plan.ChunkCount; c++)
        {
            if (done.Contains(c))
            {
                continue;
            }

            long first = (long)c * plan.ChunkRows;
            var message = new ChunkMessage
            {
                Blob = plan.Blob,
                ETag = plan.ETag,
                Format = plan.Format,
                Profile = plan.Profile,
                Chunk = c,
                ChunkCount = plan.ChunkCount,
                FirstRow = first,
                RowCount = (int)Math.Min(plan.ChunkRows, plan.Rows - first),
                CorrelationId = plan.CorrelationId,
            };
            await queue.SendAsync(JsonSerializer.Serialize(message, StorageJson.Compact), cancellationToken: cancellationToken).ConfigureAwait(false);
            sent++;
        }

        return sent;
    }

    private async Task<(string Profile, string Source)> ResolveProfileAsync(string blobName, BlobProperties props, CancellationToken cancellationToken)
    {
        if (props.MetadataValue(CatalogPipelineDefaults.ProfileMetadataKey) is { } fromMetadata && !string.IsNullOrWhiteSpace(fromMetadata))
        {
            return (fromMetadata.Trim(), "metadata");
        }

        if (blobName.Length + CatalogPipelineDefaults.ProfileSidecarSuffix.Length <= BlobNames.MaxLength)
        {
            BlobContent? sidecar = await _storage.Catalogs.DownloadAsync(blobName + CatalogPipelineDefaults.ProfileSidecarSuffix, CatalogPipelineDefaults.MaxSidecarBytes, cancellationToken).ConfigureAwait(false);
            string name = sidecar?.ToString().Trim() ?? "";
            if (name.Length > 0)
            {
                return (name, "sidecar");
            }
        }

        return (_options.DefaultProfile, "default");
    }

    private async Task UploadJsonAsync<T>(string name, T value, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(value, StorageJson.Indented));
        await _storage.Predictions.UploadAsync(name, content, new BlobWriteOptions { ContentType = "application/json", Metadata = metadata }, cancellationToken).ConfigureAwait(false);
    }

    internal static bool IsInputError(Exception e) =>
        e is CatalogException or FitsException or InvalidDataException or DecoderFallbackException or KeyNotFoundException or FormatException or EndOfStreamException;

    internal static string Describe(string blob, string localPath, Exception e)
    {
        // The reader names the local copy; the reason names the blob. File contents quoted in the message are made printable.
        string shown = BlobNames.Printable(blob);
        string message = Printable.Line(e.Message.Replace(localPath, shown, StringComparison.Ordinal).Replace(Path.GetFileName(localPath), shown, StringComparison.Ordinal));
        return message.Contains(shown, StringComparison.Ordinal) ? message : $"Catalog '{shown}': {message}";
    }

    private static string Ascii(string s) => string.Concat(s.Where(c => c is >= ' ' and <= '~'));
}
