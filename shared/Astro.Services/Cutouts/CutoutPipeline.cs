using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Astro.Contract.Predictions;
using Astro.Fits;
using Astro.Fits.Statistics;
using Astro.Imaging.ModelInput;
using Astro.Imaging.Models;
using Astro.Inference.Images;
using Astro.Inference.Images.Models;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Services.Cutouts;

/// <summary>Options of <see cref="CutoutPipeline"/>.</summary>
public sealed class CutoutPipelineOptions
{
    /// <summary>Gets or sets the largest cutout read; larger ones are quarantined.</summary>
    /// <value>The default value is 256 MiB.</value>
    public long MaxBytes { get; set; } = 256L << 20;

    /// <summary>
    /// Gets or sets whether a cutout must show a central galaxy before image models that do not remove stars themselves
    /// (for example "rgb8" models) predict it: star detection runs once on the sum of the bands and, when it finds no
    /// central galaxy, the cutout is quarantined (<see cref="InputProblem.NoGalaxy"/>). Models that remove stars always
    /// check (see <see cref="ImagePredictionServiceOptions.RequireGalaxy"/>).
    /// </summary>
    /// <value>The default value is true.</value>
    public bool RequireGalaxy { get; set; } = true;
}

/// <summary>What <see cref="CutoutPipeline.ProcessAsync"/> did.</summary>
public enum CutoutOutcome
{
    /// <summary>The summary (and predictions) was written.</summary>
    Written = 1,

    /// <summary>The output of this version, with the same models, already existed.</summary>
    AlreadyDone,

    /// <summary>The input went to quarantine.</summary>
    Quarantined,

    /// <summary>The blob is gone.</summary>
    Ignored,
}

/// <summary>
/// The cutout path: a FITS, JPEG or PNG cutout is read and validated; FITS cutouts are summarised with the <c>fits stats</c>
/// statistics; every image model of the registry whose input fits the cutout (band count and format) preprocesses and
/// predicts it. The result goes to <c>cutouts/{stem}.json</c> in the predictions container: predictions with uncertainties,
/// flags, model name and version, input blob name and ETag. Unusable cutouts (unreadable, not 2-D or too small, all NaN,
/// no central galaxy) are quarantined with the reason.
/// </summary>
public class CutoutPipeline
{
    /// <summary>Blob metadata key of an optional redshift (luminosity features and second stages use it).</summary>
    public const string RedshiftMetadataKey = "redshift";

    private static readonly string[] s_fitsExtensions = [".gz", ".fz", ".fits", ".fit", ".fts"];
    private static readonly string[] s_imageExtensions = [".jpg", ".jpeg", ".png"];

    private readonly AstroStorage _storage = null!;
    private readonly ModelRegistry? _registry;
    private readonly QuarantineWriter _quarantine = null!;
    private readonly CutoutPipelineOptions _options = null!;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>For mocking only.</summary>
    protected CutoutPipeline()
    {
    }

