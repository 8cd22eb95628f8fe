using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Catalogs;
using Astro.Catalogs.Fits;
using Astro.Catalogs.Models;
using Astro.Contract.Predictions;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Storage;
using Spectre.Console;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro demo --connection CONN --url URL --key KEY</c>: the client half of <c>./demo.sh</c>. Against a running function
/// host it publishes the model packages, uploads the sample catalogs and cutouts (blob trigger for most, an Event Grid
/// BlobCreated event on the blob-events queue for one), waits for the outputs, calls the HTTP functions and prints the
/// results and where they are.
/// </summary>
/// <remarks>Also compiled into Astro.Functions.Tests (the demo test runs <see cref="DemoDriver"/> against an in-process
/// host), so it uses no other trainer type except <see cref="ModelPublisher"/>.</remarks>
internal static class DemoCommands
{
    public static Command Create()
    {
        var connection = new Option<string?>("--connection") { Description = $"Azure Storage connection string (default: {ModelCommands.ConnectionVariable})." };
        var url = new Option<string>("--url") { Description = "The function host's base URL.", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var key = new Option<string?>("--key") { Description = "The function key (default: Astro__Http__FunctionKey)." };
        var models = new Option<string>("--models") { Description = "Folder of model packages to publish (one sub-folder each).", DefaultValueFactory = _ => "models" };
        var samples = new Option<string>("--samples") { Description = "Sample folder (catalogs/, cutouts/).", DefaultValueFactory = _ => "samples" };
        var output = new Option<string>("--output") { Description = "Where local copies of the outputs go.", DefaultValueFactory = _ => "demo-output" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the predictions.", DefaultValueFactory = _ => 150 };
        var startup = new Option<int>("--startup-timeout") { Description = "Seconds to wait for the host to answer /api/health.", DefaultValueFactory = _ => 120 };
        var hostPid = new Option<int?>("--host-pid") { Description = "The host's process id: stop waiting when it exits." };
        var hostLog = new Option<string?>("--host-log") { Description = "The host's log file: quoted on failure, and searched for which trigger processed each input." };
        var demo = new Command("demo", "Run the demo against a running function host (./demo.sh starts Azurite and the host first).")
        {
            connection, url, key, models, samples, output, timeout, startup, hostPid, hostLog,
        };
        demo.SetAction(parse =>
        {
            var options = new DemoOptions
            {
                Connection = parse.GetValue(connection) ?? Environment.GetEnvironmentVariable(ModelCommands.ConnectionVariable) ?? "",
                BaseUrl = new Uri(parse.GetRequiredValue(url)),
                FunctionKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("Astro__Http__FunctionKey") ?? "",
                ModelsDirectory = parse.GetRequiredValue(models),
                SamplesDirectory = parse.GetRequiredValue(samples),
                OutputDirectory = parse.GetRequiredValue(output),
                PredictionTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                StartupTimeout = TimeSpan.FromSeconds(parse.GetValue(startup)),
                HostProcessId = parse.GetValue(hostPid),
                HostLog = parse.GetValue(hostLog),
            };
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler cancel = (_, e) =>
            {
                e.Cancel = true;
                cts.Cancel();
            };
            Console.CancelKeyPress += cancel;
            try
            {
                DemoResult result = new DemoDriver(options, Console.Out).RunAsync(cts.Token).GetAwaiter().GetResult();
                if (Console.IsOutputRedirected || AnsiConsole.Profile.Width < 150)
                {
                    AnsiConsole.Profile.Width = 150;
                }

                DemoDriver.Render(result, AnsiConsole.Console);
                return 0;
            }
            catch (Exception e) when ((e is DemoException ? e.Message : ModelPublisher.Describe(e)) is string line)
            {
                Console.Error.WriteLine($"astro demo: {line}");
                return 1;
            }
            finally
            {
                Console.CancelKeyPress -= cancel;
            }
        });
        return demo;
    }
}

/// <summary>What the demo needs.</summary>
internal sealed class DemoOptions
{
    public required string Connection { get; init; }

    public required Uri BaseUrl { get; init; }

    public required string FunctionKey { get; init; }

    public string ModelsDirectory { get; init; } = "models";

    public string SamplesDirectory { get; init; } = "samples";

    public string OutputDirectory { get; init; } = "demo-output";

    public TimeSpan PredictionTimeout { get; init; } = TimeSpan.FromSeconds(150);

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public int? HostProcessId { get; init; }

    public string? HostLog { get; init; }
}

/// <summary>How an input reached the function app.</summary>
internal enum DemoPath
{
    BlobTrigger = 1,
    EventGrid,
}

/// <summary>One uploaded input and what came out.</summary>
internal sealed class DemoInput
{
    public required string LocalPath { get; init; }

    public required string Container { get; init; }

    public required string Blob { get; init; }

    public required bool IsCatalog { get; init; }

    public required DemoPath Path { get; init; }

    public string? Profile { get; init; }

    public string ETag { get; set; } = "";

    public long Bytes { get; set; }

    public double UploadToOutputSeconds { get; set; }

    public CatalogSummary? Summary { get; set; }

    public JsonNode? CutoutSummary { get; set; }

    public IReadOnlyList<PredictionRow> FirstRows { get; set; } = [];

    public IReadOnlyList<string> Outputs { get; set; } = [];

    public string PathEvidence { get; set; } = "";

    public string? Note { get; init; }

    public string OutputName => IsCatalog ? CatalogPipeline.OutputNames(Blob).Summary : CutoutPipeline.OutputName(Blob);
}

/// <summary>An HTTP call of the demo.</summary>
internal sealed record DemoHttpCall(string Method, string Path, int Status, string Summary, string SavedAs);

/// <summary>Everything the demo did.</summary>
internal sealed class DemoResult
{
    public List<PublishedModel> Models { get; } = [];

    public List<DemoInput> Inputs { get; } = [];

    public List<DemoHttpCall> Http { get; } = [];

    public List<string> Notes { get; } = [];

    public string OutputDirectory { get; set; } = "";

    public string PredictRequest { get; set; } = "";

    public JsonNode? PredictResponse { get; set; }

    public double Seconds { get; set; }
}

/// <summary>A demo failure; the message is the one line to print.</summary>
internal sealed class DemoException(string message) : Exception(message);

/// <summary>The demo's client: publish, upload, wait, call HTTP, download.</summary>
internal sealed class DemoDriver
{
    private static readonly string[] s_catalogExtensions = [".csv", ".csv.gz", ".tsv", ".txt", ".dat", ".cat", ".fits", ".fit", ".fts", ".fits.gz"];
    private static readonly string[] s_cutoutExtensions = [".fits", ".fit", ".fts", ".fz", ".fits.gz", ".jpg", ".jpeg", ".png"];
    private readonly DemoOptions _options;
    private readonly TextWriter _log;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public DemoDriver(DemoOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        _options = options;
        _log = log;
    }

    public async Task<DemoResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var result = new DemoResult { OutputDirectory = Path.GetFullPath(_options.OutputDirectory) };
        if (_options.FunctionKey.Length == 0)
        {
            throw new DemoException("no function key: pass --key or set Astro__Http__FunctionKey");
        }

        AstroStorage storage = ModelCommands.Connect(_options.Connection);
        var provider = new AzureStorageProvider(StorageConnection.Parse(_options.Connection ?? Environment.GetEnvironmentVariable(ModelCommands.ConnectionVariable) ?? "", "--connection"));
        List<string> packages = FindPackages();
        (List<string> catalogs, List<string> cutouts) = FindSamples();

        using var http = new HttpClient { BaseAddress = _options.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-functions-key", _options.FunctionKey);

        Step($"waiting for the function host at {_options.BaseUrl} (GET /api/health)");
        await WaitForHealthAsync(http, cancellationToken).ConfigureAwait(false);

        foreach (string p in packages)
        {
            PublishedModel m = await ModelPublisher.PublishAsync(storage, p, null, cancellationToken).ConfigureAwait(false);
            result.Models.Add(m);
            Step($"published {m.Name} {m.Version} ({m.Profile}) to {storage.Layout.ModelsContainer}/{m.Name}/{m.Version}/, current moved, model-published sent");
        }

        Step("waiting for the host to load them (GET /api/models)");
        await WaitForModelsAsync(http, result.Models, cancellationToken).ConfigureAwait(false);

        Directory.CreateDirectory(result.OutputDirectory);
        result.Inputs.AddRange(PlanInputs(storage, catalogs, cutouts, packages, result.Notes));
        foreach (string note in result.Notes)
        {
            Step(note);
        }

        foreach (DemoInput input in result.Inputs)
        {
            await UploadAsync(storage, provider, input, cancellationToken).ConfigureAwait(false);
        }

        await WaitForOutputsAsync(storage, result.Inputs, cancellationToken).ConfigureAwait(false);
        foreach (DemoInput input in result.Inputs)
        {
            await DownloadAsync(storage, input, result.OutputDirectory, cancellationToken).ConfigureAwait(false);
            input.PathEvidence = Evidence(input);
        }

        await CallHttpAsync(http, result, packages, cancellationToken).ConfigureAwait(false);
        result.Seconds = _clock.Elapsed.TotalSeconds;
        Step("done");
        return result;
    }

    /// <summary>Prints the result tables.</summary>
    public static void Render(DemoResult result, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(console);
        var models = new Table { Title = new TableTitle("Models published and served") };
        models.AddColumns("model", "version", "profile", "files", "bytes");
        foreach (PublishedModel m in result.Models)
        {
            models.AddRow(Esc(m.Name), Esc(m.Version), Esc(m.Profile), m.Files.ToString(CultureInfo.InvariantCulture), m.Bytes.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(models);

        var catalogs = new Table { Title = new TableTitle("Catalogs (predictions/catalogs/…)") };
        catalogs.AddColumns("catalog blob", "via", "profile", "rows in", "predicted", "flagged", "dropped", "chunks", "models", "upload→output");
        foreach (DemoInput i in result.Inputs.Where(i => i.IsCatalog && i.Summary is not null))
        {
            CatalogSummary s = i.Summary!;
            catalogs.AddRow(Esc(i.Blob), Esc(Via(i.Path)), Esc(s.Profile), N(s.RowsIn), N(s.RowsPredicted), N(s.RowsFlagged), N(s.RowsDropped) + Esc(Reasons(s.DroppedByReason)),
                s.Chunks.ToString(CultureInfo.InvariantCulture), Esc(string.Join(", ", s.Models.Select(m => m.Name))), $"{i.UploadToOutputSeconds:F1} s");
        }

        console.Write(catalogs);

        var predictions = new Table { Title = new TableTitle("A few catalog predictions (value ± 1σ)") };
        predictions.AddColumns("catalog", "row", "id", "model", "target", "prediction", "flags");
        foreach (DemoInput i in result.Inputs.Where(i => i.IsCatalog))
        {
            foreach (PredictionRow r in i.FirstRows)
            {
                string value = r.Class.Length > 0
                    ? $"{r.Class} (p = {r.Probability:F2})"
                    : r.Predicted ? $"{r.Prediction:G4} ± {r.Uncertainty:G3} {r.Unit}".TrimEnd() : $"not predicted: {r.Reason}";
                predictions.AddRow(Esc(Path.GetFileName(i.Blob)), r.Row.ToString(CultureInfo.InvariantCulture), Esc(r.Id), Esc(r.Model), Esc(r.Target), Esc(value), Esc(FlagNames(r.Flags)));
            }
        }

        console.Write(predictions);

        var cutouts = new Table { Title = new TableTitle("Cutouts (predictions/cutouts/…)") };
        cutouts.AddColumns("cutout blob", "via", "image HDU", "axes", "pixels", "undefined", "min", "max", "mean", "image-model predictions", "upload→output");
        foreach (DemoInput i in result.Inputs.Where(i => !i.IsCatalog && i.CutoutSummary is not null))
        {
            JsonNode s = i.CutoutSummary!;
            int hdu = s["image"]?["hdu"]?.GetValue<int>() ?? 0;
            JsonNode? stats = s["stats"]?["hdus"]?.AsArray().FirstOrDefault(h => h?["index"]?.GetValue<int>() == hdu);
            cutouts.AddRow(Esc(i.Blob), Esc(Via(i.Path)), hdu.ToString(CultureInfo.InvariantCulture),
                Esc(string.Join("×", s["image"]?["axes"]?.AsArray().Select(a => a!.ToJsonString()) ?? [])),
                Esc(s["image"]?["pixels"]?.ToJsonString() ?? ""), Esc(s["image"]?["undefined"]?.ToJsonString() ?? ""),
                Num(stats?["min"]), Num(stats?["max"]), Num(stats?["mean"]), Esc(ImagePredictions(s)), $"{i.UploadToOutputSeconds:F1} s");
        }

        console.Write(cutouts);

        var paths = new Table { Title = new TableTitle("Which trigger processed each input (from the host log)") };
        paths.AddColumns("input", "sent through", "host log");
        foreach (DemoInput i in result.Inputs)
        {
            paths.AddRow(Esc($"{i.Container}/{i.Blob}"), Esc(PathName(i.Path)), Esc(i.PathEvidence));
        }

        console.Write(paths);

        var httpTable = new Table { Title = new TableTitle("HTTP functions") };
        httpTable.AddColumns("request", "status", "answer", "saved as");
        foreach (DemoHttpCall c in result.Http)
        {
            httpTable.AddRow(Esc($"{c.Method} {c.Path}"), c.Status.ToString(CultureInfo.InvariantCulture), Esc(c.Summary), Esc(c.SavedAs));
        }

        console.Write(httpTable);

        var outputs = new Table { Title = new TableTitle($"Outputs: blobs in Azurite and local copies in {result.OutputDirectory}") };
        outputs.AddColumns("blob", "local copy");
        foreach (DemoInput i in result.Inputs)
        {
            foreach (string o in i.Outputs)
            {
                outputs.AddRow(Esc(o), Esc(Shown(Path.Combine(result.OutputDirectory, o))));
            }
        }

        console.Write(outputs);
        foreach (string note in result.Notes)
        {
            console.MarkupLine($"note: {Esc(note)}");
        }

        console.MarkupLine($"Demo finished in [bold]{result.Seconds:F1} s[/] (client side, after the host started).");
    }

    private static string PathName(DemoPath p) => p == DemoPath.EventGrid ? "Event Grid event → blob-events queue" : "blob trigger";

    /// <summary>A path relative to the current folder when it is inside it, else absolute.</summary>
    private static string Shown(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
    }

    private static string Via(DemoPath p) => p == DemoPath.EventGrid ? "Event Grid" : "blob trigger";

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Num(JsonNode? n) => n is null ? "" : n.GetValueKind() == JsonValueKind.Number ? n.GetValue<double>().ToString("G5", CultureInfo.InvariantCulture) : Esc(n.ToJsonString());

    private static string Esc(string s) => Markup.Escape(s);

    private static string Reasons(IReadOnlyDictionary<string, long> reasons) => reasons.Count == 0 ? "" : " (" + string.Join(", ", reasons.Select(kv => $"{kv.Key} {kv.Value}")) + ")";

    private static string FlagNames(int flags)
    {
        if (flags == 0)
        {
            return "-";
        }

        var names = Enum.GetValues<Astro.Contract.Predictions.PredictionFlags>().Where(f => (int)f != 0 && (flags & (int)f) == (int)f).Select(f => JsonNamingPolicy.CamelCase.ConvertName(f.ToString()));
        return string.Join(",", names);
    }

    private void Step(string what) => _log.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1} s] {what}");

    private List<string> FindPackages()
    {
        if (!Directory.Exists(_options.ModelsDirectory))
        {
            throw new DemoException($"{_options.ModelsDirectory}: no such folder (the default model packages; scripts/make-default-models.sh re-creates them)");
        }

        List<string> packages = [.. Directory.GetDirectories(_options.ModelsDirectory).Where(d => File.Exists(Path.Combine(d, ModelPackage.ManifestFileName))).Order(StringComparer.Ordinal)];
        if (packages.Count == 0)
        {
            throw new DemoException($"{_options.ModelsDirectory}: no model package (a folder with {ModelPackage.ManifestFileName}) inside");
        }

        return packages;
    }

    private (List<string> Catalogs, List<string> Cutouts) FindSamples()
    {
        string catalogDir = Path.Combine(_options.SamplesDirectory, "catalogs");
        string cutoutDir = Path.Combine(_options.SamplesDirectory, "cutouts");
        List<string> catalogs = Directory.Exists(catalogDir)
            ? [.. Directory.GetFiles(catalogDir).Concat(Directory.GetDirectories(catalogDir).SelectMany(Directory.GetFiles))
                .Where(f => s_catalogExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal)]
            : [];
        List<string> cutouts = Directory.Exists(cutoutDir)
            ? [.. Directory.GetFiles(cutoutDir).Where(f => s_cutoutExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal)]
            : [];
        if (catalogs.Count == 0)
        {
            throw new DemoException($"{catalogDir}: no sample catalog (CSV or FITS table)");
        }

        return (catalogs, cutouts);
    }

    /// <summary>
    /// Which inputs go which way: one through an Event Grid event (a FITS catalog if any, else the second catalog, else a
    /// cutout), the rest through the blob trigger. A catalog's profile comes from its <c>.profile</c> sidecar, else from
    /// its folder or file name (<c>samples/catalogs/sdss-dr14/…</c> → <c>sdss-dr14-star-galaxy-qso</c>); catalogs no
    /// published model reads are skipped (noted), files another catalog joins are not uploaded on their own, and a catalog
    /// whose model needs joined columns is joined locally first (the blob pipeline reads one file).
    /// </summary>
    private List<DemoInput> PlanInputs(AstroStorage storage, List<string> catalogs, List<string> cutouts, List<string> packages, List<string> notes)
    {
        // Image packages serve cutouts; the catalog plan needs the catalog packages only.
        var served = packages.Where(d => !ImagePackage.IsImagePackage(d)).Select(ModelPackage.Load).ToList();
        var planned = new List<(string Local, string Blob, string Profile, string? Note)>();
        string catalogRoot = Path.GetFullPath(Path.Combine(_options.SamplesDirectory, "catalogs"));
        foreach (string c in catalogs)
        {
            string relative = Path.GetRelativePath(catalogRoot, Path.GetFullPath(c)).Replace('\\', '/');
            string? profile = ProfileOf(c, relative, served.Select(p => p.Manifest.Profile).Distinct().ToList());
            if (profile is null)
            {
                notes.Add($"{relative}: skipped, no published model reads it (name its folder after a profile or add {Path.GetFileName(c)}{CatalogPipelineDefaults.ProfileSidecarSuffix})");
                continue;
            }

            List<ModelPackage> models = [.. served.Where(p => p.Manifest.Profile == profile)];
            if (models.Any(m => m.Profile.Joins.Any(j => string.Equals(Path.GetFileName(j.Path), Path.GetFileName(c), StringComparison.Ordinal))))
            {
                continue; // a joined table, read with its main catalog
            }

            string local = c;
            string? note = null;
            if (models.Any(m => m.Profile.Joins.Count > 0))
            {
                local = Path.Combine(Path.GetFullPath(_options.OutputDirectory), "inputs", relative);
                int rows = FlattenJoins(c, models[0], local);
                note = $"joined locally with {string.Join(" and ", models[0].Profile.Joins.Select(j => j.Path))} ({rows} rows): the blob pipeline reads one file";
                notes.Add($"{relative}: {note}; uploaded {Shown(local)}");
            }

            planned.Add((local, relative, profile, note));
        }

        string? eventGrid = planned.Select(p => p.Blob).FirstOrDefault(b => FitsCatalogSource.IsFits(Path.Combine(catalogRoot, b)))
            ?? (planned.Count > 1 ? planned[1].Blob : cutouts.Count > 0 ? Path.GetFileName(cutouts[0]) : null);
        var inputs = new List<DemoInput>();
        foreach ((string local, string blob, string profile, string? note) in planned)
        {
            inputs.Add(new DemoInput
            {
                LocalPath = local, Container = storage.Layout.CatalogsContainer, Blob = blob, IsCatalog = true,
                Path = blob == eventGrid ? DemoPath.EventGrid : DemoPath.BlobTrigger, Profile = profile, Note = note,
            });
        }

        foreach (string c in cutouts)
        {
            string blob = Path.GetFileName(c);
            inputs.Add(new DemoInput
            {
                LocalPath = c, Container = storage.Layout.CutoutsContainer, Blob = blob, IsCatalog = false,
                Path = blob == eventGrid ? DemoPath.EventGrid : DemoPath.BlobTrigger,
            });
        }

        if (!inputs.Any(i => i.IsCatalog))
        {
            throw new DemoException($"no sample catalog in {catalogRoot} is read by a published model ({string.Join(", ", served.Select(p => p.Manifest.Profile).Distinct())})");
        }

        return inputs;
    }

    /// <summary>The profile of a sample catalog: its <c>.profile</c> sidecar, else the served profile its folder (or file)
    /// name equals, starts or is the start of; null when none.</summary>
    private static string? ProfileOf(string path, string relative, List<string> profiles)
    {
        string sidecar = path + CatalogPipelineDefaults.ProfileSidecarSuffix;
        if (File.Exists(sidecar))
        {
            return File.ReadAllText(sidecar).Trim();
        }

        string name = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : Path.GetFileNameWithoutExtension(relative);
        return profiles.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase))
            ?? profiles.Where(p => p.StartsWith(name + "-", StringComparison.OrdinalIgnoreCase) || name.StartsWith(p, StringComparison.OrdinalIgnoreCase)).OrderByDescending(p => p.Length).FirstOrDefault();
    }

