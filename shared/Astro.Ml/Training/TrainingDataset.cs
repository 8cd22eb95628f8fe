using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;

namespace Astro.Ml.Training;

/// <summary>
/// Rows ready for training: raw features (µJy or AB mag, bands then optionally <c>z</c>), band mask and one target
/// (a regression label in model space or a class index).
/// </summary>
public sealed class TrainingDataset
{
    private TrainingDataset()
    {
    }

    /// <summary>Gets the number of rows.</summary>
    public int Rows { get; private init; }

    /// <summary>Gets the feature names in column order (bands, then <c>z</c> when present).</summary>
    public IReadOnlyList<string> FeatureNames { get; private init; } = [];

    /// <summary>Gets the number of leading features that are bands (the rest is the redshift).</summary>
    public int BandCount { get; private init; }

    /// <summary>Gets the row-major raw features, <see cref="Rows"/> × <see cref="FeatureNames"/>.Count.</summary>
    public float[] Features { get; private init; } = [];

    /// <summary>Gets the row-major band mask, <see cref="Rows"/> × <see cref="BandCount"/> (1 measured, 0 missing).</summary>
    public byte[] BandMask { get; private init; } = [];

    /// <summary>Gets the regression targets in model space, or <see langword="null"/> for classification.</summary>
    public float[]? Targets { get; private init; }

    /// <summary>Gets the class index per row, or <see langword="null"/> for regression.</summary>
    public int[]? ClassIndices { get; private init; }

    /// <summary>Gets the class names (classification).</summary>
    public IReadOnlyList<string> Classes { get; private init; } = [];

    /// <summary>Gets the task.</summary>
    public ModelTask Task => ClassIndices is null ? ModelTask.Regression : ModelTask.Classification;

    /// <summary>Gets the target description.</summary>
    public TargetInfo Target { get; private init; } = new("target", null, "none");

    /// <summary>Gets the representation of the band features.</summary>
    public ModelInputRepresentation Representation { get; private init; } = ModelInputRepresentation.FluxMicroJansky;

    /// <summary>Gets the median flux error (µJy) of the measured bands of the kept rows, when known.</summary>
    public double? MedianFluxError { get; private init; }

    /// <summary>Gets the row IDs.</summary>
    public IReadOnlyList<string> Ids { get; private init; } = [];

    /// <summary>Gets a value indicating whether any row has a missing band.</summary>
    public bool HasMissingBands => Array.IndexOf(BandMask, (byte)0) >= 0;

