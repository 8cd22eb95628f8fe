using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Astro.Fits;
using Astro.Fits.Statistics;
using Astro.Storage.Models;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astro.Storage.Cutouts;

/// <summary>Options of <see cref="CutoutPipeline"/>.</summary>
public sealed class CutoutPipelineOptions
{
    /// <summary>Gets or sets the largest cutout read; larger ones are quarantined.</summary>
    /// <value>The default value is 256 MiB.</value>
    public long MaxBytes { get; set; } = 256L << 20;
}

/// <summary>What <see cref="CutoutPipeline.ProcessAsync"/> did.</summary>
public enum CutoutOutcome
{
    /// <summary>The summary was written.</summary>
    Written = 1,

    /// <summary>The summary of this version already existed.</summary>
    AlreadyDone,

    /// <summary>The input went to quarantine.</summary>
    Quarantined,

    /// <summary>The blob is gone.</summary>
    Ignored,
}

/// <summary>
/// The cutout path: a FITS cutout is read with Astro.Fits, validated (readable, not truncated, with a 2-D image holding
/// defined pixels) and summarised with the <c>fits stats</c> statistics into <c>cutouts/{stem}.json</c> in the predictions
/// container. Image models plug in here when they exist. Bad input is quarantined.
/// </summary>
public class CutoutPipeline
{
    private readonly AstroStorageClient _storage = null!;
    private readonly QuarantineWriter _quarantine = null!;
    private readonly CutoutPipelineOptions _options = null!;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>For mocking only.</summary>
    protected CutoutPipeline()
    {
    }