    /// <summary>Writes a catalog with its joined columns as one CSV (ID column, then every column the model reads).</summary>
    private static int FlattenJoins(string path, ModelPackage package, string output)
    {
        SurveyProfile profile = package.CreateServingProfile();
        IReadOnlyList<string> columns = profile.GetRequiredNumericColumns();
        var reader = new CatalogReader(profile, new CatalogReaderOptions { SourceFactory = FitsCatalogSource.TryOpen });
        (CatalogChunk rows, _) = reader.ReadAll(path);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        using var w = new StreamWriter(output, false, new UTF8Encoding(false)) { NewLine = "\n" };
        string id = profile.IdColumn ?? "id";
        w.WriteLine(string.Join(",", columns.Prepend(id)));
        for (int r = 0; r < rows.RowCount; r++)
        {
            string rowId = rows.Ids?[r] ?? rows.LineNumbers[r].ToString(CultureInfo.InvariantCulture);
            w.Write(rowId.Contains(',', StringComparison.Ordinal) || rowId.Contains('"', StringComparison.Ordinal) ? "\"" + rowId.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : rowId);
            foreach (string c in columns)
            {
                double v = rows.GetColumn(c)[r];
                w.Write(',');
                if (!double.IsNaN(v))
                {
                    w.Write(v.ToString("R", CultureInfo.InvariantCulture));
                }
            }

            w.WriteLine();
        }

        return rows.RowCount;
    }