    /// <summary>Builds a dataset from arrays (synthetic data, tests, other readers).</summary>
    /// <param name="features">Row-major raw features.</param>
    /// <param name="featureNames">Feature names; the first <paramref name="bandCount"/> are bands.</param>
    /// <param name="bandCount">The number of band features.</param>
    /// <param name="representation">µJy fluxes (asinh-transformed) or AB magnitudes (untransformed).</param>
    /// <param name="target">The target's name, unit and transform.</param>
    /// <param name="targets">Regression targets, or <see langword="null"/> with <paramref name="classIndices"/>.</param>
    /// <param name="classIndices">Class indices, or <see langword="null"/> with <paramref name="targets"/>.</param>
    /// <param name="classes">Class names (classification).</param>
    /// <param name="bandMask">Band mask, or <see langword="null"/> for all measured.</param>
    /// <param name="medianFluxError">Median flux error in µJy, if known.</param>
    /// <exception cref="ArgumentException">Sizes disagree or the target is given twice or not at all.</exception>
    public static TrainingDataset Create(
        float[] features,
        IReadOnlyList<string> featureNames,
        int bandCount,
        ModelInputRepresentation representation,
        TargetInfo target,
        float[]? targets = null,
        int[]? classIndices = null,
        IReadOnlyList<string>? classes = null,
        byte[]? bandMask = null,
        double? medianFluxError = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(target);
        int f = featureNames.Count;
        if (f == 0 || features.Length % f != 0)
        {
            throw new ArgumentException($"{features.Length} feature values do not fill rows of {f} features.", nameof(features));
        }

        int rows = features.Length / f;
        if (bandCount < 0 || bandCount > f)
        {
            throw new ArgumentOutOfRangeException(nameof(bandCount), bandCount, $"must be within 0..{f}");
        }

        if ((targets is null) == (classIndices is null))
        {
            throw new ArgumentException("Give either regression targets or class indices.");
        }

        if (targets is not null && targets.Length != rows)
        {
            throw new ArgumentException($"{targets.Length} targets for {rows} rows.", nameof(targets));
        }

        if (classIndices is not null)
        {
            if (classIndices.Length != rows)
            {
                throw new ArgumentException($"{classIndices.Length} class indices for {rows} rows.", nameof(classIndices));
            }

            if (classes is null || classes.Count < 2 || classIndices.Any(c => c < 0 || c >= classes.Count))
            {
                throw new ArgumentException("Classification needs at least two class names and every index within them.", nameof(classes));
            }
        }

        bandMask ??= Enumerable.Repeat((byte)1, rows * bandCount).ToArray();
        if (bandMask.Length != rows * bandCount)
        {
            throw new ArgumentException($"{bandMask.Length} mask entries for {rows} rows × {bandCount} bands.", nameof(bandMask));
        }

        return new TrainingDataset
        {
            Rows = rows,
            FeatureNames = [.. featureNames],
            BandCount = bandCount,
            Features = features,
            BandMask = bandMask,
            Targets = targets,
            ClassIndices = classIndices,
            Classes = classes is null ? [] : [.. classes],
            Target = target,
            Representation = representation,
            MedianFluxError = medianFluxError,
            Ids = [.. Enumerable.Range(0, rows).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        };
    }

    /// <summary>
    /// Collects preprocessed chunks into a dataset for one target: a label of the profile (rows whose label is missing are
    /// left out) or, when <paramref name="target"/> names the profile's class label (its column), the class index.
    /// </summary>
    /// <exception cref="TrainingException">The target is not in the profile, or no row is left.</exception>
    public static TrainingDataset FromChunks(IEnumerable<PreprocessedChunk> chunks, SurveyProfile profile, string target, double? medianFluxError = null)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentException.ThrowIfNullOrEmpty(target);
        int labelIndex = -1;
        for (int i = 0; i < profile.Labels.Count; i++)
        {
            if (string.Equals(profile.Labels[i].Name, target, StringComparison.OrdinalIgnoreCase))
            {
                labelIndex = i;
            }
        }

        bool classification = labelIndex < 0 && profile.ClassLabel is not null &&
            (string.Equals(profile.ClassLabel.Column, target, StringComparison.OrdinalIgnoreCase) || string.Equals(target, "class", StringComparison.OrdinalIgnoreCase));
        if (labelIndex < 0 && !classification)
        {
            string classes = profile.ClassLabel is null ? string.Empty : $", or the class label '{profile.ClassLabel.Column}'";
            throw new TrainingException($"profile '{profile.Name}' has no label '{target}' (labels: {string.Join(", ", profile.Labels.Select(l => l.Name))}{classes})");
        }

        var features = new List<float>();
        var mask = new List<byte>();
        var targets = new List<float>();
        var classIndices = new List<int>();
        var ids = new List<string>();
        IReadOnlyList<string>? names = null;
        foreach (PreprocessedChunk chunk in chunks)
        {
            names ??= chunk.FeatureNames;
            int f = chunk.FeatureNames.Count;
            int nb = profile.Bands.Count;
            int nl = chunk.LabelNames.Count;
            for (int r = 0; r < chunk.RowCount; r++)
            {
                if (classification)
                {
                    int c = chunk.ClassIndices![r];
                    if (c < 0)
                    {
                        continue;
                    }

                    classIndices.Add(c);
                }
                else
                {
                    float y = chunk.Labels[(r * nl) + labelIndex];
                    if (!float.IsFinite(y))
                    {
                        continue;
                    }

                    targets.Add(y);
                }

                features.AddRange(chunk.Features.AsSpan(r * f, f));
                mask.AddRange(chunk.BandMask.AsSpan(r * nb, nb));
                ids.Add(chunk.Ids[r]);
            }
        }

        if (ids.Count == 0 || names is null)
        {
            throw new TrainingException($"no rows with target '{target}' are left after selection");
        }

        LabelDefinition? label = labelIndex >= 0 ? profile.Labels[labelIndex] : null;
        TargetInfo info = label is null
            ? new TargetInfo(profile.ClassLabel!.Column, null, "none")
            : new TargetInfo(label.Name, label.Transform == LabelTransform.Log10 ? $"dex({label.Unit})" : label.Unit, label.Transform == LabelTransform.Log10 ? "log10" : "none");
        TrainingDataset data = Create(
            [.. features],
            names,
            profile.Bands.Count,
            profile.Model.Representation,
            info,
            classification ? null : [.. targets],
            classification ? [.. classIndices] : null,
            classification ? profile.ClassLabel!.Classes : null,
            [.. mask],
            medianFluxError);
        return new TrainingDataset
        {
            Rows = data.Rows,
            FeatureNames = data.FeatureNames,
            BandCount = data.BandCount,
            Features = data.Features,
            BandMask = data.BandMask,
            Targets = data.Targets,
            ClassIndices = data.ClassIndices,
            Classes = data.Classes,
            Target = data.Target,
            Representation = data.Representation,
            MedianFluxError = data.MedianFluxError,
            Ids = ids,
        };
    }

