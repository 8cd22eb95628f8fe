using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Functions.Hosting;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Storage;
using Microsoft.AspNetCore.Http;

namespace Astro.Functions.Http;

/// <summary>The HTTP functions. Each takes the request and returns a result; <see cref="HttpAdapter"/> handles keys, size limits and errors.</summary>
public sealed class HttpFunctions
{
    private static readonly string s_version = typeof(HttpFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    private readonly ModelRegistry _registry;
    private readonly OnDemandPredictor _predictor;
    private readonly AstroStorage _storage;
    private readonly FunctionAppSettings _settings;
    private readonly FunctionMetrics _metrics;

    /// <summary>Creates the functions.</summary>
    public HttpFunctions(ModelRegistry registry, OnDemandPredictor predictor, AstroStorage storage, FunctionAppSettings settings, FunctionMetrics metrics)
    {
        _metrics = metrics;
        _registry = registry;
        _predictor = predictor;
        _storage = storage;
        _settings = settings;
    }

    /// <summary>GET /api/health (anonymous).</summary>
    public IResult Health() => Results.Json(new JsonObject
    {
        ["status"] = _registry.LastRefreshUtc is null ? "starting" : "ok",
        ["models"] = _registry.Models.Count + _registry.ImageModels.Count,
        ["lastRegistryRefreshUtc"] = _registry.LastRefreshUtc,
        ["version"] = s_version,
    });

    /// <summary>GET /api/models: what is loaded, versions, metrics.</summary>
    public IResult Models()
    {
        var models = new JsonArray();
        foreach (LoadedModel m in _registry.Models)
        {
            var metrics = new JsonObject();
            foreach ((string k, double v) in m.Package.Manifest.Metrics)
            {
                metrics[k] = double.IsFinite(v) ? v : null;
            }

            models.Add(new JsonObject
            {
                ["name"] = m.Name,
                ["version"] = m.Version,
                ["profile"] = m.Profile,
                ["task"] = m.Package.Manifest.Task.ToString().ToLowerInvariant(),
                ["target"] = m.Package.Manifest.Target.Name,
                ["unit"] = m.Package.Manifest.Target.Unit,
                ["classes"] = new JsonArray([.. m.Package.Manifest.Classes.Select(c => (JsonNode)c)]),
                ["inputs"] = new JsonArray([.. m.Package.Manifest.Inputs.Select(i => (JsonNode)i.Name)]),
                ["columns"] = new JsonArray([.. m.Service.ServingProfile.GetRequiredNumericColumns().Select(c => (JsonNode)c)]),
                ["metrics"] = metrics,
                ["createdUtc"] = m.Package.Manifest.CreatedUtc,
                ["loadedUtc"] = m.LoadedUtc,
                ["codeVersion"] = m.Package.Manifest.CodeVersion,
            });
        }

        foreach (LoadedImageModel m in _registry.ImageModels)
        {
            ModelManifest manifest = m.Package.Manifest;
            var metrics = new JsonObject();
            foreach ((string k, double v) in manifest.Metrics)
            {
                metrics[k] = double.IsFinite(v) ? v : null;
            }

            models.Add(new JsonObject
            {
                ["name"] = m.Name,
                ["version"] = m.Version,
                ["kind"] = "image",
                ["task"] = manifest.Task.ToString().ToLowerInvariant(),
                ["target"] = manifest.Target.Name,
                ["unit"] = manifest.Target.Unit,
                ["outputs"] = new JsonArray([.. m.Package.OutputNames.Select(o => (JsonNode)o)]),
                ["imageSize"] = m.Package.Image.Size,
                ["bands"] = new JsonArray([.. m.Package.Image.Bands.Select(b => (JsonNode)b)]),
                ["metrics"] = metrics,
                ["createdUtc"] = manifest.CreatedUtc,
                ["loadedUtc"] = m.LoadedUtc,
                ["codeVersion"] = manifest.CodeVersion,
            });
        }

        return Results.Json(new JsonObject { ["models"] = models, ["lastRegistryRefreshUtc"] = _registry.LastRefreshUtc });
    }

    /// <summary>POST /api/predict: JSON photometry, one object or a batch.</summary>
    public async Task<IResult> PredictAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? body = await ReadJsonAsync(request, cancellationToken).ConfigureAwait(false);
        _predictor.MaxObjects = _settings.MaxObjects;
        JsonObject result;
        try
        {
            result = _predictor.PredictObjects(body, Query(request, "profile"), _settings.Catalogs.DefaultProfile, Query(request, "model"));
        }
        catch (InvalidInputException)
        {
            _metrics.InputProcessed(TelemetryNames.Values.Catalog, TelemetryNames.Values.Failed, TelemetryNames.Values.Http);
            throw;
        }

        _metrics.InputProcessed(TelemetryNames.Values.Catalog, TelemetryNames.Values.Ok, TelemetryNames.Values.Http);
        RecordRows(result);
        return Results.Json(result);
    }

    /// <summary>POST /api/predict/catalog: a small CSV or FITS catalog as the body; answers the prediction CSV.</summary>
    public async Task<IResult> PredictCatalogAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body = await ReadBodyAsync(request, _settings.MaxCatalogBytes, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            throw new InvalidInputException(InputProblem.BadRequest, "Request: the body is empty; send a CSV or FITS catalog.");
        }

