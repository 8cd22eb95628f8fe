using System.Collections.Concurrent;
using System.Diagnostics;
using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Predictions;
using Astro.Inference.Models;
using Astro.Inference.Output;

namespace Astro.Inference;

// The whole-catalog pipeline: read → preprocess and predict → write in catalog order.
public partial class PredictionService
{
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
}