    /// <summary>
    /// Reads catalogs with a profile, applies the selection, and collects the rows for one target; also measures the
    /// median flux error of the kept rows' measured bands (the asinh softening).
    /// </summary>
    /// <param name="profile">The survey profile.</param>
    /// <param name="paths">Catalog files, in order.</param>
    /// <param name="selection">The selection.</param>
    /// <param name="target">A label name or the class label.</param>
    /// <param name="maxRows">Stop after this many kept rows (null for all).</param>
    /// <param name="cancellationToken">Checked once per chunk.</param>
    /// <returns>The dataset and the selection report over all files.</returns>
    /// <exception cref="CatalogException">A file or the selection does not fit the profile.</exception>
    /// <exception cref="TrainingException">The target is not in the profile, or no row is left.</exception>
    public static (TrainingDataset Data, SelectionReport Report) FromCatalogs(SurveyProfile profile, IReadOnlyList<string> paths, SelectionOptions selection, string target, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(paths);
        var reader = new CatalogReader(profile);
        var preprocessor = new CatalogPreprocessor(profile, selection);
        var chunks = new List<PreprocessedChunk>();
        var errors = new List<double>();
        int kept = 0;
        foreach (string path in paths)
        {
            using CatalogReadSession session = reader.Open(path);
            foreach (CatalogChunk chunk in session.ReadChunks(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                PreprocessedChunk processed = preprocessor.Process(chunk);
                CollectErrors(profile, chunk, processed, errors);
                chunks.Add(processed);
                kept += processed.RowCount;
                if (maxRows is int m && kept >= m)
                {
                    break;
                }
            }

            if (maxRows is int max && kept >= max)
            {
                break;
            }
        }

        double? median = null;
        if (errors.Count > 0)
        {
            errors.Sort();
            median = errors[errors.Count / 2];
        }

        TrainingDataset data = FromChunks(chunks, profile, target, median);
        if (maxRows is int limit && data.Rows > limit)
        {
            data = data.Subset([.. Enumerable.Range(0, limit)]);
        }

        return (data, preprocessor.Report);
    }

    /// <summary>Returns the rows at <paramref name="indices"/>, in that order.</summary>
    public TrainingDataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int f = FeatureNames.Count;
        var features = new float[indices.Count * f];
        var mask = new byte[indices.Count * BandCount];
        for (int i = 0; i < indices.Count; i++)
        {
            Features.AsSpan(indices[i] * f, f).CopyTo(features.AsSpan(i * f));
            BandMask.AsSpan(indices[i] * BandCount, BandCount).CopyTo(mask.AsSpan(i * BandCount));
        }

        return new TrainingDataset
        {
            Rows = indices.Count,
            FeatureNames = FeatureNames,
            BandCount = BandCount,
            Features = features,
            BandMask = mask,
            Targets = Targets is null ? null : [.. indices.Select(i => Targets[i])],
            ClassIndices = ClassIndices is null ? null : [.. indices.Select(i => ClassIndices[i])],
            Classes = Classes,
            Target = Target,
            Representation = Representation,
            MedianFluxError = MedianFluxError,
            Ids = [.. indices.Select(i => Ids[i])],
        };
    }

    private static void CollectErrors(SurveyProfile profile, CatalogChunk chunk, PreprocessedChunk processed, List<double> errors)
    {
        if (profile.Model.Representation != ModelInputRepresentation.FluxMicroJansky)
        {
            return;
        }

        for (int b = 0; b < profile.Bands.Count; b++)
        {
            BandDefinition band = profile.Bands[b];
            if (band.ErrorColumn is null)
            {
                continue;
            }

            double[] values = chunk.GetColumn(band.Column);
            double[] err = chunk.GetColumn(band.ErrorColumn);
            for (int r = 0; r < chunk.RowCount; r++)
            {
                if (processed.Status[r] is RowStatus.Kept or RowStatus.KeptWithMissingBands)
                {
                    double e = Photometry.ErrorToMicroJansky(err[r], values[r], band);
                    if (e > 0 && double.IsFinite(e))
                    {
                        errors.Add(e);
                    }
                }
            }
        }
    }
}

/// <summary>Training cannot proceed with this data or these options; the message is one line naming the problem.</summary>
public sealed class TrainingException(string message, Exception? inner = null) : Exception(message, inner);
