using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Imaging.ModelInput;
using Astro.Imaging.Models;
using Astro.Inference.Images.Models;
using Astro.Onnx;

namespace Astro.Inference.Images;

/// <summary>
/// Predicts cutouts with one image model package: preprocessing per the manifest's <see cref="ImageInputInfo"/> (see
/// <see cref="ImageInputPreprocessor"/>), the network through ONNX Runtime (a session shared per file), the ensemble
/// spread <c>output_std</c> as the uncertainty, and the LightGBM second stage's ONNX graph when the package has one.
/// </summary>
/// <remarks>Thread-safe. Unusable cutouts throw <see cref="ImageInputException"/> with a one-line reason.</remarks>
public class ImagePredictionService
{
    private readonly ImagePredictionServiceOptions _options = null!;
    private readonly OnnxModelSession _session = null!;
    private readonly OnnxModelSession? _stage2;
    private readonly int _meanIndex;
    private readonly int _stdIndex = -1;
    private readonly int _featuresIndex = -1;
    private readonly int _stage2Index;

    /// <summary>For mocking only.</summary>
    protected ImagePredictionService()
    {
        Package = null!;
    }

    /// <summary>Creates a service with the default options.</summary>
    /// <param name="package">The loaded package.</param>
    /// <exception cref="ArgumentNullException"><paramref name="package"/> is null.</exception>
    /// <exception cref="ModelPackageException">ONNX Runtime cannot load a graph, or its outputs do not match the manifest.</exception>
    public ImagePredictionService(ImagePackage package)
        : this(package, new ImagePredictionServiceOptions())
    {
    }

