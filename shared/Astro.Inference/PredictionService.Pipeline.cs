using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Output;

namespace Astro.Inference;

// The whole-catalog pipeline: read → preprocess and predict → write in catalog order, over two bounded channels.
public partial class PredictionService
{
    /// <summary>
    /// Predicts a whole catalog into a writer; blocks the calling thread until the run ends. Async callers use
    /// <see cref="PredictCatalogAsync"/>.
    /// </summary>
    /// <param name="catalogPath">A text catalog or a FITS binary table.</param>
    /// <param name="writer">Where the rows go; <see cref="PredictionWriter.Complete"/> is called at the end.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>Counts and time per stage (stage times are summed over threads).</returns>
    /// <exception cref="FileNotFoundException">The catalog does not exist.</exception>
    /// <exception cref="CatalogException">The catalog lacks a column the model needs, or is unreadable.</exception>
    /// <exception cref="Fits.FitsException">A FITS catalog is malformed.</exception>
    public virtual PredictionRunSummary PredictCatalog(string catalogPath, PredictionWriter writer, CancellationToken cancellationToken = default) =>
        PredictCatalogAsync(catalogPath, writer, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Predicts a whole catalog into a writer, pipelined: a reader parses chunks, <see cref="PredictionServiceOptions.MaxDegreeOfParallelism"/>
    /// workers preprocess and predict them (one chunk each at a time), and a writer writes them in catalog order.
    /// </summary>
    /// <remarks>
    /// The stages run on the thread pool and are joined by two bounded channels: chunks waiting for a worker
    /// (<see cref="PredictionServiceOptions.PipelineDepth"/>), and every chunk's pending result in catalog order
    /// (depth + workers). A chunk enters the ordered channel before it is read and leaves it once written, so at most
    /// depth + workers chunks are held at once, whatever the catalog's size. The first stage that fails stops the
    /// others; its exception is the one thrown.
    /// </remarks>
    /// <param name="catalogPath">A text catalog or a FITS binary table.</param>
    /// <param name="writer">Where the rows go; <see cref="PredictionWriter.Complete"/> is called at the end.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>Counts and time per stage (stage times are summed over threads).</returns>
    /// <exception cref="FileNotFoundException">The catalog does not exist.</exception>
    /// <exception cref="CatalogException">The catalog lacks a column the model needs, or is unreadable.</exception>
    /// <exception cref="Fits.FitsException">A FITS catalog is malformed.</exception>
    public virtual async Task<PredictionRunSummary> PredictCatalogAsync(string catalogPath, PredictionWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(catalogPath);
        ArgumentNullException.ThrowIfNull(writer);
        var total = Stopwatch.StartNew();
        using CatalogReadSession session = CreateCatalogReader().Open(catalogPath);
        return await RunPipelineAsync(session, writer, total, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pipeline over an open session (tests watch the session's report while the pipeline runs).</summary>
    internal async Task<PredictionRunSummary> RunPipelineAsync(CatalogReadSession session, PredictionWriter writer, Stopwatch total, CancellationToken cancellationToken)
    {
        string catalogPath = session.SourcePath;
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
        var run = new PipelineRun(cts);
        var toPredict = Channel.CreateBounded<PendingChunk>(new BoundedChannelOptions(_options.PipelineDepth) { SingleWriter = true });
        var inOrder = Channel.CreateBounded<Task<PredictionBatch>>(new BoundedChannelOptions(_options.PipelineDepth + workers) { SingleWriter = true, SingleReader = true });
        int parallelism = workers == 1 ? _options.MaxDegreeOfParallelism : 1;
        Task[] stages = new Task[workers + 2];
        stages[0] = run.Stage(() => ReadStageAsync(session, toPredict.Writer, inOrder.Writer, run));
        for (int w = 0; w < workers; w++)
        {
            CatalogPreprocessor preprocessor = preprocessors[w];
            stages[w + 1] = run.Stage(() => PredictStageAsync(toPredict.Reader, preprocessor, parallelism, run));
        }

        stages[^1] = run.Stage(() => WriteStageAsync(inOrder.Reader, writer, summary, run));
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported below, the root cause first (the other stages were cancelled because of it).
        }

        foreach (Task stage in stages)
        {
            ThrowIfFailed(stage, cancellationToken);
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
        run.WriteTicks += Stopwatch.GetTimestamp() - tw;
        summary.ReadSeconds = Stopwatch.GetElapsedTime(0, run.ReadTicks).TotalSeconds;
        summary.PreprocessSeconds = Stopwatch.GetElapsedTime(0, run.PreprocessTicks).TotalSeconds;
        summary.PredictSeconds = Stopwatch.GetElapsedTime(0, run.PredictTicks).TotalSeconds;
        summary.WriteSeconds = Stopwatch.GetElapsedTime(0, run.WriteTicks).TotalSeconds;
        summary.TotalSeconds = total.Elapsed.TotalSeconds;
        return summary;
    }

    /// <summary>Parses chunks; each one's pending result joins the ordered channel before the chunk joins the work channel, so results are written in catalog order.</summary>
    private static async Task ReadStageAsync(CatalogReadSession session, ChannelWriter<PendingChunk> toPredict, ChannelWriter<Task<PredictionBatch>> inOrder, PipelineRun run)
    {
        CancellationToken token = run.Token;
        try
        {
            using IEnumerator<CatalogChunk> e = session.ReadChunks(token).GetEnumerator();
            // A chunk is read only once the ordered channel has room for it (this stage is its only writer, so the room stays).
            while (await inOrder.WaitToWriteAsync(token).ConfigureAwait(false))
            {
                long t0 = Stopwatch.GetTimestamp();
                bool more = e.MoveNext();
                run.ReadTicks += Stopwatch.GetTimestamp() - t0;
                if (!more)
                {
                    break;
                }

                var result = new TaskCompletionSource<PredictionBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!inOrder.TryWrite(result.Task))
                {
                    throw new InvalidOperationException("The ordered channel lost the room it had.");
                }

                await toPredict.WriteAsync(new PendingChunk(e.Current, result), token).ConfigureAwait(false);
            }
        }
        finally
        {
            toPredict.TryComplete();
            inOrder.TryComplete();
        }
    }

    private async Task PredictStageAsync(ChannelReader<PendingChunk> toPredict, CatalogPreprocessor preprocessor, int parallelism, PipelineRun run)
    {
        CancellationToken token = run.Token;
        await foreach (PendingChunk pending in toPredict.ReadAllAsync(token).ConfigureAwait(false))
        {
            try
            {
                long t0 = Stopwatch.GetTimestamp();
                PreprocessedChunk input = preprocessor.Process(pending.Chunk);
                long t1 = Stopwatch.GetTimestamp();
                PredictionBatch batch = PredictCore(pending.Chunk, input, parallelism, token);
                long t2 = Stopwatch.GetTimestamp();
                Interlocked.Add(ref run.PreprocessTicks, t1 - t0);
                Interlocked.Add(ref run.PredictTicks, t2 - t1);
                pending.Result.SetResult(batch);
            }
            catch (Exception e)
            {
                pending.Result.SetCanceled(CancellationToken.None);
                ExceptionDispatchInfo.Capture(e).Throw();
            }
        }
    }

    private static async Task WriteStageAsync(ChannelReader<Task<PredictionBatch>> inOrder, PredictionWriter writer, PredictionRunSummary summary, PipelineRun run)
    {
        // A chunk leaves the ordered channel only once written, so the channel's capacity bounds every chunk alive.
        CancellationToken token = run.Token;
        while (await inOrder.WaitToReadAsync(token).ConfigureAwait(false))
        {
            while (inOrder.TryPeek(out Task<PredictionBatch>? next))
            {
                PredictionBatch batch = await next.WaitAsync(token).ConfigureAwait(false);
                long t0 = Stopwatch.GetTimestamp();
                writer.Write(batch);
                run.WriteTicks += Stopwatch.GetTimestamp() - t0;
                Count(summary, batch);
                inOrder.TryRead(out _);
            }
        }
    }

    /// <summary>Rethrows a stage's own failure; a stage cancelled only because another one failed is passed over.</summary>
    private static void ThrowIfFailed(Task stage, CancellationToken cancellationToken)
    {
        if (stage.IsFaulted)
        {
            Exception e = stage.Exception!.InnerExceptions.Count == 1 ? stage.Exception.InnerException! : stage.Exception;
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return;
            }

            ExceptionDispatchInfo.Capture(e).Throw();
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

    /// <summary>A chunk waiting for a worker, and where its result goes.</summary>
    private sealed record PendingChunk(CatalogChunk Chunk, TaskCompletionSource<PredictionBatch> Result);

    /// <summary>One run's shared state: the token every stage watches, and the time per stage.</summary>
    private sealed class PipelineRun(CancellationTokenSource cts)
    {
        public long ReadTicks;
        public long PreprocessTicks;
        public long PredictTicks;
        public long WriteTicks;

        public CancellationToken Token { get; } = cts.Token;

        /// <summary>Starts a stage on the thread pool; a stage that fails cancels the others.</summary>
        public Task Stage(Func<Task> body) => Task.Run(async () =>
        {
            try
            {
                await body().ConfigureAwait(false);
            }
            catch
            {
                cts.Cancel();
                throw;
            }
        });
    }
}
