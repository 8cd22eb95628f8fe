using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Inference.Models;
using Astro.Inference.Output;
using Astro.Inference.Packaging;
using Astro.Services.Registry;

namespace Astro.Services.Catalogs;

/// <summary>A <see cref="PredictionWriter"/> that writes <see cref="PredictionCsv"/> lines (no header).</summary>
public sealed class PredictionRowsCsvWriter : PredictionWriter
{
    private readonly TextWriter _writer;
    private readonly ModelPackage _package;
    private readonly string _input;
    private readonly string _etag;

    /// <summary>Creates the writer.</summary>
    /// <param name="writer">The output (not disposed).</param>
    /// <param name="package">The model package.</param>
    /// <param name="input">The input's name.</param>
    /// <param name="etag">The input's version (ETag or hash).</param>
    public PredictionRowsCsvWriter(TextWriter writer, ModelPackage package, string input, string etag)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(package);
        _writer = writer;
        _package = package;
        _input = input;
        _etag = etag;
    }

    /// <inheritdoc/>
    public override void Write(PredictionBatch batch)
    {
        PredictionCsv.WriteRows(_writer, PredictionRows.FromBatch(batch, _package, _input, _etag));
        RowsWritten += batch.RowCount;
    }

    /// <inheritdoc/>
    public override void Complete() => _writer.Flush();
}

/// <summary>
/// Predictions on demand (the HTTP functions): JSON photometry objects, or a small CSV/FITS catalog, predicted with every
/// model serving the profile. No storage is involved.
/// </summary>
public class OnDemandPredictor
{
    private readonly ModelRegistry _registry = null!;

    /// <summary>For mocking only.</summary>
    protected OnDemandPredictor()
    {
    }