    /// <summary>Creates a service.</summary>
    /// <param name="package">The loaded package.</param>
    /// <param name="options">The options (validated and copied).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range (all problems listed).</exception>
    /// <exception cref="ModelPackageException">ONNX Runtime cannot load a graph, or its outputs do not match the manifest.</exception>
    public ImagePredictionService(ImagePackage package, ImagePredictionServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        Package = package;
        var sessionOptions = new OnnxModelSessionOptions { IntraOpThreads = _options.IntraOpThreads };
        try
        {
            _session = OnnxModelSession.GetShared(package.ModelPath, sessionOptions);
            _stage2 = package.SecondStagePath is string s ? OnnxModelSession.GetShared(s, sessionOptions) : null;
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or IOException)
        {
            throw new ModelPackageException($"Model package '{package.Directory}': ONNX Runtime cannot load it: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        IReadOnlyDictionary<string, string> roles = package.Manifest.Onnx.Outputs;
        _meanIndex = IndexOf(_session, roles["mean"]);
        _stdIndex = roles.TryGetValue("std", out string? std) ? IndexOf(_session, std) : -1;
        _featuresIndex = roles.TryGetValue("features", out string? features) ? IndexOf(_session, features) : -1;
        _stage2Index = _stage2 is null ? -1 : IndexOf(_stage2, package.Image.SecondStage!.Output);
        MinimumSize = Math.Max(ImageInputPreprocessor.AbsoluteMinSize, (int)Math.Ceiling(_options.MinimumSizeFraction * package.Image.Size));
    }

    /// <summary>Gets the package.</summary>
    public virtual ImagePackage Package { get; }

    /// <summary>Gets the smallest cutout side accepted, in pixels.</summary>
    public virtual int MinimumSize { get; }

    /// <summary>Why a cutout does not fit the model (band count or format), or null when it does.</summary>
    /// <param name="cutout">The cutout.</param>
    /// <returns>A one-line reason without the cutout's name, or null.</returns>
    public virtual string? Mismatch(Cutout cutout) => ImageInputPreprocessor.Mismatch(cutout, Package.Image);

    /// <summary>Preprocesses a cutout into the model's input.</summary>
    /// <param name="cutout">The cutout.</param>
    /// <param name="redshift">The redshift, or NaN.</param>
    /// <param name="cancellationToken">Checked between preprocessing steps.</param>
    /// <returns>The prepared input.</returns>
    /// <exception cref="ImageInputException">The cutout does not fit the model or cannot be used.</exception>
    public virtual PreparedImageInput Prepare(Cutout cutout, double redshift = double.NaN, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        if (Mismatch(cutout) is string reason)
        {
            throw new ImageInputException(ImageInputProblem.NotApplicable, $"{cutout.Source}: {reason} ({Package.DisplayName})");
        }

        PreparedImageInput prepared = ImageInputPreprocessor.Prepare(cutout, Package.Image, redshift, MinimumSize, cancellationToken);
        if (_options.RequireGalaxy && prepared.GalaxyFound == false)
        {
            throw new ImageInputException(ImageInputProblem.NoGalaxy, $"{cutout.Source}: no central galaxy found (star removal of {Package.DisplayName} found no extended source 5σ above the sky near the centre)");
        }

        return prepared;
    }

    /// <summary>Preprocesses and predicts a cutout.</summary>
    /// <param name="cutout">The cutout.</param>
    /// <param name="redshift">The redshift (luminosity features and second stage), or NaN.</param>
    /// <param name="cancellationToken">Checked between steps.</param>
    /// <returns>The prediction.</returns>
    /// <exception cref="ImageInputException">The cutout does not fit the model or cannot be used.</exception>
    public virtual ImagePredictionResult Predict(Cutout cutout, double redshift = double.NaN, CancellationToken cancellationToken = default)
    {
        PreparedImageInput prepared = Prepare(cutout, redshift, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return Predict(prepared, double.IsFinite(redshift));
    }

    /// <summary>Predicts a prepared input.</summary>
    /// <param name="prepared">The output of <see cref="Prepare"/>.</param>
    /// <param name="hasRedshift">Whether a redshift was given (else the result is flagged when a second stage runs).</param>
    /// <returns>The prediction.</returns>
    public virtual ImagePredictionResult Predict(PreparedImageInput prepared, bool hasRedshift = false)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        IReadOnlyList<float[]> y = _session.RunAll(prepared.Pixels, 1);
        IReadOnlyList<string> names = Package.OutputNames;
        float[] mean = y[_meanIndex];
        float[]? std = _stdIndex >= 0 ? y[_stdIndex] : null;
        float[] features = _featuresIndex >= 0 ? y[_featuresIndex] : [];
        var flags = ImagePredictionFlags.None;
        var outputs = new ImageOutputValue[names.Count];
        for (int j = 0; j < names.Count; j++)
        {
            double s = std is null ? double.NaN : std[j];
            outputs[j] = new ImageOutputValue(names[j], mean[j], s);
            if (!float.IsFinite(mean[j]) || (std is not null && !double.IsFinite(s)))
            {
                flags |= ImagePredictionFlags.InvalidOutput;
            }
        }

        ImageSecondStageValue? second = null;
        if (_stage2 is not null)
        {
            float[] row = [.. features, .. mean, .. prepared.Luminosity];
            double v = _stage2.RunAll(row, 1)[_stage2Index][0];
            second = new ImageSecondStageValue(Package.Image.SecondStage!.Target, v);
            flags |= double.IsFinite(v) ? ImagePredictionFlags.None : ImagePredictionFlags.InvalidOutput;
            flags |= hasRedshift ? ImagePredictionFlags.None : ImagePredictionFlags.NoRedshift;
        }

        Cutout source = prepared.Preprocessing.Source;
        flags |= std is null ? ImagePredictionFlags.NoUncertainty : ImagePredictionFlags.None;
        flags |= prepared.UndefinedPixels > 0 ? ImagePredictionFlags.UndefinedPixels : ImagePredictionFlags.None;
        flags |= source.Width != Package.Image.Size || source.Height != Package.Image.Size ? ImagePredictionFlags.Resampled : ImagePredictionFlags.None;
        flags |= prepared.Preprocessing.RemovedSources.Count > 0 ? ImagePredictionFlags.StarsRemoved : ImagePredictionFlags.None;
        flags |= prepared.GalaxyFound is null ? ImagePredictionFlags.GalaxyNotChecked : ImagePredictionFlags.None;
        return new ImagePredictionResult(Package.Manifest.Name, Package.Manifest.Version, source.Source, outputs, second, flags,
            prepared.GalaxyFound, prepared.Preprocessing.RemovedSources.Count, prepared.UndefinedPixels, features);
    }

    private int IndexOf(OnnxModelSession session, string name)
    {
        int i = session.OutputNames.ToList().IndexOf(name);
        return i >= 0 ? i : throw new ModelPackageException($"Model package '{Package.Directory}': ONNX Runtime reports no output '{name}' (outputs: {string.Join(", ", session.OutputNames)}).");
    }
}
