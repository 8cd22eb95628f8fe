using System.Diagnostics;
using Astro.Catalogs;
using Astro.Inference.Models;
using Astro.Inference.Output;
using Astro.Inference.Packaging;

namespace Astro.Inference.Tests;

/// <summary>The whole-catalog pipeline: order, failures, cancellation, bounded memory and async callers.</summary>
public sealed class PredictionPipelineTests
{
    private static readonly TimeSpan s_noHang = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ManyChunks_ManyWorkers_RowsAreWrittenInCatalogOrder()
    {
        (PredictionService service, string catalog) = Setup(2_000, new PredictionServiceOptions { ChunkRows = 7, BatchSize = 5, MaxDegreeOfParallelism = 4, PipelineDepth = 1 });
        var writer = new RecordingWriter { Delay = i => i % 3 == 0 ? 2 : 0 };

        PredictionRunSummary summary = await service.PredictCatalogAsync(catalog, writer).WaitAsync(s_noHang);

        Assert.Equal(2_000, summary.RowsWritten);
        Assert.True(writer.Completed);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => (long)i), writer.FirstRows.SelectMany((first, b) => Enumerable.Range(0, writer.Counts[b]).Select(i => first + i)));
        Assert.Equal(Enumerable.Range(2, 2_000).Select(i => (long)i), writer.Lines);
    }

    [Fact]
    public async Task WriterFailure_IsTheExceptionThrown_AndNoStageHangs()
    {
        (PredictionService service, string catalog) = Setup(500, new PredictionServiceOptions { ChunkRows = 10, MaxDegreeOfParallelism = 3 });
        var writer = new RecordingWriter { FailAt = 4 };

        IOException e = await Assert.ThrowsAsync<IOException>(() => service.PredictCatalogAsync(catalog, writer).WaitAsync(s_noHang));

        Assert.Equal("disk full (test)", e.Message);
        Assert.Equal(4, writer.Counts.Count);
        Assert.False(writer.Completed);
    }

    [Fact]
    public async Task ReaderFailure_IsTheExceptionThrown()
    {
        (PredictionService service, string catalog) = Setup(300, new PredictionServiceOptions { ChunkRows = 10, MaxDegreeOfParallelism = 2 });
        using (var s = new StreamWriter(catalog, append: true))
        {
            s.Write("1,2,3\n"); // too few fields: the profile reads the catalog with MalformedRowHandling.Fail below
        }

        var reader = new CatalogReader(service.ServingProfile, new CatalogReaderOptions { ChunkRows = 10, MalformedRowHandling = MalformedRowHandling.Fail });
        using CatalogReadSession session = reader.Open(catalog);
        var writer = new RecordingWriter();

        CatalogException e = await Assert.ThrowsAsync<CatalogException>(() => service.RunPipelineAsync(session, writer, Stopwatch.StartNew(), default).WaitAsync(s_noHang));

        Assert.Contains("line 302", e.Message, StringComparison.Ordinal);
        Assert.False(writer.Completed);
    }

    [Fact]
    public async Task CancelledByTheCaller_ThrowsOperationCanceled()
    {
        (PredictionService service, string catalog) = Setup(500, new PredictionServiceOptions { ChunkRows = 10, MaxDegreeOfParallelism = 2 });
        using var cts = new CancellationTokenSource();
        var writer = new RecordingWriter { OnWrite = i => { if (i == 2) { cts.Cancel(); } } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.PredictCatalogAsync(catalog, writer, cts.Token).WaitAsync(s_noHang));

        Assert.False(writer.Completed);
    }

    [Fact]
    public async Task BlockedWriter_ReadingStopsAtTheBound_AndTheAsyncCallerIsNotBlocked()
    {
        const int ChunkRows = 10;
        var options = new PredictionServiceOptions { ChunkRows = ChunkRows, MaxDegreeOfParallelism = 2, PipelineDepth = 1 };
        (PredictionService service, string catalog) = Setup(1_000, options);
        using var gate = new ManualResetEventSlim(false);
        var writer = new RecordingWriter { OnWrite = _ => gate.Wait() };
        var reader = new CatalogReader(service.ServingProfile, new CatalogReaderOptions { ChunkRows = ChunkRows });
        using CatalogReadSession session = reader.Open(catalog);

        Task<PredictionRunSummary> run = service.RunPipelineAsync(session, writer, Stopwatch.StartNew(), default);

        // The call came back while the writer is blocked: the caller's thread was not held.
        Assert.False(run.IsCompleted);

        // Chunks held at once: depth + workers in the ordered channel (the one being written included), none read ahead of them.
        long bound = (options.PipelineDepth + options.MaxDegreeOfParallelism) * ChunkRows;
        long seen = 0;
        for (int i = 0; i < 40; i++)
        {
            await Task.Delay(25);
            seen = Math.Max(seen, session.Report.RowsRead);
            Assert.InRange(session.Report.RowsRead, 0, bound);
        }

        Assert.True(seen > 0, "the reader should have started");
        gate.Set();
        PredictionRunSummary summary = await run.WaitAsync(s_noHang);
        Assert.Equal(1_000, summary.RowsWritten);
    }

    [Fact]
    public async Task SyncWrapper_GivesTheSameRowsAsTheAsyncCall()
    {
        (PredictionService service, string catalog) = Setup(200, new PredictionServiceOptions { ChunkRows = 17, MaxDegreeOfParallelism = 2 });
        var a = new RecordingWriter();
        var b = new RecordingWriter();

        PredictionRunSummary sa = service.PredictCatalog(catalog, a);
        PredictionRunSummary sb = await service.PredictCatalogAsync(catalog, b).WaitAsync(s_noHang);

        Assert.Equal(sa.RowsWritten, sb.RowsWritten);
        Assert.Equal(a.Values, b.Values);
        Assert.Equal(a.Lines, b.Lines);
    }

    private static (PredictionService Service, string Catalog) Setup(int rows, PredictionServiceOptions options)
    {
        string dir = TestPackages.NewTempDir();
        string pkg = Path.Combine(dir, "pkg");
        TestPackages.WriteLinear(pkg);
        string catalog = Path.Combine(dir, "in.csv");
        TestPackages.WriteBossCsv(catalog, rows, (3, 1));
        return (new PredictionService(ModelPackage.Load(pkg), options), catalog);
    }

    /// <summary>Records what it is given; can stall, fail or run a callback on the n-th batch (0-based).</summary>
    private sealed class RecordingWriter : PredictionWriter
    {
        public List<long> FirstRows { get; } = [];

        public List<int> Counts { get; } = [];

        public List<long> Lines { get; } = [];

        public List<float> Values { get; } = [];

        public Func<int, int> Delay { get; init; } = _ => 0;

        public Action<int> OnWrite { get; init; } = _ => { };

        public int FailAt { get; init; } = -1;

        public bool Completed { get; private set; }

        public override void Write(PredictionBatch batch)
        {
            int i = Counts.Count;
            OnWrite(i);
            if (i == FailAt)
            {
                throw new IOException("disk full (test)");
            }

            Thread.Sleep(Delay(i));
            FirstRows.Add(batch.FirstRowIndex);
            Counts.Add(batch.RowCount);
            Lines.AddRange(batch.LineNumbers);
            Values.AddRange(batch.Values);
            RowsWritten += batch.RowCount;
        }

        public override void Complete() => Completed = true;
    }
}