    /// <summary>Creates the predictor.</summary>
    /// <param name="registry">The model registry.</param>
    public OnDemandPredictor(ModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>Gets or sets the most objects one request may hold.</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxObjects { get; set; } = 10_000;

    /// <summary>
    /// Predicts JSON photometry: one object (<c>{"id": …, "COLUMN": value, …}</c>), an array of them, or
    /// <c>{"profile": …, "objects": […]}</c>. Keys are the catalog column names of the profile; null is a missing value.
    /// </summary>
    /// <param name="body">The request body.</param>
    /// <param name="profile">The profile (query), or null for the body's, else <paramref name="defaultProfile"/>.</param>
    /// <param name="defaultProfile">The default profile.</param>
    /// <param name="model">Only this model, or null for all serving the profile.</param>
    /// <returns>The response document.</returns>
    /// <exception cref="InvalidInputException">The body is malformed, too large, or no model can predict it.</exception>
    public virtual JsonObject PredictObjects(JsonNode? body, string? profile, string defaultProfile, string? model = null)
    {
        JsonArray objects;
        switch (body)
        {
            case JsonArray a:
                objects = a;
                break;
            case JsonObject o when o["objects"] is JsonArray list:
                objects = list;
                profile ??= o["profile"]?.GetValueKind() == JsonValueKind.String ? o["profile"]!.GetValue<string>() : null;
                break;
            case JsonObject o:
                profile ??= o["profile"]?.GetValueKind() == JsonValueKind.String ? o["profile"]!.GetValue<string>() : null;
                objects = [o.DeepClone()];
                break;
            default:
                throw Bad("the body must be a JSON object, an array of objects, or {\"objects\": [...]}");
        }

        if (objects.Count == 0)
        {
            throw Bad("no objects to predict");
        }

        if (objects.Count > MaxObjects)
        {
            throw new InvalidInputException(InputProblem.TooLarge, $"Request: {objects.Count} objects; at most {MaxObjects} per request (use POST /api/predict/catalog or drop a catalog into storage).");
        }

        profile ??= defaultProfile;
        int n = objects.Count;
        var numeric = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var text = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string[]? ids = null;
        for (int i = 0; i < n; i++)
        {
            if (objects[i] is not JsonObject o)
            {
                throw Bad($"object {i} is not a JSON object");
            }

            foreach ((string key, JsonNode? value) in o)
            {
                if (key == "profile")
                {
                    continue;
                }

                if (key == "id")
                {
                    ids ??= [.. Enumerable.Range(1, n).Select(x => x.ToString(CultureInfo.InvariantCulture))];
                    ids[i] = value?.GetValueKind() switch
                    {
                        JsonValueKind.String => value.GetValue<string>(),
                        JsonValueKind.Number => value.ToJsonString(),
                        _ => throw Bad($"object {i}: id must be a string or a number"),
                    };
                    continue;
                }

                double v;
                switch (value?.GetValueKind())
                {
                    case null or JsonValueKind.Null:
                        v = double.NaN;
                        break;
                    case JsonValueKind.Number:
                        v = value.GetValue<double>();
                        break;
                    case JsonValueKind.String:
                        string s = value.GetValue<string>();
                        Column(text, key, n, () => new string[n])[i] = s;
                        v = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : double.NaN;
                        break;
                    default:
                        throw Bad($"object {i}: '{key}' must be a number, a string or null");
                }

                Column(numeric, key, n, () => Nan(n))[i] = v;
            }
        }

        foreach (string[] t in text.Values)
        {
            for (int i = 0; i < n; i++)
            {
                t[i] ??= "";
            }
        }

        CatalogChunk chunk = CatalogModelFactory.CatalogChunk(n, [.. numeric.Keys], [.. numeric.Values], [.. text.Keys], [.. text.Values], ids);
        IReadOnlyList<LoadedModel> models = Select(profile, model);
        var skipped = new JsonArray();
        var batches = new List<(LoadedModel Model, PredictionBatch Batch)>();
        foreach (LoadedModel m in models)
        {
            List<string> missing = [.. m.Service.ServingProfile.GetRequiredNumericColumns().Where(c => !numeric.ContainsKey(c))];
            if (missing.Count > 0)
            {
                skipped.Add(new JsonObject { ["model"] = m.Name, ["reason"] = $"needs column(s) {string.Join(", ", missing)}" });
                continue;
            }

            batches.Add((m, m.Service.Predict(chunk)));
        }

        if (batches.Count == 0)
        {
            throw Bad($"no model of profile '{profile}' could predict the objects: {string.Join("; ", skipped.Select(s => $"{s!["model"]} {s["reason"]}"))}");
        }

        var results = new JsonArray();
        for (int r = 0; r < n; r++)
        {
            var predictions = new JsonArray();
            foreach ((LoadedModel m, PredictionBatch b) in batches)
            {
                predictions.Add(Prediction(m, b, r));
            }

            results.Add(new JsonObject { ["id"] = batches[0].Batch.Ids[r], ["predictions"] = predictions });
        }

        return new JsonObject
        {
            ["profile"] = profile,
            ["count"] = n,
            ["models"] = new JsonArray([.. batches.Select(b => (JsonNode)new JsonObject { ["name"] = b.Model.Name, ["version"] = b.Model.Version, ["target"] = b.Model.Package.Manifest.Target.Name, ["unit"] = b.Model.Package.Manifest.Target.Unit })]),
            ["results"] = results,
            ["skipped"] = skipped,
        };
    }

    /// <summary>Predicts a catalog file (CSV-like text or FITS table) into <see cref="PredictionCsv"/> lines.</summary>
    /// <param name="path">The local file.</param>
    /// <param name="profile">The profile.</param>
    /// <param name="input">The input's name for the output rows.</param>
    /// <param name="etag">The input's version (a hash of the body).</param>
    /// <param name="output">Where the CSV goes (header included).</param>
    /// <param name="model">Only this model, or null.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>Rows written per model.</returns>
    /// <exception cref="InvalidInputException">The file is malformed or no model can read it.</exception>
    public virtual async Task<IReadOnlyDictionary<string, long>> PredictCatalogAsync(string path, string profile, string input, string etag, TextWriter output, string? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<LoadedModel> models = Select(profile, model);
        var problems = new List<string>();
        var written = new Dictionary<string, long>(StringComparer.Ordinal);
        PredictionCsv.WriteHeader(output);
        foreach (LoadedModel m in models)
        {
            try
            {
                using var writer = new PredictionRowsCsvWriter(output, m.Package, input, etag);
                PredictionRunSummary s = await m.Service.PredictCatalogAsync(path, writer, cancellationToken).ConfigureAwait(false);
                written[m.Name] = s.RowsWritten;
            }
            catch (Exception e) when (CatalogPipeline.IsInputError(e))
            {
                problems.Add($"{m.Name}: {CatalogPipeline.Describe(input, path, e)}");
                if (e is FitsException)
                {
                    break;
                }
            }
        }

        if (written.Count == 0)
        {
            throw Bad($"the catalog cannot be predicted: {string.Join("; ", problems)}");
        }

        if (written.Values.Sum() == 0)
        {
            throw new InvalidInputException(InputProblem.NoUsableRows, $"Request: the catalog has no rows the models of profile '{profile}' can read.");
        }

        return written;
    }

    private IReadOnlyList<LoadedModel> Select(string profile, string? model)
    {
        IReadOnlyList<LoadedModel> models = _registry.ForProfile(profile);
        if (model is not null)
        {
            models = [.. models.Where(m => m.Name == model)];
        }

        if (models.Count == 0)
        {
            string served = string.Join(", ", _registry.Models.Select(m => $"{m.Name} ({m.Profile})"));
            throw new InvalidInputException(InputProblem.UnknownProfile, $"Request: no model{(model is null ? "" : $" named '{model}'")} serves profile '{profile}'; served: {(served.Length == 0 ? "none" : served)}.");
        }

        return models;
    }

    private static JsonObject Prediction(LoadedModel m, PredictionBatch b, int r)
    {
        PredictionFlags f = b.Flags[r];
        var flags = new JsonArray([.. Enum.GetValues<PredictionFlags>().Where(x => x != PredictionFlags.None && (f & x) != 0).Select(x => (JsonNode)JsonNamingPolicy.CamelCase.ConvertName(x.ToString()))]);
        var o = new JsonObject { ["model"] = m.Name, ["version"] = m.Version, ["target"] = m.Package.Manifest.Target.Name };
        if (b.Task == ModelTask.Classification)
        {
            int ci = b.ClassIndices![r];
            o["class"] = ci >= 0 ? b.Classes[ci] : null;
            o["probability"] = Number(b.Values[r]);
            var probs = new JsonObject();
            for (int c = 0; c < b.Classes.Count; c++)
            {
                probs[b.Classes[c]] = Number(b.Probabilities![(r * b.Classes.Count) + c]);
            }

            o["probabilities"] = probs;
        }
        else
        {
            o["value"] = Number(b.Values[r]);
            o["uncertainty"] = Number(b.Sigmas[r]);
            o["unit"] = m.Package.Manifest.Target.Unit;
        }

        o["flags"] = flags;
        o["reason"] = (f & PredictionFlags.NotPredicted) != 0 ? b.Reason(r) : null;
        if (b.OutOfDistributionScores is { } ood && !float.IsNaN(ood[r]))
        {
            o["oodScore"] = Number(ood[r]);
        }

        return o;
    }

    private static JsonNode? Number(float v) => float.IsFinite(v) ? JsonValue.Create(double.Parse(v.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)) : null;

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    private static T Column<T>(Dictionary<string, T> d, string key, int n, Func<T> create)
    {
        if (!d.TryGetValue(key, out T? c))
        {
            d[key] = c = create();
        }

        return c;
    }

    private static InvalidInputException Bad(string message) => new(InputProblem.BadRequest, $"Request: {message}.");
}