    private async Task WaitForHealthAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string last = "no answer";
        while (true)
        {
            CheckHost();
            try
            {
                using HttpResponseMessage r = await http.GetAsync("api/health", cancellationToken).ConfigureAwait(false);
                string text = await r.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (r.IsSuccessStatusCode && JsonNode.Parse(text)?["status"]?.GetValue<string>() == "ok")
                {
                    return;
                }

                last = $"{(int)r.StatusCode} {text}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "no answer within 60 s";
            }

            if (watch.Elapsed > _options.StartupTimeout)
            {
                throw new DemoException($"the function host did not answer GET /api/health with status ok within {_options.StartupTimeout.TotalSeconds:F0} s (last: {OneLine(last)}){HostLogHint()}");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForModelsAsync(HttpClient http, List<PublishedModel> published, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            CheckHost();
            JsonNode? models = await GetJsonAsync(http, "api/models", cancellationToken).ConfigureAwait(false);
            var served = (models?["models"]?.AsArray() ?? []).Select(m => $"{m?["name"]} {m?["version"]}").ToHashSet(StringComparer.Ordinal);
            List<string> missing = [.. published.Select(p => $"{p.Name} {p.Version}").Where(p => !served.Contains(p))];
            if (missing.Count == 0)
            {
                Step($"the host serves {string.Join(", ", published.Select(p => $"{p.Name} {p.Version}"))}");
                return;
            }

            if (watch.Elapsed > _options.StartupTimeout)
            {
                throw new DemoException($"the host did not load {string.Join(", ", missing)} within {_options.StartupTimeout.TotalSeconds:F0} s of publishing (GET /api/models serves: {(served.Count == 0 ? "nothing" : string.Join(", ", served))}){HostLogHint()}");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task UploadAsync(AstroStorage storage, AzureStorageProvider provider, DemoInput input, CancellationToken cancellationToken)
    {
        IBlobContainer container = storage.Container(input.Container) ?? throw new DemoException($"{input.Container} is not a container of the app");
        var metadata = new Dictionary<string, string>();
        if (input.Profile is not null)
        {
            metadata[CatalogPipelineDefaults.ProfileMetadataKey] = input.Profile;
        }

        string contentType = input.Blob.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : input.Blob.Contains(".fit", StringComparison.OrdinalIgnoreCase) ? "application/fits" : "application/octet-stream";
        BlobProperties stored;
        await using (FileStream file = File.OpenRead(input.LocalPath))
        {
            stored = await container.UploadAsync(input.Blob, file, new BlobWriteOptions { Metadata = metadata, ContentType = contentType }, cancellationToken).ConfigureAwait(false);
        }

        input.ETag = stored.ETag;
        input.Bytes = stored.Length;
        if (input.Path == DemoPath.EventGrid)
        {
            string message = BlobEventParser.CreateBlobCreatedEvent(provider.Connection.AccountName, input.Container, input.Blob, provider.BlobUri(input.Container, input.Blob).AbsoluteUri, input.ETag, input.Bytes);
            await storage.BlobEvents.SendAsync(message, cancellationToken: cancellationToken).ConfigureAwait(false);
            Step($"uploaded {input.Container}/{input.Blob} ({input.Bytes:N0} bytes{(input.Profile is null ? "" : $", profile {input.Profile}")}) and sent its BlobCreated event to the {storage.Layout.BlobEventsQueue} queue");
        }
        else
        {
            Step($"uploaded {input.Container}/{input.Blob} ({input.Bytes:N0} bytes{(input.Profile is null ? "" : $", profile {input.Profile}")}) for the blob trigger");
        }
    }

    private async Task WaitForOutputsAsync(AstroStorage storage, List<DemoInput> inputs, CancellationToken cancellationToken)
    {
        Step($"waiting for {inputs.Count} output(s) in {storage.Layout.PredictionsContainer}/ (timeout {_options.PredictionTimeout.TotalSeconds:F0} s)");
        var watch = Stopwatch.StartNew();
        var pending = new List<DemoInput>(inputs);
        while (pending.Count > 0)
        {
            foreach (DemoInput input in pending.ToList())
            {
                string? etag = (await storage.Predictions.GetPropertiesAsync(input.OutputName, cancellationToken).ConfigureAwait(false))?.MetadataValue("etag");
                if (etag == Ascii(input.ETag))
                {
                    input.UploadToOutputSeconds = watch.Elapsed.TotalSeconds;
                    pending.Remove(input);
                    Step($"{input.Container}/{input.Blob} → {storage.Layout.PredictionsContainer}/{input.OutputName}");
                    continue;
                }

                string reason = QuarantineWriter.QuarantineName(input.Container, input.Blob) + QuarantineWriter.ReasonSuffix;
                if (await storage.Quarantine.DownloadAsync(reason, 1 << 20, cancellationToken).ConfigureAwait(false) is BlobContent q)
                {
                    string why = JsonNode.Parse(q.ToString())?["reason"]?.GetValue<string>() ?? q.ToString();
                    throw new DemoException($"{input.Container}/{input.Blob} was quarantined: {OneLine(why)}");
                }
            }

            if (pending.Count == 0)
            {
                break;
            }

            CheckHost();
            if (watch.Elapsed > _options.PredictionTimeout)
            {
                throw new DemoException($"timed out after {_options.PredictionTimeout.TotalSeconds:F0} s waiting for {string.Join(", ", pending.Select(p => $"{storage.Layout.PredictionsContainer}/{p.OutputName}"))} (raise --timeout on a slow machine){HostLogHint()}");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>"model version: output = value ± std (second stage value)" for each image model that predicted the cutout.</summary>
    private static string ImagePredictions(JsonNode summary)
    {
        var parts = new List<string>();
        foreach (JsonNode? p in summary["predictions"]?.AsArray() ?? [])
        {
            string outputs = string.Join(", ", (p?["outputs"]?.AsArray() ?? []).Select(o => string.Create(CultureInfo.InvariantCulture,
                $"{o?["name"]} = {o?["value"]?.GetValue<double>():G4} ± {o?["std"]?.GetValue<double>():G2}")));
            string stage = p?["secondStage"] is JsonNode st ? string.Create(CultureInfo.InvariantCulture, $" (2nd stage {st["value"]?.GetValue<double>():G4})") : "";
            parts.Add($"{p?["model"]}: {outputs}{stage}");
        }

        return parts.Count == 0 ? summary["note"]?.GetValue<string>() ?? "—" : string.Join("; ", parts);
    }

    private async Task DownloadAsync(AstroStorage storage, DemoInput input, string outputDirectory, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        if (input.IsCatalog)
        {
            var o = CatalogPipeline.OutputNames(input.Blob);
            names.AddRange([o.Csv, o.Fits, o.Summary]);
        }
        else
        {
            names.Add(CutoutPipeline.OutputName(input.Blob));
        }

        string root = Path.Combine(outputDirectory, storage.Layout.PredictionsContainer);
        foreach (string name in names)
        {
            // Local copies keep the container name in their path, like the blob names in the table.
            string local = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await storage.Predictions.DownloadToFileAsync(name, local, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        input.Outputs = [.. names.Select(n => $"{storage.Layout.PredictionsContainer}/{n}")];
        if (input.IsCatalog)
        {
            var o = CatalogPipeline.OutputNames(input.Blob);
            input.Summary = JsonSerializer.Deserialize<CatalogSummary>(await File.ReadAllTextAsync(Path.Combine(root, o.Summary), cancellationToken).ConfigureAwait(false), StorageJson.Compact);
            using var reader = new StreamReader(Path.Combine(root, o.Csv));
            input.FirstRows = [.. PredictionCsv.ReadRows(reader, o.Csv).Where(r => r.Predicted).Take(3)];
        }
        else
        {
            input.CutoutSummary = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, CutoutPipeline.OutputName(input.Blob)), cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task CallHttpAsync(HttpClient http, DemoResult result, List<string> packages, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(result.OutputDirectory, "http");
        Directory.CreateDirectory(dir);
        (int status, string text) = await SendAsync(http, HttpMethod.Get, "api/health", null, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "health.json"), text, cancellationToken).ConfigureAwait(false);
        JsonNode? health = Parse(text);
        result.Http.Add(new DemoHttpCall("GET", "/api/health", status, $"status {health?["status"]}, {health?["models"]} model(s)", Rel(dir, "health.json")));
        Require(status == 200, $"GET /api/health answered {status}: {OneLine(text)}");

        (status, text) = await SendAsync(http, HttpMethod.Get, "api/models", null, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "models.json"), text, cancellationToken).ConfigureAwait(false);
        JsonNode? models = Parse(text);
        result.Http.Add(new DemoHttpCall("GET", "/api/models", status, string.Join("; ", (models?["models"]?.AsArray() ?? []).Select(m => $"{m?["name"]} {m?["version"]} → {m?["target"]}")), Rel(dir, "models.json")));
        Require(status == 200, $"GET /api/models answered {status}: {OneLine(text)}");

        JsonObject request = PredictRequest(result, packages);
        result.PredictRequest = request.ToJsonString();
        await File.WriteAllTextAsync(Path.Combine(dir, "predict-request.json"), request.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        (status, text) = await SendAsync(http, HttpMethod.Post, "api/predict", request.ToJsonString(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "predict-response.json"), text, cancellationToken).ConfigureAwait(false);
        JsonNode? answer = Parse(text);
        result.PredictResponse = answer;
        Require(status == 200, $"POST /api/predict answered {status}: {OneLine(text)}");
        var parts = new List<string>();
        foreach (JsonNode? p in answer?["results"]?[0]?["predictions"]?.AsArray() ?? [])
        {
            string flags = string.Join(",", p?["flags"]?.AsArray().Select(f => f?.GetValue<string>()) ?? []);
            parts.Add(p?["class"] is JsonNode c
                ? $"{p["model"]}: {c} (p = {Num(p["probability"])}){(flags.Length > 0 ? $" [{flags}]" : "")}"
                : $"{p?["model"]}: {p?["target"]} = {Num(p?["value"])} ± {Num(p?["uncertainty"])} {p?["unit"]}{(flags.Length > 0 ? $" [{flags}]" : "")}");
        }

        Require(parts.Count > 0, $"POST /api/predict returned no prediction: {OneLine(text)}");
        result.Http.Add(new DemoHttpCall("POST", "/api/predict", status, $"object {answer?["results"]?[0]?["id"]} ({request["profile"]}): {string.Join("; ", parts)}", Rel(dir, "predict-response.json")));
        Step("called GET /api/health, GET /api/models, POST /api/predict");

        string Rel(string d, string f) => Shown(Path.Combine(d, f));
    }

    /// <summary>One JSON object for /api/predict: the first row of a sample catalog with every column its model needs.</summary>
    private static JsonObject PredictRequest(DemoResult result, List<string> packages)
    {
        foreach (DemoInput input in result.Inputs.Where(i => i.IsCatalog && i.Profile is not null))
        {
            foreach (string dir in packages.Where(d => !ImagePackage.IsImagePackage(d)))
            {
                ModelPackage package = ModelPackage.Load(dir);
                if (package.Manifest.Profile != input.Profile)
                {
                    continue;
                }

                SurveyProfile profile = package.CreateServingProfile();
                IReadOnlyList<string> columns = profile.GetRequiredNumericColumns();
                var reader = new CatalogReader(profile, new CatalogReaderOptions { ChunkRows = 256, SourceFactory = FitsCatalogSource.TryOpen });
                using CatalogReadSession session = reader.Open(input.LocalPath);
                foreach (CatalogChunk chunk in session.ReadChunks())
                {
                    for (int r = 0; r < chunk.RowCount; r++)
                    {
                        if (columns.All(c => double.IsFinite(chunk.GetColumn(c)[r])))
                        {
                            var o = new JsonObject
                            {
                                ["id"] = chunk.Ids?[r] ?? $"{input.Blob}:{chunk.LineNumbers[r]}",
                                ["profile"] = input.Profile,
                            };
                            foreach (string c in columns)
                            {
                                o[c] = chunk.GetColumn(c)[r];
                            }

                            return o;
                        }
                    }
                }
            }
        }

        throw new DemoException("no sample catalog row has every column a model needs, so there is nothing to send to POST /api/predict");
    }

    private static async Task<(int Status, string Text)> SendAsync(HttpClient http, HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using HttpResponseMessage r = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    private static async Task<JsonNode?> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        (int status, string text) = await SendAsync(http, HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        if (status == 401)
        {
            throw new DemoException($"GET /{path} answered 401: the function key is not the host's ({OneLine(text)})");
        }

        return status == 200 ? Parse(text) : null;
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void CheckHost()
    {
        if (_options.HostProcessId is not int pid)
        {
            return;
        }

        bool exited;
        try
        {
            using var p = Process.GetProcessById(pid);
            exited = p.HasExited;
        }
        catch (ArgumentException)
        {
            exited = true;
        }

        if (exited)
        {
            throw new DemoException($"the function host (pid {pid}) exited{HostLogHint()}");
        }
    }

    /// <summary>What the host log says about an input: which functions processed it, and when.</summary>
    private string Evidence(DemoInput input)
    {
        if (_options.HostLog is null || !File.Exists(_options.HostLog))
        {
            return "(no host log)";
        }

        string[] lines = ReadShared(_options.HostLog);
        var said = new List<string>();
        string trigger = input.IsCatalog ? "CatalogDrop" : "CutoutDrop";
        string? byTrigger = lines.FirstOrDefault(l => l.Contains($"Executing '{trigger}'", StringComparison.Ordinal) && l.Contains($"{input.Container}/{input.Blob}", StringComparison.Ordinal));
        string? byEvent = null;
        bool inEvents = false;
        foreach (string l in lines)
        {
            if (l.Contains("Executing 'BlobEvents'", StringComparison.Ordinal))
            {
                inEvents = true;
            }
            else if (l.Contains("Executed 'BlobEvents'", StringComparison.Ordinal))
            {
                inEvents = false;
            }
            else if (inEvents && l.Contains(input.Blob, StringComparison.Ordinal) && l.Contains("Astro.Services", StringComparison.Ordinal))
            {
                byEvent = l;
                break;
            }
        }

        if (byEvent is not null)
        {
            said.Add($"{Time(byEvent)} BlobEvents (queue trigger) processed it");
        }

        if (byTrigger is not null)
        {
            said.Add($"{Time(byTrigger)} {trigger} (blob trigger) {(byEvent is not null ? "saw it too and found the work done (idempotent)" : "processed it")}");
        }

        return said.Count == 0 ? "no function execution naming it found" : string.Join("; ", said);

        static string Time(string line) => line.Length > 12 ? line[..12] : "";
    }

    private string HostLogHint()
    {
        if (_options.HostLog is null || !File.Exists(_options.HostLog))
        {
            return "";
        }

        string? last = ReadShared(_options.HostLog).LastOrDefault(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("invalid", StringComparison.OrdinalIgnoreCase));
        return last is null ? $"; host log: {_options.HostLog}" : $"; host log {_options.HostLog} says: {OneLine(last).Trim()}";
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new DemoException(message);
        }
    }

    private static string OneLine(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length > 300 ? s[..300] + "…" : s;
    }

    private static string Ascii(string s) => string.Concat(s.Where(c => c is >= ' ' and <= '~'));
}