        bool fits = body.AsSpan().StartsWith("SIMPLE  ="u8) || (body.Length > 2 && body[0] == 0x1f && body[1] == 0x8b && (request.ContentType ?? "").Contains("fits", StringComparison.OrdinalIgnoreCase));
        string dir = Path.Combine(_settings.Catalogs.WorkDirectory, "http");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, Guid.NewGuid().ToString("N") + (fits ? ".fits" : ".csv"));
        try
        {
            await File.WriteAllBytesAsync(path, body, cancellationToken).ConfigureAwait(false);
            string profile = Query(request, "profile") ?? request.Headers["x-astro-profile"].FirstOrDefault() ?? _settings.Catalogs.DefaultProfile;
            string hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body))[..16];
            string input = "http:" + (Query(request, "name") ?? "request");
            var text = new StringWriter { NewLine = "\n" };
            try
            {
                await _predictor.PredictCatalogAsync(path, profile, input, hash, text, Query(request, "model"), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidInputException)
            {
                _metrics.InputProcessed(TelemetryNames.Values.Catalog, TelemetryNames.Values.Failed, TelemetryNames.Values.Http);
                throw;
            }

            _metrics.InputProcessed(TelemetryNames.Values.Catalog, TelemetryNames.Values.Ok, TelemetryNames.Values.Http);
            RecordRows(PredictionCsv.ReadRows(new StringReader(text.ToString()), "response"));
            return Results.Text(text.ToString(), "text/csv", Encoding.UTF8);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>POST /api/training-jobs: enqueue a training job (JSON: modelName, profile, target, trainingData, options).</summary>
    public async Task<IResult> EnqueueTrainingJobAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? body = await ReadJsonAsync(request, cancellationToken).ConfigureAwait(false);
        TrainingJobMessage? job;
        try
        {
            job = body?.Deserialize<TrainingJobMessage>(StorageJson.Compact);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(InputProblem.BadRequest, $"Request: not a training job: {e.Message.ReplaceLineEndings(" ")}");
        }

        if (job is null)
        {
            throw new InvalidInputException(InputProblem.BadRequest, "Request: the body must be a training job object (modelName, profile, trainingData, …).");
        }

        job = TrainingScheduler.Complete(job, "http");
        if (job.TrainingData.Count == 0)
        {
            var data = new List<string>();
            await foreach (BlobProperties item in _storage.TrainingData.ListAsync(job.Profile + "/", cancellationToken).ConfigureAwait(false))
            {
                data.Add(item.Name);
            }

            job = job with { TrainingData = data };
        }

        await TrainingScheduler.SendAsync(_storage, job, cancellationToken).ConfigureAwait(false);
        return Results.Json(job, StorageJson.Compact, statusCode: StatusCodes.Status202Accepted);
    }

    private async Task<JsonNode?> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body = await ReadBodyAsync(request, _settings.MaxJsonBytes, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            throw new InvalidInputException(InputProblem.BadRequest, "Request: the body is empty; send JSON.");
        }

        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(InputProblem.BadRequest, $"Request: the body is not valid JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new InvalidInputException(InputProblem.TooLarge, $"Request: the body has {request.ContentLength} bytes; at most {limit} are accepted.");
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw new InvalidInputException(InputProblem.TooLarge, $"Request: the body is larger than the {limit} bytes accepted.");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    /// <summary>Counts the predicted and flagged rows of a CSV answer per model version.</summary>
    private void RecordRows(IEnumerable<PredictionRow> rows)
    {
        const int quality = (int)(Astro.Contract.Predictions.PredictionFlags.MissingBands | Astro.Contract.Predictions.PredictionFlags.OutOfDistribution | Astro.Contract.Predictions.PredictionFlags.InvalidOutput);
        var counts = new Dictionary<(string Model, string Version), (long Predicted, long Flagged)>();
        foreach (PredictionRow r in rows)
        {
            if (r.Predicted)
            {
                (long p, long f) = counts.GetValueOrDefault((r.Model, r.Version));
                counts[(r.Model, r.Version)] = (p + 1, f + ((r.Flags & quality) != 0 ? 1 : 0));
            }
        }

        foreach (((string model, string version), (long p, long f)) in counts)
        {
            _metrics.RowsPredicted(model, version, TelemetryNames.Values.Http, p, f);
        }
    }

    /// <summary>Counts the predicted and flagged objects of a JSON answer (<c>results[].predictions[]</c>) per model version.</summary>
    private void RecordRows(JsonObject result)
    {
        var counts = new Dictionary<(string Model, string Version), (long Predicted, long Flagged)>();
        foreach (JsonNode? r in result["results"] as JsonArray ?? [])
        {
            foreach (JsonNode? p in r?["predictions"] as JsonArray ?? [])
            {
                string? model = p?["model"]?.GetValue<string>();
                string? version = p?["version"]?.GetValue<string>();
                string[] flags = [.. (p?["flags"] as JsonArray ?? []).Select(f => f?.GetValue<string>() ?? "")];
                if (model is null || version is null || flags.Contains("notPredicted"))
                {
                    continue;
                }

                bool flagged = flags.Any(f => f is "missingBands" or "outOfDistribution" or "invalidOutput");
                (long n, long k) = counts.GetValueOrDefault((model, version));
                counts[(model, version)] = (n + 1, k + (flagged ? 1 : 0));
            }
        }

        foreach (((string model, string version), (long n, long k)) in counts)
        {
            _metrics.RowsPredicted(model, version, TelemetryNames.Values.Http, n, k);
        }
    }

    private static string? Query(HttpRequest request, string name) => request.Query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0] : null;
}
