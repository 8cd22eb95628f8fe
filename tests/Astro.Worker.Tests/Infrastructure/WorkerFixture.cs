using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astro.Functions.Hosting;
using Astro.Services;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Services.Training;
using Astro.Testing;
using Astro.Training.Worker;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astro.Worker.Tests.Infrastructure;

/// <summary>
/// Azurite, the function host started in-process (as tests/Astro.Functions.Tests does; timer off so it enqueues no jobs
/// of its own), a synthetic profile <c>worker-3band</c> in <c>training-data/profiles/</c> and a synthetic training
/// catalog in <c>training-data/worker-3band/train.csv</c>.
/// </summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    public const string Profile = "worker-3band";
    public const string CatalogBlob = "worker-3band/train.csv";
    public const string Key = "worker-test-function-key-0123456789";
    public const int Rows = 1200;

    private readonly string _work = Path.Combine(Path.GetTempPath(), "astro-worker-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public Azurite Azurite { get; private set; } = null!;

    public IHost Host { get; private set; } = null!;

    public TestStorage Storage { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public ConcurrentQueue<string> Logs { get; } = new();

    public string Work => _work;

    public async Task InitializeAsync()
    {
        Azurite = new Azurite();
        Storage = new TestStorage(Azurite.ConnectionString, new StorageLayoutOptions());
        await Storage.EnsureCreatedAsync();
        await Storage.TrainingData.GetBlobClient($"profiles/{Profile}.json").UploadAsync(BinaryData.FromString(ProfileJson), overwrite: true);
        await Storage.TrainingData.GetBlobClient(CatalogBlob).UploadAsync(BinaryData.FromString(Catalog(Rows, seed: 11)), overwrite: true);

        int port = Azurite.FreePort();
        var settings = new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = Azurite.ConnectionString,
            [SettingKeys.HttpPort] = port.ToString(CultureInfo.InvariantCulture),
            [SettingKeys.FunctionKey] = Key,
            [$"{SettingKeys.Catalogs}:DefaultProfile"] = Profile,
            [$"{SettingKeys.Catalogs}:WorkDirectory"] = Path.Combine(_work, "host"),
            [SettingKeys.ModelCacheDirectory] = Path.Combine(_work, "host-models"),
            [SettingKeys.ModelRefreshInterval] = "00:01:00",
            [SettingKeys.QueueMaxPollingInterval] = "00:00:00.500",
            [SettingKeys.DisableTimer] = "true",
            [SettingKeys.DisableBlobTriggers] = "true",
            ["Logging:LogLevel:Default"] = "Information",
        };
        Host = FunctionHost.Build(FunctionHost.BuildConfiguration([], settings), l => l.AddProvider(new ListLoggerProvider(Logs, "host")));
        await Host.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("x-functions-key", Key);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Host is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await Host.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Azurite goes away anyway
            }

            Host.Dispose();
        }

        Azurite?.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    /// <summary>Storage clients whose training-jobs queue is <paramref name="queue"/> (so tests never see each other's jobs).</summary>
    public async Task<TestStorage> StorageWithQueueAsync(string queue)
    {
        var storage = new TestStorage(Azurite.ConnectionString, new StorageLayoutOptions { TrainingJobsQueue = queue });
        await storage.EnsureCreatedAsync();
        return storage;
    }

    /// <summary>Worker options for tests: small visibility and retry delay, every epoch logged, work under the fixture's folder.</summary>
    public TrainingWorkerOptions WorkerOptions() => new()
    {
        Once = true,
        VisibilityTimeout = TimeSpan.FromSeconds(30),
        RetryDelay = TimeSpan.FromSeconds(1),
        ProgressLogInterval = TimeSpan.Zero,
        WritePlots = false,
        WorkDirectory = Path.Combine(_work, "worker"),
        ProfilesDirectory = Path.Combine(_work, "no-local-profiles"),
        CreateStorage = false,
    };

    public TrainingWorker Worker(TestStorage storage, TrainingWorkerOptions? options = null) => Worker(storage.Services, options);

    public TrainingWorker Worker(AstroStorage storage, TrainingWorkerOptions? options = null) =>
        new(storage, options ?? WorkerOptions(), new ListLoggerProvider(Logs, "worker").CreateLogger("Astro.Training.Worker"));

    /// <summary>A job for the synthetic catalog; <paramref name="options"/> are added to small-network defaults.</summary>
    public static TrainingJobMessage Job(string model, params (string Key, string Value)[] options)
    {
        var o = new Dictionary<string, string>
        {
            ["architecture"] = "custom:16,16",
            ["epochs"] = "120",
            ["patience"] = "120",
            ["batchSize"] = "64",
            ["learningRate"] = "0.01",
            ["ensembleSize"] = "1",
            ["baseline"] = "none",
            ["selection"] = "none",
        };
        foreach ((string k, string v) in options)
        {
            o[k] = v;
        }

        return TrainingScheduler.Complete(new TrainingJobMessage { ModelName = model, Profile = Profile, Target = "logMstar", TrainingData = [CatalogBlob], Options = o }, "test");
    }

    public static Task SendAsync(TestStorage storage, TrainingJobMessage job) => TrainingScheduler.SendAsync(storage.Services, job);

    public async Task<string?> PointerAsync(string model)
    {
        BlobClient b = Storage.Models.GetBlobClient($"{model}/current");
        return await b.ExistsAsync() ? (await b.DownloadContentAsync()).Value.Content.ToString() : null;
    }

    public async Task<JsonNode> ResultBlobAsync(string jobId) =>
        JsonNode.Parse((await Storage.TrainingData.GetBlobClient(TrainingWorker.ResultBlobName(jobId)).DownloadContentAsync()).Value.Content.ToString())!;

    /// <summary>The synthetic truth: log10 stellar mass from the fluxes and redshift (what the catalog encodes, before noise).</summary>
    public static double LogMass(double f1, double z) => 9.0 + Math.Log10(f1 / 100.0) + (2.0 * Math.Log10(z / 0.1));

    /// <summary>
    /// A catalog whose mass is learnable from the photometry: f1 ∝ M / d², f2 and f3 are colours of f1; 2% flux noise.
    /// Columns id, f1..f3 (µJy), e1..e3, z, mstar (Msun, linear: the profile takes log10).
    /// </summary>
    public static string Catalog(int rows, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("id,f1,e1,f2,e2,f3,e3,z,mstar\n");
        for (int i = 0; i < rows; i++)
        {
            double z = 0.03 + (0.27 * rng.NextDouble());
            double logM = 9.0 + (2.5 * rng.NextDouble());
            double f1 = 100.0 * Math.Pow(10, logM - 9.0) * Math.Pow(0.1 / z, 2);
            double color = 0.5 + rng.NextDouble();
            double f2 = f1 * color;
            double f3 = f1 * color * color;
            double Noisy(double f) => f * (1 + (0.02 * Gaussian(rng)));
            f1 = Noisy(f1);
            f2 = Noisy(f2);
            f3 = Noisy(f3);
            sb.Append(CultureInfo.InvariantCulture, $"g{i},{f1:R},{0.02 * f1:R},{f2:R},{0.02 * f2:R},{f3:R},{0.02 * f3:R},{z:R},{Math.Pow(10, logM):R}\n");
        }

        return sb.ToString();
    }

    public static string ProfileJson => $$"""
        {
          "formatVersion": 1,
          "name": "{{Profile}}",
          "description": "Worker tests: three fluxes in microjansky with errors, redshift, linear stellar mass.",
          "idColumn": "id",
          "bands": [
            { "name": "b1", "column": "f1", "errorColumn": "e1", "unit": "uJy" },
            { "name": "b2", "column": "f2", "errorColumn": "e2", "unit": "uJy" },
            { "name": "b3", "column": "f3", "errorColumn": "e3", "unit": "uJy" }
          ],
          "redshift": { "column": "z" },
          "labels": [ { "name": "logMstar", "column": "mstar", "transform": "log10" } ],
          "model": { "representation": "fluxMicroJansky", "includeRedshift": true }
        }
        """;

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

[CollectionDefinition(Name)]
public sealed class WorkerCollection : ICollectionFixture<WorkerFixture>
{
    public const string Name = "worker and function host on Azurite";
}

/// <summary>Collects formatted log lines with their scopes (to check progress lines and correlation ids).</summary>
internal sealed class ListLoggerProvider(ConcurrentQueue<string> lines, string source) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new ListLogger($"{source}:{categoryName}", lines, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, ConcurrentQueue<string> lines, Func<IExternalScopeProvider> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes().Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new StringBuilder();
            scopes().ForEachScope(
                (s, sb) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object>> kv)
                    {
                        foreach (var p in kv)
                        {
                            sb.Append(p.Key).Append('=').Append(p.Value).Append(' ');
                        }
                    }
                },
                scope);
            lines.Enqueue($"{logLevel} {category} [{scope}] {formatter(state, exception)}");
        }
    }
}