    /// <summary>Creates the pipeline without image models: cutouts are read, validated and summarised only.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="quarantine">The quarantine writer.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or null.</param>
    public CutoutPipeline(AstroStorage storage, QuarantineWriter quarantine, CutoutPipelineOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(quarantine);
        ArgumentNullException.ThrowIfNull(options);
        _storage = storage;
        _quarantine = quarantine;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates the pipeline with the registry's image models.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="registry">The model registry (its <see cref="ModelRegistry.ImageModels"/> predict).</param>
    /// <param name="quarantine">The quarantine writer.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or null.</param>
    public CutoutPipeline(AstroStorage storage, ModelRegistry registry, QuarantineWriter quarantine, CutoutPipelineOptions options, ILogger? logger = null)
        : this(storage, quarantine, options, logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>The output name of a cutout: <c>cutouts/{name without .fits/.fit/.fts/.fz/.gz/.jpg/.jpeg/.png}.json</c>.</summary>
    /// <param name="blob">The cutout's blob name.</param>
    /// <returns>The name in the predictions container.</returns>
    public static string OutputName(string blob)
    {
        ArgumentException.ThrowIfNullOrEmpty(blob);

        // Derived from the plain form of the name (a digest for names with dot segments or control characters).
        string stem = BlobNames.PlainOrDigest(blob);
        foreach (string ext in s_fitsExtensions.Concat(s_imageExtensions))
        {
            if (stem.Length > ext.Length && stem.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                stem = stem[..^ext.Length];
            }
        }

        return $"cutouts/{stem}.json";
    }

    /// <summary>Processes a cutout blob.</summary>
    /// <param name="blobName">The blob's name in the cutouts container.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What happened.</returns>
    /// <remarks>Storage failures propagate (transient: the trigger retries).</remarks>
    public virtual async Task<CutoutOutcome> ProcessAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var watch = Stopwatch.StartNew();
        IBlobContainer cutouts = _storage.Cutouts;
        string shown = BlobNames.Printable(blobName);
        IReadOnlyList<LoadedImageModel> models = _registry?.ImageModels ?? [];
        string modelKey = Ascii(string.Join(",", models.Select(m => $"{m.Name}@{m.Version}")));
        BlobContent? download;
        try
        {
            BlobProperties? props = await cutouts.GetPropertiesAsync(blobName, cancellationToken).ConfigureAwait(false);
            if (props is null)
            {
                _logger.LogInformation("Cutout {Blob} vanished; nothing to do", shown);
                return CutoutOutcome.Ignored;
            }

            if (await OutputKeyAsync(OutputName(blobName), cancellationToken).ConfigureAwait(false) == (Ascii(props.ETag), modelKey))
            {
                return CutoutOutcome.AlreadyDone;
            }

            download = await cutouts.DownloadAsync(blobName, _options.MaxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException e)
        {
            BlobProperties? props = await cutouts.GetPropertiesAsync(blobName, cancellationToken).ConfigureAwait(false);
            string etag0 = props?.ETag ?? "";
            string c0 = props is null ? Correlation.ForBlob(_storage.Layout.CutoutsContainer, blobName, etag0) : Correlation.FromMetadata(props.Metadata, _storage.Layout.CutoutsContainer, blobName, etag0);
            await _quarantine.QuarantineAsync(cutouts, ReadOnlyMemory<byte>.Empty, Record(blobName, etag0, c0, InputProblem.TooLarge, $"Cutout '{shown}': {e.Length} bytes is more than the {_options.MaxBytes} allowed."), cancellationToken).ConfigureAwait(false);
            return CutoutOutcome.Quarantined;
        }

        if (download is null)
        {
            _logger.LogInformation("Cutout {Blob} changed or vanished; the newer version has its own trigger", shown);
            return CutoutOutcome.Ignored;
        }

        string etag = download.Properties.ETag;
        string correlation = Correlation.FromMetadata(download.Properties.Metadata, _storage.Layout.CutoutsContainer, blobName, etag);
        using IDisposable? scope = _logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlation, ["Blob"] = $"{_storage.Layout.CutoutsContainer}/{shown}" });
        double redshift = Redshift(download.Properties.Metadata, blobName);
        CutoutResult result;
        try
        {
            result = Evaluate(blobName, etag, correlation, download.Content, models, redshift, _options.RequireGalaxy, cancellationToken);
        }
        catch (InvalidInputException e)
        {
            string reason = Printable.Line(e.Message);
            await _quarantine.QuarantineAsync(cutouts, download.Content, Record(blobName, etag, correlation, e.Problem, reason.Contains(shown, StringComparison.Ordinal) ? reason : $"Cutout '{shown}': {reason}"), cancellationToken).ConfigureAwait(false);
            return CutoutOutcome.Quarantined;
        }

        using (var json = new MemoryStream(Encoding.UTF8.GetBytes(result.Json)))
        {
            await _storage.Predictions.UploadAsync(OutputName(blobName), json, new BlobWriteOptions
            {
                ContentType = "application/json",
                Metadata = new Dictionary<string, string> { ["etag"] = Ascii(etag), ["correlationid"] = Ascii(correlation), ["models"] = modelKey },
            }, cancellationToken).ConfigureAwait(false);
        }

        _logger.LogInformation("Cutout {Blob} written to {Output}: {Predicted} image model prediction(s), {Skipped} model(s) not applicable, {Seconds:F3} s", shown, OutputName(blobName), result.Predictions, result.Skipped, watch.Elapsed.TotalSeconds);
        return CutoutOutcome.Written;
    }

