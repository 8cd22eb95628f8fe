using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Packaging;

namespace Astro.Inference.Output;

/// <summary>What every output file says about where its rows come from.</summary>
/// <param name="ModelName">The model's name (written on every row).</param>
/// <param name="ModelVersion">The model's version (written on every row).</param>
/// <param name="Task">Regression or classification (decides the columns).</param>
/// <param name="Classes">The class names (classification).</param>
/// <param name="TargetName">The predicted quantity (e.g. logMstar), or null.</param>
/// <param name="TargetUnit">Its unit (e.g. dex(Msun)), or null.</param>
/// <param name="InputName">The input catalog's name, or null.</param>
public sealed record PredictionOutputInfo(string ModelName, string ModelVersion, ModelTask Task, IReadOnlyList<string> Classes, string? TargetName, string? TargetUnit, string? InputName)
{
    /// <summary>Gets the input's version (a blob ETag or a content hash), written in the <c>etag</c> column; empty when unknown.</summary>
    public string ETag { get; init; } = "";

    /// <summary>The output description for a package's predictions of one input file.</summary>
    /// <param name="package">The package.</param>
    /// <param name="inputName">The input catalog's name, or null.</param>
    /// <returns>The description.</returns>
    public static PredictionOutputInfo FromPackage(ModelPackage package, string? inputName)
    {
        ArgumentNullException.ThrowIfNull(package);
        ModelManifest m = package.Manifest;
        return new PredictionOutputInfo(m.Name, m.Version, m.Task, m.Classes, m.Target.Name, m.Target.Unit, inputName);
    }
}

/// <summary>
/// Writes prediction rows (ID, prediction, uncertainty, flags, reason, model name and version) as they come, batch by batch.
/// Call <see cref="Complete"/> after the last batch; disposing without it leaves an incomplete file.
/// </summary>
/// <remarks>CSV: the one prediction-row schema (<see cref="PredictionCsv"/>, docs/outputs.md). FITS: <c>ID, PREDICTION,
/// UNCERTAINTY</c> (or <c>CLASS, PROBABILITY, P_&lt;CLASS&gt;…</c>)<c>, FLAGS, REASON, MODEL, VERSION</c>. NaN is written as an
/// empty CSV field and as NaN in FITS. Flags are the <see cref="PredictionFlags"/> bits.</remarks>
public abstract class PredictionWriter : IDisposable
{
    /// <summary>For derived writers and mocking.</summary>
    protected PredictionWriter()
    {
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; protected set; }

    /// <summary>Creates the writer for a path: <c>.csv</c> (also <c>.txt</c>) or <c>.fits</c> / <c>.fit</c> / <c>.fts</c>.</summary>
    /// <param name="path">The output file (created or overwritten).</param>
    /// <param name="info">What the rows come from.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="ArgumentException">The extension is not a supported output format.</exception>
    public static PredictionWriter Create(string path, PredictionOutputInfo info)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(info);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".csv" or ".txt" => new PredictionCsvWriter(File.Create(path), info),
            ".fits" or ".fit" or ".fts" => new PredictionFitsWriter(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16), info),
            _ => throw new ArgumentException($"Output '{path}': unknown format '{ext}'; use .csv or .fits."),
        };
    }

    /// <summary>Writes the rows of a batch.</summary>
    /// <param name="batch">The rows.</param>
    public abstract void Write(PredictionBatch batch);

    /// <summary>Finishes the file (flushes, fixes the FITS row count and padding).</summary>
    public abstract void Complete();

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the stream.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Checks a batch against the writer's model.</summary>
    private protected static void CheckBatch(PredictionBatch batch, PredictionOutputInfo info)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Task != info.Task || (batch.Task == ModelTask.Classification && batch.Classes.Count != info.Classes.Count))
        {
            throw new ArgumentException($"The batch is {batch.Task} with {batch.Classes.Count} classes; the writer was made for {info.Task} with {info.Classes.Count}.", nameof(batch));
        }
    }
}
