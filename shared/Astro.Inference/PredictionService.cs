using Astro.Catalogs;
using Astro.Catalogs.Fits;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Packaging;
using Astro.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Astro.Inference;

/// <summary>
/// Runs a <see cref="ModelPackage"/> on catalog rows: the manifest's feature transform, missing-band fill and mask inputs,
/// the ONNX graph (a session shared per file), the calibrated uncertainty, the slope correction and the out-of-distribution
/// test. Every input row gets exactly one output row; rows the selection drops are flagged <see cref="PredictionFlags.NotPredicted"/>.
/// </summary>
/// <remarks>
/// <para>Serving selection: <see cref="SelectionOptions.CreateNoCuts"/> plus the model's missing-band policy (training label
/// cuts are not applied). Catalogs are read with <see cref="ModelPackage.CreateServingProfile"/> (no label or error columns needed).</para>
/// <para>Regression: mean from the <c>mean</c> output (or the average of <c>members</c>); σ = sqrt(exp(logVariance)) ×
/// calibrationScale, or the spread of the members ([batch, M]: their standard deviation; [batch, M, 2]: the mixture of
/// (mean, logVariance) pairs) × calibrationScale. The slope correction maps y to Σₖ cₖ·yᵏ (lowest order first) and σ to |dy'/dy|·σ.</para>
/// <para>Thread-safe: any number of threads may call the methods at once.</para>
/// </remarks>
public partial class PredictionService
{
    private readonly ModelPackage _package = null!;
    private readonly PredictionServiceOptions _options = null!;
    private readonly OnnxModelSession _session = null!;
    private readonly SurveyProfile _servingProfile = null!;
    private readonly ResolvedInput[] _inputs = [];
    private readonly int _meanOutput = -1;
    private readonly int _meanWidth = 1;
    private readonly int _logVarOutput = -1;
    private readonly int _logVarColumn;
    private readonly int _membersOutput = -1;
    private readonly int _members;
    private readonly bool _memberPairs;
    private readonly int _probOutput = -1;
    private readonly float _calibration = 1f;
    private readonly double[]? _slope;
    private readonly OodTest? _ood;
    private readonly bool _identityInputs;

    /// <summary>For mocking only.</summary>
    protected PredictionService()
    {
    }

    /// <summary>Creates a service with default options.</summary>
    /// <param name="package">The loaded package.</param>
    /// <exception cref="ArgumentNullException"><paramref name="package"/> is null.</exception>
    /// <exception cref="ModelPackageException">ONNX Runtime cannot load the graph, or it disagrees with the manifest.</exception>
    public PredictionService(ModelPackage package)
        : this(package, new PredictionServiceOptions())
    {
    }

    /// <summary>Creates a service.</summary>
    /// <param name="package">The loaded package.</param>
    /// <param name="options">The options (validated and copied).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range (all listed).</exception>
    /// <exception cref="ModelPackageException">ONNX Runtime cannot load the graph, or it disagrees with the manifest.</exception>
    public PredictionService(ModelPackage package, PredictionServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _package = package;
        _options = options.Clone();
        ModelManifest m = package.Manifest;
        try
        {
            _session = OnnxModelSession.GetShared(package.ModelPath, new OnnxModelSessionOptions { IntraOpThreads = _options.IntraOpThreads });
        }
        catch (Exception e) when (e is OnnxRuntimeException or ArgumentException)
        {
            throw new ModelPackageException($"Model package '{package.Directory}': ONNX Runtime cannot load {m.Onnx.File}: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        if (_session.InputSampleSize != m.Inputs.Count)
        {
            throw new ModelPackageException($"Model package '{package.Directory}': {m.Onnx.File} takes {_session.InputSampleSize} inputs per row, the manifest lists {m.Inputs.Count}.");
        }

        _inputs = package.ResolvedInputs;
        _identityInputs = IsIdentityLayout(_inputs, package.Profile.Bands.Count, package.Profile.Model.IncludeRedshift);
        _servingProfile = package.CreateServingProfile();
        int Output(string role) => m.Onnx.Outputs.TryGetValue(role, out string? name) ? IndexOf(_session.OutputNames, name) : -1;
        _meanOutput = Output("mean");
        _logVarOutput = Output("logVariance");
        _membersOutput = Output("members");
        _probOutput = Output("probabilities");
        if (_meanOutput >= 0 && _meanOutput == _logVarOutput)
        {
            _meanWidth = 2;
            _logVarColumn = 1;
        }

        if (_membersOutput >= 0)
        {
            IReadOnlyList<long> shape = _session.OutputSampleShapes[_membersOutput];
            _members = (int)shape[0];
            _memberPairs = shape.Count == 2;
        }

        _calibration = (float)(m.Uncertainty?.CalibrationScale ?? 1.0);
        _slope = m.SlopeCorrection is { Count: > 0 } s ? [.. s] : null;
        if (m.OutOfDistribution is { } ood && _options.DetectOutOfDistribution)
        {
            _ood = new OodTest(ood, m.Standardization);
        }
    }

    /// <summary>The package served.</summary>
    public virtual ModelPackage Package => _package;

    /// <summary>The profile catalogs are read with: the package's profile without label and error columns.</summary>
    public virtual SurveyProfile ServingProfile => _servingProfile;

    /// <summary>The selection used for serving: no cuts, the model's missing-band policy and fill value, and <see cref="PredictionServiceOptions.SentinelHandling"/>.</summary>
    /// <returns>New options.</returns>
    public virtual SelectionOptions CreateSelectionOptions()
    {
        SelectionOptions o = SelectionOptions.CreateNoCuts();
        o.MissingBandPolicy = _package.Manifest.MissingBands.Policy == "keepAndFlag" ? MissingBandPolicy.KeepAndFlag : MissingBandPolicy.Drop;
        o.SentinelHandling = _options.SentinelHandling;
        return o;
    }

    /// <summary>Creates a reader for catalogs this model predicts: CSV-like text or FITS binary tables.</summary>
    /// <param name="includeTarget">Also read the model's target (for evaluation on labelled catalogs).</param>
    /// <returns>The reader.</returns>
    public virtual CatalogReader CreateCatalogReader(bool includeTarget = false)
    {
        SurveyProfile profile = includeTarget ? _package.CreateServingProfile(includeTarget: true) : _servingProfile;
        return new CatalogReader(profile, new CatalogReaderOptions { ChunkRows = _options.ChunkRows, SourceFactory = FitsCatalogSource.TryOpen });
    }

    /// <summary>Preprocesses and predicts one chunk read with <see cref="ServingProfile"/>.</summary>
    /// <param name="chunk">The rows.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>One output row per input row.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chunk"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">The chunk lacks a column of the serving profile.</exception>
    public virtual PredictionBatch Predict(CatalogChunk chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var preprocessor = new CatalogPreprocessor(_servingProfile, CreateSelectionOptions());
        return Predict(chunk, preprocessor.Process(chunk), cancellationToken);
    }

    /// <summary>Predicts rows already preprocessed with this model's profile (same bands in the same order).</summary>
    /// <param name="chunk">The raw rows (for the IDs of rows that were dropped).</param>
    /// <param name="input">The preprocessed rows of <paramref name="chunk"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>One output row per input row.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not describe <paramref name="chunk"/> or has other features.</exception>
    public virtual PredictionBatch Predict(CatalogChunk chunk, PreprocessedChunk input, CancellationToken cancellationToken = default) =>
        PredictCore(chunk, input, _options.MaxDegreeOfParallelism, cancellationToken);

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