    /// <summary>Creates the pipeline.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="quarantine">The quarantine writer.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or null.</param>
    public CutoutPipeline(AstroStorageClient storage, QuarantineWriter quarantine, CutoutPipelineOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(quarantine);
        ArgumentNullException.ThrowIfNull(options);
        _storage = storage;
        _quarantine = quarantine;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The output name of a cutout: <c>cutouts/{name without .fits/.fit/.fts/.fz/.gz}.json</c>.</summary>
    /// <param name="blob">The cutout's blob name.</param>
    /// <returns>The name in the predictions container.</returns>
    public static string OutputName(string blob)
    {
        ArgumentException.ThrowIfNullOrEmpty(blob);
        string stem = blob;
        foreach (string ext in new[] { ".gz", ".fz", ".fits", ".fit", ".fts" })
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
    /// <exception cref="RequestFailedException">Storage failed (transient: the trigger retries).</exception>
    public virtual async Task<CutoutOutcome> ProcessAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var watch = Stopwatch.StartNew();
        BlobClient blob = _storage.Cutouts.GetBlobClient(blobName);
        BlobDownloadResult download;
        try
        {
            BlobProperties props = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            string etag0 = props.ETag.ToString();
            if (await OutputEtagAsync(OutputName(blobName), cancellationToken).ConfigureAwait(false) == Ascii(etag0))
            {
                return CutoutOutcome.AlreadyDone;
            }

            if (props.ContentLength > _options.MaxBytes)
            {
                string c0 = Correlation.FromMetadata(props.Metadata, _storage.Layout.CutoutsContainer, blobName, etag0);
                await _quarantine.QuarantineAsync(blob, BinaryData.Empty, Record(blobName, etag0, c0, InputProblem.TooLarge, $"Cutout '{blobName}': {props.ContentLength} bytes is more than the {_options.MaxBytes} allowed."), cancellationToken).ConfigureAwait(false);
                return CutoutOutcome.Quarantined;
            }

            download = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = props.ETag } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            _logger.LogInformation("Cutout {Blob} changed or vanished; the newer version has its own trigger", blobName);
            return CutoutOutcome.Ignored;
        }

        string etag = download.Details.ETag.ToString();
        string correlation = Correlation.FromMetadata(download.Details.Metadata, _storage.Layout.CutoutsContainer, blobName, etag);
        using IDisposable? scope = _logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlation, ["Blob"] = $"{_storage.Layout.CutoutsContainer}/{blobName}" });
        string json;
        try
        {
            json = Summarise(blobName, etag, correlation, download.Content.ToMemory());
        }
        catch (Exception e) when (e is FitsException or InvalidDataException or EndOfStreamException or NotSupportedException)
        {
            string reason = e.Message.ReplaceLineEndings(" ");
            await _quarantine.QuarantineAsync(blob, download.Content, Record(blobName, etag, correlation, InputProblem.BadFits, reason.Contains(blobName, StringComparison.Ordinal) ? reason : $"Cutout '{blobName}': {reason}"), cancellationToken).ConfigureAwait(false);
            return CutoutOutcome.Quarantined;
        }

        await _storage.Predictions.GetBlobClient(OutputName(blobName)).UploadAsync(BinaryData.FromString(json), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Metadata = new Dictionary<string, string> { ["etag"] = Ascii(etag), ["correlationid"] = Ascii(correlation) },
        }, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Cutout {Blob} summarised to {Output} in {Seconds:F3} s", blobName, OutputName(blobName), watch.Elapsed.TotalSeconds);
        return CutoutOutcome.Written;
    }

    /// <summary>Reads, validates and summarises a cutout (no storage).</summary>
    /// <param name="blobName">The cutout's name (for messages).</param>
    /// <param name="etag">Its version.</param>
    /// <param name="correlationId">The correlation id.</param>
    /// <param name="bytes">The file.</param>
    /// <returns>The summary JSON.</returns>
    /// <exception cref="FitsException">The file is not valid FITS, is truncated, or has no 2-D image with defined pixels.</exception>
    public static string Summarise(string blobName, string etag, string correlationId, ReadOnlyMemory<byte> bytes)
    {
        using FitsFile file = FitsFile.Open(bytes);
        IReadOnlyList<HduStatistics> stats = FitsStatisticsCalculator.Compute(file);
        for (int i = 0; i < file.Count; i++)
        {
            if (file[i].IsTruncated)
            {
                throw new FitsException($"Cutout '{blobName}': HDU {i} (0-based) is truncated ({file[i].DataLength} data bytes declared).");
            }
        }

        HduStatistics? image = stats.FirstOrDefault(s => s.Kind == "image" && s.Axes is { Count: >= 2 } && s.Axes.Take(2).All(a => a > 1));
        if (image is null)
        {
            throw new FitsException($"Cutout '{blobName}': no 2-D image HDU (HDUs: {string.Join(", ", stats.Select(s => s.Kind))}).");
        }

        if (image.Values is not { } v || v.Defined == 0)
        {
            throw new FitsException($"Cutout '{blobName}': image HDU {image.Index} (0-based) has no defined pixels.");
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("input", blobName);
            w.WriteString("etag", etag);
            w.WriteString("correlationId", correlationId);
            w.WriteStartObject("image");
            w.WriteNumber("hdu", image.Index);
            w.WriteStartArray("axes");
            foreach (long a in image.Axes!)
            {
                w.WriteNumberValue(a);
            }

            w.WriteEndArray();
            w.WriteNumber("pixels", v.Count);
            w.WriteNumber("undefined", v.Undefined);
            w.WriteEndObject();
            w.WritePropertyName("stats");
            FitsStatisticsJson.Write(w, stats);
            w.WriteStartArray("predictions");
            w.WriteEndArray();
            w.WriteString("note", "image models are not published yet: the cutout was read, validated and summarised");
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private QuarantineRecord Record(string blob, string etag, string correlation, InputProblem problem, string reason) => new()
    {
        SourceContainer = _storage.Layout.CutoutsContainer, Blob = blob, ETag = etag, Problem = problem, Reason = reason,
        CorrelationId = correlation, QuarantinedUtc = DateTimeOffset.UtcNow,
    };

    private async Task<string?> OutputEtagAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            BlobProperties p = await _storage.Predictions.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return p.Metadata.TryGetValue("etag", out string? e) ? e : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static string Ascii(string s) => string.Concat(s.Where(c => c is >= ' ' and <= '~'));
}
