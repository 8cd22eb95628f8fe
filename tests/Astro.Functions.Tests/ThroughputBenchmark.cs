using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Astro.Catalogs;
using Astro.Functions.Hosting;
using Astro.Functions.Tests.Infrastructure;
using Astro.Inference.Packaging;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Testing;
using Astro.Trainer.Commands;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Astro.Functions.Tests;

/// <summary>
/// Throughput of the catalog fan-out end to end through the queues: a BOSS DR10 catalog of ASTRO_BENCH_ROWS rows (default
/// 1,000,000; the 40 rows of samples/catalogs/sdss-boss-dr10 repeated) uploaded to Azurite, planned, split into chunks of
/// 50,000 rows on catalog-chunks, predicted by the shipped sdss-boss-dr10-zspec package (models/, or ASTRO_DEMO_MODELS) in
/// parallel queue-trigger invocations, merged into CSV + FITS + summary. Reports rows/s and where the time goes (the
/// summary's timings, plus a single sequential read and predict of the same file for comparison).
/// Run: <c>ASTRO_BENCH=1 dotnet test tests/Astro.Functions.Tests -c Release --filter ThroughputBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class ThroughputBenchmark(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task Million_row_catalog_through_the_queues()
    {
        int rows = int.TryParse(Environment.GetEnvironmentVariable("ASTRO_BENCH_ROWS"), CultureInfo.InvariantCulture, out int r) ? r : 1_000_000;
        string root = Azurite.RepoRoot();
        string models = Environment.GetEnvironmentVariable("ASTRO_DEMO_MODELS") ?? Path.Combine(root, "models");
        string package = Path.Combine(models, "sdss-boss-dr10-zspec");
        string sample = Path.Combine(Environment.GetEnvironmentVariable("ASTRO_DEMO_SAMPLES") ?? Path.Combine(root, "samples"), "catalogs", "sdss-boss-dr10", "boss_dr10_eval0_excerpt.csv");
        string work = Path.Combine(Path.GetTempPath(), "astro-throughput-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        string catalog = Path.Combine(work, "boss-1m.csv");
        string[] lines = File.ReadAllLines(sample);
        await using (var w = new StreamWriter(catalog, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" })
        {
            w.WriteLine(lines[0]);
            string[] data = [.. lines.Skip(1).Where(l => l.Length > 0)];
            for (int i = 0; i < rows; i++)
            {
                w.WriteLine(data[i % data.Length]);
            }
        }

        var logs = new ConcurrentQueue<string>();
        using var azurite = new Azurite();
        var settings = new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = azurite.ConnectionString,
            [SettingKeys.HttpEnabled] = "false",
            [$"{SettingKeys.Catalogs}:WorkDirectory"] = Path.Combine(work, "host"),
            [SettingKeys.ModelCacheDirectory] = Path.Combine(work, "models"),
            [SettingKeys.QueueMaxPollingInterval] = "00:00:00.500",
            [SettingKeys.DisableTimer] = "true",
        };
        var storage = new TestStorage(azurite.ConnectionString, new StorageLayoutOptions());
        await storage.EnsureCreatedAsync();
        await ModelPublisher.PublishAsync(storage.Services, package);
        using IHost host = FunctionHost.Build(FunctionHost.BuildConfiguration([], settings), l => l.AddProvider(new ListLoggerProvider(logs)));
        await host.StartAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            await storage.Catalogs.GetBlobClient("bench/boss-1m.csv").UploadAsync(catalog, new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["profile"] = "sdss-boss-dr10" } });
            double upload = watch.Elapsed.TotalSeconds;
            BinaryData json = await HostFixture.WaitForBlobAsync(storage.Predictions, "catalogs/bench/boss-1m.summary.json", TimeSpan.FromMinutes(30));
            double total = watch.Elapsed.TotalSeconds;
            CatalogSummary summary = JsonSerializer.Deserialize<CatalogSummary>(json.ToString(), StorageJson.Compact)!;
            Assert.Equal(rows, summary.RowsIn);
            Assert.True(summary.RowsPredicted > rows * 0.9, $"{summary.RowsPredicted} of {rows} predicted");

            // The same work in one sequential pass (no storage, no queues): read + predict the whole file once.
            ModelPackage pkg = ModelPackage.Load(package);
            var service = new Astro.Inference.PredictionService(pkg, new Astro.Inference.PredictionServiceOptions());
            var seq = Stopwatch.StartNew();
            var reader = new CatalogReader(service.ServingProfile, new CatalogReaderOptions { ChunkRows = summary.ChunkRows });
            long readRows = 0;
            using (CatalogReadSession session = reader.Open(catalog))
            {
                foreach (var chunk in session.ReadChunks())
                {
                    readRows += chunk.RowCount;
                }
            }

            double readOnce = seq.Elapsed.TotalSeconds;
            seq.Restart();
            using (CatalogReadSession session = reader.Open(catalog))
            {
                foreach (var chunk in session.ReadChunks())
                {
                    _ = service.Predict(chunk);
                }
            }

            double readPredictOnce = seq.Elapsed.TotalSeconds;
            int chunks = summary.Chunks;
            double rereadRows = (double)summary.ChunkRows * chunks * (chunks + 1) / 2;
            string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
            string report = string.Join('\n',
                $"catalog fan-out throughput: {rows:N0} BOSS rows ({new FileInfo(catalog).Length / 1e6:F1} MB CSV), {chunks} chunks of {summary.ChunkRows:N0}, model sdss-boss-dr10-zspec, Azurite in memory, {Environment.ProcessorCount} cores, load average {load}",
                $"  upload {upload:F1} s; upload → merged outputs {summary.Timings.UploadToOutputSeconds:F1} s (client saw the summary after {total:F1} s) = {rows / total:N0} rows/s end to end",
                $"  plan (download, validate, count rows, send chunk messages) {summary.Timings.PlanSeconds:F1} s",
                $"  chunk work: {summary.Timings.ChunkSecondsTotal:F1} s summed over chunks, slowest chunk {summary.Timings.ChunkSecondsMax:F1} s",
                $"  merge (download parts, write CSV + FITS, upload) {summary.Timings.MergeSeconds:F1} s",
                $"  for comparison, one sequential pass over the file: read {readOnce:F1} s, read + predict {readPredictOnce:F1} s ({readRows:N0} rows)",
                $"  rows parsed by the chunk workers: {(summary.Timings.ChunkSecondsTotal > 0 ? rereadRows : 0):N0} (each chunk reads the file from the start up to its rows) vs {rows:N0}");
            output.WriteLine(report);
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "astro-functions-throughput.txt"), report + "\n");
        }
        finally
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // stopping took too long
            }

            Directory.Delete(work, recursive: true);
        }
    }
}
