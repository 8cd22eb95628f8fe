using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using Astro.Catalogs;
using Astro.Catalogs.Fits;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Output;
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
public class PredictionService
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

    private PredictionBatch PredictCore(CatalogChunk chunk, PreprocessedChunk input, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(input);
        int n = chunk.RowCount;
        int nb = _package.Profile.Bands.Count;
        int nf = input.FeatureNames.Count;
        if (input.Status.Length != n)
        {
            throw new ArgumentException($"The preprocessed chunk describes {input.Status.Length} rows, the chunk has {n}.", nameof(input));
        }

        if (nf != nb + (_package.Profile.Model.IncludeRedshift ? 1 : 0) || input.Features.Length != input.RowCount * nf)
        {
            throw new ArgumentException($"The preprocessed chunk has features [{string.Join(", ", input.FeatureNames)}]; model {_package.DisplayName} needs profile '{_package.Profile.Name}'.", nameof(input));
        }

        ModelManifest m = _package.Manifest;
        bool classification = m.Task == ModelTask.Classification;
        int classes = m.Classes.Count;
        var values = new float[n];
        var sigmas = new float[n];
        var flags = new PredictionFlags[n];
        float[]? ood = _ood is null ? null : new float[n];
        float[]? probs = classification ? new float[n * classes] : null;
        int[]? classIndex = classification ? new int[n] : null;
        int[] rowOfKept = new int[input.RowCount];
        int k = 0;
        for (int r = 0; r < n; r++)
        {
            RowStatus s = input.Status[r];
            if (s is RowStatus.Kept or RowStatus.KeptWithMissingBands)
            {
                rowOfKept[k++] = r;
                if (s == RowStatus.KeptWithMissingBands)
                {
                    flags[r] = PredictionFlags.MissingBands;
                }
            }
            else
            {
                flags[r] = PredictionFlags.NotPredicted;
                values[r] = float.NaN;
                sigmas[r] = float.NaN;
                if (ood is not null)
                {
                    ood[r] = float.NaN;
                }

                if (probs is not null)
                {
                    probs.AsSpan(r * classes, classes).Fill(float.NaN);
                    classIndex![r] = -1;
                }
            }
        }

        if (k != input.RowCount)
        {
            throw new ArgumentException($"The preprocessed chunk keeps {input.RowCount} rows but its statuses keep {k}.", nameof(input));
        }

        var context = new BatchContext(input, rowOfKept, values, sigmas, flags, ood, probs, classIndex, nb, nf);
        int batchSize = _options.BatchSize;
        int batches = (k + batchSize - 1) / batchSize;
        if (batches == 1 || parallelism == 1)
        {
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunBatch(context, b * batchSize, Math.Min(k, (b + 1) * batchSize));
            }
        }
        else if (batches > 1)
        {
            Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, b =>
                RunBatch(context, b * batchSize, Math.Min(k, (b + 1) * batchSize)));
        }

        string[] ids = chunk.Ids ?? LineIds(chunk.LineNumbers);
        return new PredictionBatch
        {
            ModelName = m.Name,
            ModelVersion = m.Version,
            Task = m.Task,
            Classes = m.Classes,
            RowCount = n,
            FirstRowIndex = chunk.FirstRowIndex,
            Ids = ids,
            LineNumbers = chunk.LineNumbers,
            Values = values,
            Sigmas = sigmas,
            Flags = flags,
            Status = input.Status,
            OutOfDistributionScores = ood,
            ClassIndices = classIndex,
            Probabilities = probs,
            Selection = input.Report,
        };
    }

    /// <summary>
    /// Predicts a whole catalog into a writer, pipelined: a reader thread parses chunks, <see cref="PredictionServiceOptions.MaxDegreeOfParallelism"/>
    /// workers preprocess and predict them (one chunk each at a time), and a writer thread writes them in catalog order.
    /// </summary>
    /// <param name="catalogPath">A text catalog or a FITS binary table.</param>
    /// <param name="writer">Where the rows go; <see cref="PredictionWriter.Complete"/> is called at the end.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>Counts and time per stage (stage times are summed over threads).</returns>
    /// <exception cref="FileNotFoundException">The catalog does not exist.</exception>
    /// <exception cref="CatalogException">The catalog lacks a column the model needs, or is unreadable.</exception>
    /// <exception cref="Fits.FitsException">A FITS catalog is malformed.</exception>
    public virtual PredictionRunSummary PredictCatalog(string catalogPath, PredictionWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(catalogPath);
        ArgumentNullException.ThrowIfNull(writer);
        var total = Stopwatch.StartNew();
        CatalogReader reader = CreateCatalogReader();
        using CatalogReadSession session = reader.Open(catalogPath);
        int workers = _options.MaxDegreeOfParallelism;
        var preprocessors = new CatalogPreprocessor[workers];
        for (int i = 0; i < workers; i++)
        {
            preprocessors[i] = new CatalogPreprocessor(_servingProfile, CreateSelectionOptions());
        }

        var summary = new PredictionRunSummary
        {
            Catalog = catalogPath,
            ModelName = _package.Manifest.Name,
            ModelVersion = _package.Manifest.Version,
            Read = session.Report,
            Selection = preprocessors[0].Report,
        };

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken token = cts.Token;
        int inFlight = _options.PipelineDepth + workers;
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        using var toPredict = new BlockingCollection<(long Index, CatalogChunk Chunk)>(_options.PipelineDepth);
        var done = new ConcurrentDictionary<long, PredictionBatch>();
        using var ready = new SemaphoreSlim(0);
        long readTicks = 0;
        long writeTicks = 0;
        long preTicks = 0;
        long predictTicks = 0;
        long chunkCount = -1;

        Task reading = Task.Factory.StartNew(
            () =>
            {
                long index = 0;
                try
                {
                    using IEnumerator<CatalogChunk> e = session.ReadChunks(token).GetEnumerator();
                    while (true)
                    {
                        slots.Wait(token);
                        long t0 = Stopwatch.GetTimestamp();
                        bool more = e.MoveNext();
                        readTicks += Stopwatch.GetTimestamp() - t0;
                        if (!more)
                        {
                            break;
                        }

                        toPredict.Add((index++, e.Current), token);
                    }
                }
                catch
                {
                    cts.Cancel();
                    throw;
                }
                finally
                {
                    Volatile.Write(ref chunkCount, index);
                    toPredict.CompleteAdding();
                    ready.Release();
                }
            },
            token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var predicting = new Task[workers];
        for (int w = 0; w < workers; w++)
        {
            CatalogPreprocessor preprocessor = preprocessors[w];
            predicting[w] = Task.Factory.StartNew(
                () =>
                {
                    try
                    {
                        foreach ((long index, CatalogChunk chunk) in toPredict.GetConsumingEnumerable(token))
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            PreprocessedChunk input = preprocessor.Process(chunk);
                            long t1 = Stopwatch.GetTimestamp();
                            PredictionBatch batch = PredictCore(chunk, input, workers == 1 ? _options.MaxDegreeOfParallelism : 1, token);
                            long t2 = Stopwatch.GetTimestamp();
                            Interlocked.Add(ref preTicks, t1 - t0);
                            Interlocked.Add(ref predictTicks, t2 - t1);
                            done[index] = batch;
                            ready.Release();
                        }
                    }
                    catch
                    {
                        cts.Cancel();
                        throw;
                    }
                },
                token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        Task writing = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    for (long next = 0; ; )
                    {
                        if (done.TryRemove(next, out PredictionBatch? batch))
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            writer.Write(batch);
                            writeTicks += Stopwatch.GetTimestamp() - t0;
                            Count(summary, batch);
                            slots.Release();
                            next++;
                            continue;
                        }

                        long count = Volatile.Read(ref chunkCount);
                        if (count >= 0 && next >= count)
                        {
                            break;
                        }

                        ready.Wait(token);
                    }
                }
                catch
                {
                    cts.Cancel();
                    throw;
                }
            },
            token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        Task[] stages = [reading, .. predicting, writing];
        try
        {
            Task.WaitAll(stages, CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Reported below, the root cause first (the other stages were cancelled because of it).
        }

        foreach (Task stage in stages)
        {
            WaitStage(stage, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (cts.IsCancellationRequested)
        {
            throw new InvalidOperationException("The prediction pipeline stopped without reporting why.");
        }

        for (int i = 1; i < workers; i++)
        {
            summary.Selection.Add(preprocessors[i].Report);
        }

        long tw = Stopwatch.GetTimestamp();
        writer.Complete();
        writeTicks += Stopwatch.GetTimestamp() - tw;
        summary.ReadSeconds = Stopwatch.GetElapsedTime(0, readTicks).TotalSeconds;
        summary.PreprocessSeconds = Stopwatch.GetElapsedTime(0, preTicks).TotalSeconds;
        summary.PredictSeconds = Stopwatch.GetElapsedTime(0, predictTicks).TotalSeconds;
        summary.WriteSeconds = Stopwatch.GetElapsedTime(0, writeTicks).TotalSeconds;
        summary.TotalSeconds = total.Elapsed.TotalSeconds;
        return summary;
    }

    private static void WaitStage(Task stage, CancellationToken cancellationToken)
    {
        try
        {
            stage.Wait(CancellationToken.None);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            if (e.InnerException is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return; // cancelled because another stage failed
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
        }
    }

    private static void Count(PredictionRunSummary summary, PredictionBatch batch)
    {
        summary.RowsWritten += batch.RowCount;
        foreach (PredictionFlags f in batch.Flags)
        {
            if ((f & PredictionFlags.NotPredicted) != 0)
            {
                summary.RowsNotPredicted++;
                continue;
            }

            summary.RowsPredicted++;
            if ((f & PredictionFlags.MissingBands) != 0)
            {
                summary.RowsWithMissingBands++;
            }

            if ((f & PredictionFlags.OutOfDistribution) != 0)
            {
                summary.RowsOutOfDistribution++;
            }
        }
    }

    private void RunBatch(BatchContext c, int start, int end)
    {
        int n = end - start;
        int nIn = _inputs.Length;
        float[] x = RentInput(n * nIn);
        BuildInputs(c, start, end, x);
        IReadOnlyList<float[]> outputs = _session.RunAll(x, n);
        ModelManifest m = _package.Manifest;
        bool classification = m.Task == ModelTask.Classification;
        if (_ood is not null)
        {
            // Four rows at a time, one per vector lane, each with the scalar operation order (identical results).
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Span<double> d4 = stackalloc double[4];
                Vector256<double>[] z = new Vector256<double>[_ood.Dimension];
                for (; i <= n - 4; i += 4)
                {
                    _ood.Distance4(x.AsSpan(i * nIn, 4 * nIn), nIn, z).CopyTo(d4);
                    for (int q = 0; q < 4; q++)
                    {
                        SetOod(c, c.RowOfKept[start + i + q], d4[q]);
                    }
                }
            }

            double[] scratch = new double[_ood.Dimension * 2];
            for (; i < n; i++)
            {
                SetOod(c, c.RowOfKept[start + i], _ood.Distance(x.AsSpan(i * nIn, nIn), scratch));
            }
        }

        for (int i = 0; i < n; i++)
        {
            int r = c.RowOfKept[start + i];
            if (classification)
            {
                int classes = m.Classes.Count;
                Span<float> p = c.Probabilities.AsSpan(r * classes, classes);
                outputs[_probOutput].AsSpan(i * classes, classes).CopyTo(p);
                (int best, float max) = PredictionModelFactory.ArgMax(p);
                c.ClassIndices![r] = best;
                c.Values[r] = max;
                c.Sigmas[r] = best < 0 ? float.NaN : 1f - max;
                if (best < 0)
                {
                    c.Flags[r] |= PredictionFlags.InvalidOutput;
                }
            }
            else
            {
                (double mean, double sigma) = MeanAndSigma(outputs, i);
                if (_slope is not null)
                {
                    (mean, double slope) = Polynomial(_slope, mean);
                    sigma *= Math.Abs(slope);
                }

                c.Values[r] = (float)mean;
                c.Sigmas[r] = (float)sigma;
                if (!double.IsFinite(mean))
                {
                    c.Flags[r] |= PredictionFlags.InvalidOutput;
                }
            }
        }
    }

    private void SetOod(BatchContext c, int r, double d)
    {
        c.Ood![r] = (float)d;
        if (!(d <= _ood!.Threshold))
        {
            c.Flags[r] |= PredictionFlags.OutOfDistribution;
        }
    }

    /// <summary>True when the inputs are the bands in profile order, then the redshift when the profile has it (the feature layout itself).</summary>
    private static bool IsIdentityLayout(ResolvedInput[] inputs, int bands, bool redshift)
    {
        if (inputs.Length != bands + (redshift ? 1 : 0))
        {
            return false;
        }

        for (int j = 0; j < bands; j++)
        {
            if (inputs[j] != new ResolvedInput(ResolvedInputKind.Band, j))
            {
                return false;
            }
        }

        return !redshift || inputs[bands] == new ResolvedInput(ResolvedInputKind.Redshift, bands);
    }

    private (double Mean, double Sigma) MeanAndSigma(IReadOnlyList<float[]> outputs, int i)
    {
        double mean = double.NaN;
        double variance = double.NaN;
        bool scaled = false;
        if (_meanOutput >= 0)
        {
            mean = outputs[_meanOutput][i * _meanWidth];
        }

        if (_logVarOutput >= 0)
        {
            int width = _logVarOutput == _meanOutput ? 2 : 1;
            variance = Math.Exp(outputs[_logVarOutput][(i * width) + _logVarColumn]);
            scaled = true;
        }
        else if (_membersOutput >= 0)
        {
            float[] o = outputs[_membersOutput];
            int mcount = _members;
            double sum = 0;
            double sumSq = 0;
            double sumVar = 0;
            for (int j = 0; j < mcount; j++)
            {
                double mu;
                if (_memberPairs)
                {
                    int at = ((i * mcount) + j) * 2;
                    mu = o[at];
                    sumVar += Math.Exp(o[at + 1]);
                }
                else
                {
                    mu = o[(i * mcount) + j];
                }

                sum += mu;
                sumSq += mu * mu;
            }

            double avg = sum / mcount;
            variance = Math.Max(0, (sumSq / mcount) - (avg * avg)) + (sumVar / mcount);
            if (_meanOutput < 0)
            {
                mean = avg;
            }

            scaled = true;
        }

        double sigma = scaled ? Math.Sqrt(variance) * _calibration : double.NaN;
        return (mean, sigma);
    }

    /// <summary>Σ cₖ·yᵏ and its derivative (Horner).</summary>
    internal static (double Value, double Derivative) Polynomial(double[] c, double y)
    {
        double value = c[^1];
        double derivative = 0;
        for (int k = c.Length - 2; k >= 0; k--)
        {
            derivative = (derivative * y) + value;
            value = (value * y) + c[k];
        }

        return (value, derivative);
    }

    private void BuildInputs(BatchContext c, int start, int end, float[] x)
    {
        ModelManifest m = _package.Manifest;
        float fill = m.MissingBands.FillValue;
        float[] features = c.Input.Features;
        byte[] mask = c.Input.BandMask;
        int nIn = _inputs.Length;
        int nf = c.FeatureCount;
        int nb = c.BandCount;
        ResolvedInput[] inputs = _inputs;

        if (_identityInputs && nIn == nf)
        {
            // Inputs = features (bands then z): transform the block straight into x, then restore z and fill masked bands.
            int count = (end - start) * nf;
            Span<float> dst = x.AsSpan(0, count);
            if (m.FeatureTransform.Kind == FeatureTransformKind.Asinh)
            {
                AsinhScaled(features.AsSpan(start * nf, count), dst, (float)(1.0 / m.FeatureTransform.Softening));
            }
            else
            {
                features.AsSpan(start * nf, count).CopyTo(dst);
            }

            bool restoreZ = nf > nb;
            ReadOnlySpan<byte> blockMask = mask.AsSpan(start * nb, (end - start) * nb);
            bool anyMasked = blockMask.Contains((byte)0);
            if (restoreZ || anyMasked)
            {
                for (int i = start, o = 0; i < end; i++, o += nIn)
                {
                    int fo = i * nf;
                    if (restoreZ)
                    {
                        x[o + nb] = features[fo + nb];
                    }

                    if (anyMasked)
                    {
                        int mo = i * nb;
                        for (int b = 0; b < nb; b++)
                        {
                            if (mask[mo + b] == 0)
                            {
                                x[o + b] = fill;
                            }
                        }
                    }
                }
            }

            return;
        }

        // Band values come from a transformed copy of the batch's feature block (asinh vectorised), the redshift from the raw block.
        float[] bandSource = features;
        int bandBase = 0;
        if (m.FeatureTransform.Kind == FeatureTransformKind.Asinh)
        {
            bandSource = RentScratch((end - start) * nf);
            AsinhScaled(features.AsSpan(start * nf, (end - start) * nf), bandSource, (float)(1.0 / m.FeatureTransform.Softening));
            bandBase = -start * nf;
        }

        for (int i = start, o = 0; i < end; i++, o += nIn)
        {
            int fo = i * nf;
            int mo = i * nb;
            for (int j = 0; j < inputs.Length; j++)
            {
                ResolvedInput input = inputs[j];
                x[o + j] = input.Kind switch
                {
                    ResolvedInputKind.Band => mask[mo + input.Source] == 0 ? fill : bandSource[bandBase + fo + input.Source],
                    ResolvedInputKind.Redshift => features[fo + input.Source],
                    _ => mask[mo + input.Source],
                };
            }
        }
    }

    /// <summary>dst = asinh(src × scale), eight lanes at a time: sign(x)·ln(|x| + sqrt(x² + 1)) (absolute error ≈ 1e-7 near 0).</summary>
    internal static void AsinhScaled(ReadOnlySpan<float> src, Span<float> dst, float scale)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(scale);
            Vector256<float> one = Vector256<float>.One;
            Vector256<float> big = Vector256.Create(1e18f);
            Vector256<float> ln2 = Vector256.Create(MathF.Log(2f));
            for (; i <= src.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.Create(src.Slice(i, Vector256<float>.Count)) * s;
                Vector256<float> a = Vector256.Abs(x);
                Vector256<float> r = Vector256.ConditionalSelect(
                    Vector256.GreaterThan(a, big),
                    Vector256.Log(a) + ln2,
                    Vector256.Log(a + Vector256.Sqrt((a * a) + one)));
                r = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -r, r);
                r.CopyTo(dst.Slice(i, Vector256<float>.Count));
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = MathF.Asinh(src[i] * scale);
        }
    }

    [ThreadStatic]
    private static float[]? t_scratch;

    private static float[] RentScratch(int length)
    {
        float[]? buffer = t_scratch;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
            t_scratch = buffer;
        }

        return buffer;
    }

    [ThreadStatic]
    private static float[]? t_input;

    private static float[] RentInput(int length)
    {
        // ONNX Runtime reads the array during Run only, so a per-thread buffer of the exact length is reused across batches.
        float[]? buffer = t_input;
        if (buffer is null || buffer.Length != length)
        {
            buffer = new float[length];
            t_input = buffer;
        }

        return buffer;
    }

    private static string[] LineIds(long[] lines)
    {
        var ids = new string[lines.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = lines[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ids;
    }

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

    private sealed record BatchContext(
        PreprocessedChunk Input,
        int[] RowOfKept,
        float[] Values,
        float[] Sigmas,
        PredictionFlags[] Flags,
        float[]? Ood,
        float[]? Probabilities,
        int[]? ClassIndices,
        int BandCount,
        int FeatureCount);

    /// <summary>The squared Mahalanobis distance of standardised inputs, through the Cholesky factor of the precision when it has one.</summary>
    private sealed class OodTest
    {
        private readonly double[] _shift;
        private readonly double[] _scale;
        private readonly double[] _center;
        private readonly double[] _matrix;
        private readonly bool _cholesky;

        public OodTest(OutOfDistributionInfo info, StandardizationInfo standardization)
        {
            int d = info.Mean.Count;
            Dimension = d;
            Threshold = info.Threshold;
            _shift = [.. standardization.Mean.Take(d).Select(v => (double)v)];
            _scale = [.. standardization.Std.Take(d).Select(v => 1.0 / v)];
            _center = [.. info.Mean];
            double[] p = [.. info.Precision];
            double[]? l = Cholesky(p, d);
            _cholesky = l is not null;
            _matrix = l ?? p;
        }

        public int Dimension { get; }

        public double Threshold { get; }

        /// <summary>zᵀ P z with z the standardised, centred inputs; = ‖Lᵀz‖² when P = L·Lᵀ.</summary>
        public double Distance(ReadOnlySpan<float> x, double[] scratch)
        {
            int d = Dimension;
            Span<double> z = scratch.AsSpan(0, d);
            for (int j = 0; j < d; j++)
            {
                z[j] = ((x[j] - _shift[j]) * _scale[j]) - _center[j];
            }

            double sum = 0;
            if (_cholesky)
            {
                // L is stored column-major lower (row i of Lᵀ = column i of L): u_i = Σ_{j ≥ i} L[j, i] z_j.
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> column = _matrix.AsSpan((i * d) + i, d - i);
                    double u = 0;
                    for (int j = 0; j < column.Length; j++)
                    {
                        u += column[j] * z[i + j];
                    }

                    sum += u * u;
                }
            }
            else
            {
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> row = _matrix.AsSpan(i * d, d);
                    double u = 0;
                    for (int j = 0; j < d; j++)
                    {
                        u += row[j] * z[j];
                    }

                    sum += u * z[i];
                }
            }

            return sum;
        }

        /// <summary><see cref="Distance"/> of four consecutive rows (row stride <paramref name="stride"/>), one per lane, in the same operation order.</summary>
        public Vector256<double> Distance4(ReadOnlySpan<float> x, int stride, Vector256<double>[] z)
        {
            int d = Dimension;
            for (int j = 0; j < d; j++)
            {
                Vector256<double> v = Vector256.Create((double)x[j], x[stride + j], x[(2 * stride) + j], x[(3 * stride) + j]);
                z[j] = ((v - Vector256.Create(_shift[j])) * Vector256.Create(_scale[j])) - Vector256.Create(_center[j]);
            }

            Vector256<double> sum = Vector256<double>.Zero;
            if (_cholesky)
            {
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> column = _matrix.AsSpan((i * d) + i, d - i);
                    Vector256<double> u = Vector256<double>.Zero;
                    for (int j = 0; j < column.Length; j++)
                    {
                        u += Vector256.Create(column[j]) * z[i + j];
                    }

                    sum += u * u;
                }
            }
            else
            {
                for (int i = 0; i < d; i++)
                {
                    ReadOnlySpan<double> row = _matrix.AsSpan(i * d, d);
                    Vector256<double> u = Vector256<double>.Zero;
                    for (int j = 0; j < d; j++)
                    {
                        u += Vector256.Create(row[j]) * z[j];
                    }

                    sum += u * z[i];
                }
            }

            return sum;
        }

        /// <summary>The Cholesky factor L of a symmetric positive-definite matrix, stored so that column i of L is contiguous from its diagonal; null when not positive definite.</summary>
        private static double[]? Cholesky(double[] a, int d)
        {
            var l = new double[d, d];
            for (int j = 0; j < d; j++)
            {
                double s = a[(j * d) + j];
                for (int k = 0; k < j; k++)
                {
                    s -= l[j, k] * l[j, k];
                }

                if (!(s > 0))
                {
                    return null;
                }

                l[j, j] = Math.Sqrt(s);
                for (int i = j + 1; i < d; i++)
                {
                    double t = a[(i * d) + j];
                    for (int k = 0; k < j; k++)
                    {
                        t -= l[i, k] * l[j, k];
                    }

                    l[i, j] = t / l[j, j];
                }
            }

            // Column i of L from the diagonal down, at offset i*d + i (entries L[i..d-1, i]).
            var packed = new double[d * d];
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    packed[(i * d) + j] = l[j, i];
                }
            }

            return packed;
        }
    }
}
