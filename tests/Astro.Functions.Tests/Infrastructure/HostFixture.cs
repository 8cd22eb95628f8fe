using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Astro.Functions.Hosting;
using Astro.Services;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Testing;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BlobProperties = Azure.Storage.Blobs.Models.BlobProperties;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Tests.Infrastructure;

/// <summary>
/// Azurite plus two in-process function hosts on it: the main host (blob triggers on, small chunks, a timer every
/// 2 seconds) and an Event Grid host (its own container and queue names, blob triggers disabled) so the blob-events path is
/// tested on its own. The test model <c>test-linear</c> (profile test-3band) is published before the hosts start.
/// </summary>
public sealed class HostFixture : IAsyncLifetime
{
    public const string Profile = "test-3band";
    public const string ModelName = "test-linear";
    public const string ModelVersion = "20260101.000000";
    public const float Bias = 9f;
    public const string Key = "test-function-key-0123456789";
    public const int ChunkRows = 3;

    private readonly string _work = Path.Combine(Path.GetTempPath(), "astro-functions-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public Azurite Azurite { get; private set; } = null!;

    public IHost Host { get; private set; } = null!;

    public IHost EventHost { get; private set; } = null!;

    public TestStorage Storage { get; private set; } = null!;

    public TestStorage EventStorage { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public ConcurrentQueue<string> Logs { get; } = new();

    public double HostStartSeconds { get; private set; }

    public string Work => _work;

    public async Task InitializeAsync()
    {
        Azurite = new Azurite();
        Storage = new TestStorage(Azurite.ConnectionString, new StorageLayoutOptions());
        await Storage.EnsureCreatedAsync();
        var registry = new ModelRegistry(Storage.Services, new ModelRegistryOptions { CacheDirectory = Path.Combine(_work, "publish-cache") });
        await registry.PublishAsync(TestPackages.Write(Path.Combine(_work, "pkg", ModelName), ModelName, ModelVersion, Profile, Bias));

        int port = Azurite.FreePort();
        var watch = Stopwatch.StartNew();
        Host = FunctionHost.Build(FunctionHost.BuildConfiguration([], Settings(port, Path.Combine(_work, "main"), null)), l => l.AddProvider(new ListLoggerProvider(Logs)));
        await Host.StartAsync();
        HostStartSeconds = watch.Elapsed.TotalSeconds;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("x-functions-key", Key);

        var eventLayout = EventLayout();
        EventStorage = new TestStorage(Azurite.ConnectionString, eventLayout);
        await EventStorage.EnsureCreatedAsync();
        await new ModelRegistry(EventStorage.Services, new ModelRegistryOptions { CacheDirectory = Path.Combine(_work, "publish-cache") })
            .PublishAsync(Path.Combine(_work, "pkg", ModelName));
        var eventSettings = Settings(Azurite.FreePort(), Path.Combine(_work, "events"), eventLayout);
        eventSettings[SettingKeys.DisableBlobTriggers] = "true";
        eventSettings[SettingKeys.HttpEnabled] = "false";
        eventSettings[SettingKeys.DisableTimer] = "true";
        EventHost = FunctionHost.Build(FunctionHost.BuildConfiguration([], eventSettings), l => l.AddProvider(new ListLoggerProvider(Logs)));
        await EventHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        foreach (IHost? h in new[] { Host, EventHost })
        {
            if (h is not null)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await h.StopAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    // stopping took too long; Azurite goes away anyway
                }

                h.Dispose();
            }
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

    public static StorageLayoutOptions EventLayout() => new()
    {
        CutoutsContainer = "eg-cutouts",
        CatalogsContainer = "eg-catalogs",
        PredictionsContainer = "eg-predictions",
        ModelsContainer = "eg-models",
        TrainingDataContainer = "eg-training-data",
        QuarantineContainer = "eg-quarantine",
        CatalogChunksQueue = "eg-catalog-chunks",
        TrainingJobsQueue = "eg-training-jobs",
        ModelPublishedQueue = "eg-model-published",
        BlobEventsQueue = "eg-blob-events",
    };

    /// <summary>Waits until a blob exists and returns its content.</summary>
    public static async Task<BinaryData> WaitForBlobAsync(BlobContainerClient container, string name, TimeSpan timeout, Func<BlobProperties, bool>? accept = null)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                BlobDownloadResult r = await container.GetBlobClient(name).DownloadContentAsync();
                if (accept is null || accept(await container.GetBlobClient(name).GetPropertiesAsync()))
                {
                    return r.Content;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // not yet
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{container.Name}/{name} did not appear within {timeout.TotalSeconds} s");
            }

            await Task.Delay(50);
        }
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using HttpResponseMessage r = await Http.GetAsync(path);
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{path}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));

    private Dictionary<string, string?> Settings(int port, string work, StorageLayoutOptions? layout)
    {
        var s = new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = Azurite.ConnectionString,
            [SettingKeys.HttpPort] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.FunctionKey] = Key,
            [$"{SettingKeys.Catalogs}:ChunkRows"] = ChunkRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"{SettingKeys.Catalogs}:DefaultProfile"] = Profile,
            [$"{SettingKeys.Catalogs}:WorkDirectory"] = work,
            [SettingKeys.ModelCacheDirectory] = Path.Combine(work, "models"),
            [SettingKeys.ModelRefreshInterval] = "00:00:30",
            [SettingKeys.QueueMaxPollingInterval] = "00:00:00.500",
            [SettingKeys.TrainingSchedule] = "*/2 * * * * *",
            [SettingKeys.MaxJsonBytes] = "65536",
            [SettingKeys.MaxCatalogBytes] = "1048576",
            ["Logging:LogLevel:Default"] = "Information",
        };
        if (layout is not null)
        {
            foreach (var p in typeof(StorageLayoutOptions).GetProperties().Where(p => p.PropertyType == typeof(string)))
            {
                s[$"{SettingKeys.Storage}:{p.Name}"] = (string?)p.GetValue(layout);
            }
        }

        return s;
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "function host on Azurite";
}

/// <summary>Collects formatted log lines with their scopes (to check correlation ids).</summary>
internal sealed class ListLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, lines, () => _scopes);

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
            var scope = new System.Text.StringBuilder();
            scopes().ForEachScope((s, sb) =>
            {
                if (s is IEnumerable<KeyValuePair<string, object>> kv)
                {
                    foreach (var p in kv)
                    {
                        sb.Append(p.Key).Append('=').Append(p.Value).Append(' ');
                    }
                }
            }, scope);
            lines.Enqueue($"{logLevel} {category} [{scope}] {formatter(state, exception)}");
        }
    }
}