    /// <summary>Reads, validates and summarises a FITS cutout (no storage, no models).</summary>
    /// <param name="blobName">The cutout's name (for messages).</param>
    /// <param name="etag">Its version.</param>
    /// <param name="correlationId">The correlation id.</param>
    /// <param name="bytes">The file.</param>
    /// <returns>The summary JSON.</returns>
    /// <exception cref="FitsException">The file is not valid FITS, is truncated, or has no 2-D image with defined pixels.</exception>
    public static string Summarise(string blobName, string etag, string correlationId, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return Evaluate(blobName, etag, correlationId, bytes, [], double.NaN, requireGalaxy: false, CancellationToken.None, forceFits: true).Json;
        }
        catch (InvalidInputException e)
        {
            throw e.InnerException as FitsException ?? new FitsException(e.Message, innerException: e);
        }
    }

    /// <summary>
    /// Reads, validates, summarises and predicts a cutout (no storage): the JSON written to the predictions container.
    /// </summary>
    /// <param name="blobName">The cutout's name.</param>
    /// <param name="etag">Its version.</param>
    /// <param name="correlationId">The correlation id.</param>
    /// <param name="bytes">The file.</param>
    /// <param name="models">The image models to try.</param>
    /// <param name="redshift">The redshift, or NaN.</param>
    /// <param name="requireGalaxy">See <see cref="CutoutPipelineOptions.RequireGalaxy"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="forceFits">Treat the bytes as FITS whatever they hold.</param>
    /// <returns>The JSON and counts.</returns>
    /// <exception cref="InvalidInputException">The cutout cannot be used; <see cref="InvalidInputException.Problem"/> says why.</exception>
    internal static CutoutResult Evaluate(string blobName, string etag, string correlationId, ReadOnlyMemory<byte> bytes, IReadOnlyList<LoadedImageModel> models,
        double redshift, bool requireGalaxy, CancellationToken cancellationToken, bool forceFits = false)
    {
        ReadOnlySpan<byte> head = bytes.Span[..Math.Min(bytes.Length, 8)];
        bool jpeg = head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]);
        bool png = head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]);
        bool fits = forceFits || head.StartsWith("SIMPLE"u8) || (!jpeg && !png && s_fitsExtensions.Any(e => blobName.EndsWith(e, StringComparison.OrdinalIgnoreCase)));
        if (!fits && !jpeg && !png)
        {
            throw new InvalidInputException(InputProblem.BadImage, $"Cutout '{blobName}': not a FITS, JPEG or PNG image.");
        }

        (IReadOnlyList<HduStatistics> Stats, HduStatistics Image)? summary = fits ? FitsSummary(blobName, bytes) : null;
        Cutout? cutout = null;
        if (!fits || models.Count > 0)
        {
            try
            {
                cutout = ImageInputPreprocessor.Read(bytes, blobName);
            }
            catch (ImageInputException e)
            {
                throw new InvalidInputException(e.Problem == ImageInputProblem.WrongSize ? InputProblem.WrongSize : fits ? InputProblem.BadFits : InputProblem.BadImage, e.Message, e);
            }

            if (cutout.Bands.All(b => !Array.Exists(b.Pixels, double.IsFinite)))
            {
                throw new InvalidInputException(InputProblem.AllNaN, $"Cutout '{blobName}': every pixel is NaN.");
            }
        }

        var predictions = new List<ImagePredictionResult>();
        var skipped = new List<(LoadedImageModel Model, string Reason)>();
        var failures = new List<ImageInputException>();
        if (cutout is not null)
        {
            var applicable = new List<LoadedImageModel>();
            foreach (LoadedImageModel m in models)
            {
                if (m.Service.Mismatch(cutout) is string reason)
                {
                    skipped.Add((m, reason));
                }
                else
                {
                    applicable.Add(m);
                }
            }

            if (requireGalaxy && applicable.Count > 0 && applicable.All(m => !m.Package.Image.RemoveStars)
                && cutout.Width >= ImageInputPreprocessor.AbsoluteMinSize && cutout.Height >= ImageInputPreprocessor.AbsoluteMinSize)
            {
                bool found;
                try
                {
                    found = ImageInputPreprocessor.FindsGalaxy(cutout, cancellationToken);
                }
                catch (ImageInputException e)
                {
                    throw new InvalidInputException(InputProblem.UnusableCutout, e.Message, e);
                }

                if (!found)
                {
                    throw new InvalidInputException(InputProblem.NoGalaxy, $"Cutout '{blobName}': no central galaxy found (no extended source 5σ above the sky near the centre).");
                }
            }

            foreach (LoadedImageModel m in applicable)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    predictions.Add(m.Service.Predict(cutout, redshift, cancellationToken));
                }
                catch (ImageInputException e)
                {
                    failures.Add(e);
                    skipped.Add((m, e.Message.ReplaceLineEndings(" ")));
                }
            }

            if (applicable.Count > 0 && predictions.Count == 0)
            {
                ImageInputException first = failures.OrderBy(f => Rank(f.Problem)).First();
                string reasons = string.Join("; ", failures.Select(f => f.Message.ReplaceLineEndings(" ")).Distinct());
                throw new InvalidInputException(Problem(first.Problem), $"Cutout '{blobName}': no image model can use it: {reasons}", first);
            }
        }

        return new CutoutResult(Write(blobName, etag, correlationId, summary, cutout, models.Count, predictions, skipped, redshift), predictions.Count, skipped.Count);
    }

    private static (IReadOnlyList<HduStatistics> Stats, HduStatistics Image) FitsSummary(string blobName, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using FitsFile file = FitsFile.Open(bytes);
            IReadOnlyList<HduStatistics> stats = FitsStatisticsCalculator.Compute(file);
            for (int i = 0; i < file.Count; i++)
            {
                if (file[i].IsTruncated)
                {
                    throw new InvalidInputException(InputProblem.BadFits, $"Cutout '{blobName}': HDU {i} (0-based) is truncated ({file[i].DataLength} data bytes declared).");
                }
            }

            HduStatistics? image = stats.FirstOrDefault(s => s.Kind == "image" && s.Axes is { Count: >= 2 } && s.Axes.Take(2).All(a => a > 1));
            if (image is null)
            {
                throw new InvalidInputException(InputProblem.WrongSize, $"Cutout '{blobName}': no 2-D image HDU (HDUs: {string.Join(", ", stats.Select(s => s.Kind))}).");
            }

            if (image.Values is not { } v || v.Defined == 0)
            {
                throw new InvalidInputException(InputProblem.AllNaN, $"Cutout '{blobName}': image HDU {image.Index} (0-based) has no defined pixels.");
            }

            return (stats, image);
        }
        catch (Exception e) when (e is FitsException or InvalidDataException or EndOfStreamException or NotSupportedException)
        {
            string reason = e.Message.ReplaceLineEndings(" ");
            throw new InvalidInputException(InputProblem.BadFits, reason.Contains(blobName, StringComparison.Ordinal) ? reason : $"Cutout '{blobName}': {reason}", e);
        }
    }

    private static string Write(string blobName, string etag, string correlationId, (IReadOnlyList<HduStatistics> Stats, HduStatistics Image)? summary, Cutout? cutout,
        int modelCount, List<ImagePredictionResult> predictions, List<(LoadedImageModel Model, string Reason)> skipped, double redshift)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("input", blobName);
            w.WriteString("etag", etag);
            w.WriteString("correlationId", correlationId);
            w.WriteString("format", cutout?.Format.ToString().ToLowerInvariant() ?? "fits");
            w.WriteStartObject("image");
            if (summary is { } s)
            {
                w.WriteNumber("hdu", s.Image.Index);
                w.WriteStartArray("axes");
                foreach (long a in s.Image.Axes!)
                {
                    w.WriteNumberValue(a);
                }

                w.WriteEndArray();
                w.WriteNumber("pixels", s.Image.Values!.Value.Count);
                w.WriteNumber("undefined", s.Image.Values!.Value.Undefined);
            }

            if (cutout is not null)
            {
                w.WriteNumber("width", cutout.Width);
                w.WriteNumber("height", cutout.Height);
                w.WriteStartArray("bands");
                foreach (string b in cutout.BandNames)
                {
                    w.WriteStringValue(b);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            if (summary is { } st)
            {
                w.WritePropertyName("stats");
                FitsStatisticsJson.Write(w, st.Stats);
            }

            if (double.IsFinite(redshift))
            {
                w.WriteNumber("redshift", redshift);
            }

            w.WriteStartArray("predictions");
            foreach (ImagePredictionResult p in predictions)
            {
                WritePrediction(w, p, blobName, etag);
            }

            w.WriteEndArray();
            w.WriteStartArray("skipped");
            foreach ((LoadedImageModel m, string reason) in skipped)
            {
                w.WriteStartObject();
                w.WriteString("model", m.Name);
                w.WriteString("version", m.Version);
                w.WriteString("reason", reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (predictions.Count == 0)
            {
                w.WriteString("note", modelCount == 0
                    ? "no image model is published: the cutout was read, validated and summarised"
                    : "no published image model takes this cutout (see skipped): it was read, validated and summarised");
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WritePrediction(Utf8JsonWriter w, ImagePredictionResult p, string blobName, string etag)
    {
        w.WriteStartObject();
        w.WriteString("model", p.ModelName);
        w.WriteString("version", p.ModelVersion);
        w.WriteString("input", blobName);
        w.WriteString("etag", etag);
        w.WriteStartArray("outputs");
        foreach (ImageOutputValue o in p.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            Number(w, "value", o.Value);
            Number(w, "std", o.Std);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (p.SecondStage is { } s)
        {
            w.WriteStartObject("secondStage");
            w.WriteString("target", s.Target);
            Number(w, "value", s.Value);
            w.WriteEndObject();
        }

        w.WriteNumber("flagBits", (int)p.Flags);
        w.WriteStartArray("flags");
        foreach (ImagePredictionFlags f in Enum.GetValues<ImagePredictionFlags>().Where(f => f != ImagePredictionFlags.None && p.Flags.HasFlag(f)))
        {
            w.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(f.ToString()));
        }

        w.WriteEndArray();
        if (p.GalaxyFound is bool g)
        {
            w.WriteBoolean("galaxyFound", g);
        }
        else
        {
            w.WriteNull("galaxyFound");
        }

        w.WriteNumber("starsRemoved", p.StarsRemoved);
        w.WriteNumber("undefinedPixels", p.UndefinedPixels);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static int Rank(ImageInputProblem p) => p switch
    {
        ImageInputProblem.AllNaN => 0,
        ImageInputProblem.WrongSize => 1,
        ImageInputProblem.NoGalaxy => 2,
        ImageInputProblem.Unreadable => 3,
        _ => 4,
    };

    private static InputProblem Problem(ImageInputProblem p) => p switch
    {
        ImageInputProblem.AllNaN => InputProblem.AllNaN,
        ImageInputProblem.WrongSize => InputProblem.WrongSize,
        ImageInputProblem.NoGalaxy => InputProblem.NoGalaxy,
        ImageInputProblem.Unreadable => InputProblem.BadImage,
        _ => InputProblem.UnusableCutout,
    };

    private double Redshift(IReadOnlyDictionary<string, string> metadata, string blobName)
    {
        if (!metadata.TryGetValue(RedshiftMetadataKey, out string? text))
        {
            return double.NaN;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double z) && double.IsFinite(z) && z >= 0)
        {
            return z;
        }

        _logger.LogWarning("Cutout {Blob}: metadata redshift '{Redshift}' is not a finite number ≥ 0; predicting without a redshift", BlobNames.Printable(blobName), text);
        return double.NaN;
    }

    private QuarantineRecord Record(string blob, string etag, string correlation, InputProblem problem, string reason) => new()
    {
        SourceContainer = _storage.Layout.CutoutsContainer, Blob = blob, ETag = etag, Problem = problem, Reason = reason,
        CorrelationId = correlation, QuarantinedUtc = DateTimeOffset.UtcNow,
    };

    private async Task<(string? ETag, string Models)> OutputKeyAsync(string name, CancellationToken cancellationToken)
    {
        BlobProperties? p = await _storage.Predictions.GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false);
        return p is null ? (null, string.Empty) : (p.MetadataValue("etag"), p.MetadataValue("models") ?? string.Empty);
    }

    private static string Ascii(string s) => string.Concat(s.Where(c => c is >= ' ' and <= '~'));
}

/// <summary>The output of <see cref="CutoutPipeline.Evaluate"/>.</summary>
/// <param name="Json">The JSON document.</param>
/// <param name="Predictions">Image model predictions made.</param>
/// <param name="Skipped">Models that did not apply or could not use the cutout.</param>
internal sealed record CutoutResult(string Json, int Predictions, int Skipped);
