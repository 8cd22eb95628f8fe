using System.Globalization;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Training;
using Astro.Storage;
using Microsoft.Extensions.Configuration;

namespace Astro.Functions.Hosting;

/// <summary>The documented setting keys and defaults of the function app.</summary>
public static class SettingKeys
{
    /// <summary>The storage connection string (the WebJobs SDK's name for it).</summary>
    public const string ConnectionString = "AzureWebJobsStorage";

    /// <summary>Container and queue names (section; keys are the <see cref="StorageLayoutOptions"/> properties).</summary>
    public const string Storage = "Astro:Storage";

    /// <summary>The port the HTTP functions listen on, on 127.0.0.1 (default 7071).</summary>
    public const string HttpPort = "Astro:Http:Port";

    /// <summary>The address the HTTP functions listen on (default 127.0.0.1; 0.0.0.0 in a container).</summary>
    public const string HttpAddress = "Astro:Http:Address";

    /// <summary>The function key the HTTP functions require (x-functions-key header or code query).</summary>
    public const string FunctionKey = "Astro:Http:FunctionKey";

    /// <summary>Whether the HTTP functions are served (default true).</summary>
    public const string HttpEnabled = "Astro:Http:Enabled";

    /// <summary>Largest JSON body of POST /api/predict and /api/training-jobs in bytes (default 1 MiB).</summary>
    public const string MaxJsonBytes = "Astro:Http:MaxJsonBytes";

    /// <summary>Largest body of POST /api/predict/catalog in bytes (default 16 MiB).</summary>
    public const string MaxCatalogBytes = "Astro:Http:MaxCatalogBytes";

    /// <summary>Most objects in one POST /api/predict (default 10,000).</summary>
    public const string MaxObjects = "Astro:Http:MaxObjects";

    /// <summary>Catalog pipeline options (section: ChunkRows, DefaultProfile, WorkDirectory).</summary>
    public const string Catalogs = "Astro:Catalogs";

    /// <summary>Where model packages are cached locally.</summary>
    public const string ModelCacheDirectory = "Astro:Models:CacheDirectory";

    /// <summary>How often the registry looks for new current versions (default 00:01:00).</summary>
    public const string ModelRefreshInterval = "Astro:Models:RefreshInterval";

    /// <summary>The retraining schedule, six-field CRON (default <c>0 0 3 * * 0</c>).</summary>
    public const string TrainingSchedule = "Astro:Training:Schedule";

    /// <summary>Longest wait between queue polls when queues are empty (default 00:00:02).</summary>
    public const string QueueMaxPollingInterval = "Astro:Queues:MaxPollingInterval";

    /// <summary>Deliveries before a message goes to the poison queue (default 5).</summary>
    public const string QueueMaxDequeueCount = "Astro:Queues:MaxDequeueCount";

    /// <summary>Messages fetched at once per queue (default 16).</summary>
    public const string QueueBatchSize = "Astro:Queues:BatchSize";

    /// <summary>"true" disables the blob triggers (use with Event Grid delivery in Azure).</summary>
    public const string DisableBlobTriggers = "Astro:Functions:DisableBlobTriggers";

    /// <summary>"true" disables the retraining timer (an instance that should not request retraining).</summary>
    public const string DisableTimer = "Astro:Functions:DisableTimer";

    /// <summary>The defaults as configuration entries (lowest priority), so trigger attributes can name them with %key%.</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        [$"{Storage}:{nameof(StorageLayoutOptions.CutoutsContainer)}"] = StorageLayoutDefaults.CutoutsContainer,
        [$"{Storage}:{nameof(StorageLayoutOptions.CatalogsContainer)}"] = StorageLayoutDefaults.CatalogsContainer,
        [$"{Storage}:{nameof(StorageLayoutOptions.PredictionsContainer)}"] = StorageLayoutDefaults.PredictionsContainer,
        [$"{Storage}:{nameof(StorageLayoutOptions.ModelsContainer)}"] = StorageLayoutDefaults.ModelsContainer,
        [$"{Storage}:{nameof(StorageLayoutOptions.TrainingDataContainer)}"] = StorageLayoutDefaults.TrainingDataContainer,
        [$"{Storage}:{nameof(StorageLayoutOptions.QuarantineContainer)}"] = StorageLayoutDefaults.QuarantineContainer,
        [$"{Storage}:{nameof(StorageLayoutOptions.CatalogChunksQueue)}"] = StorageLayoutDefaults.CatalogChunksQueue,
        [$"{Storage}:{nameof(StorageLayoutOptions.TrainingJobsQueue)}"] = StorageLayoutDefaults.TrainingJobsQueue,
        [$"{Storage}:{nameof(StorageLayoutOptions.ModelPublishedQueue)}"] = StorageLayoutDefaults.ModelPublishedQueue,
        [$"{Storage}:{nameof(StorageLayoutOptions.BlobEventsQueue)}"] = StorageLayoutDefaults.BlobEventsQueue,
        [TrainingSchedule] = TrainingScheduler.DefaultSchedule,
        [DisableBlobTriggers] = "false",
        [DisableTimer] = "false",
    };
}

/// <summary>The function app's settings, read once from configuration and validated at start-up.</summary>
public sealed class FunctionAppSettings
{
    /// <summary>The storage connection string.</summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>Container and queue names.</summary>
    public StorageLayoutOptions Storage { get; init; } = new();

    /// <summary>Whether HTTP is served.</summary>
    public bool HttpEnabled { get; init; } = true;

    /// <summary>The HTTP address.</summary>
    public string HttpAddress { get; init; } = "127.0.0.1";

    /// <summary>The HTTP port.</summary>
    public int HttpPort { get; init; } = 7071;

    /// <summary>The function key.</summary>
    public string FunctionKey { get; init; } = "";

    /// <summary>Largest JSON body.</summary>
    public long MaxJsonBytes { get; init; } = 1L << 20;

    /// <summary>Largest catalog body.</summary>
    public long MaxCatalogBytes { get; init; } = 16L << 20;

    /// <summary>Most objects per predict request.</summary>
    public int MaxObjects { get; init; } = 10_000;

    /// <summary>Catalog pipeline options.</summary>
    public CatalogPipelineOptions Catalogs { get; init; } = new();

    /// <summary>Model registry options.</summary>
    public ModelRegistryOptions Models { get; init; } = new();

    /// <summary>Registry refresh period.</summary>
    public TimeSpan ModelRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The retraining CRON.</summary>
    public string TrainingSchedule { get; init; } = TrainingScheduler.DefaultSchedule;

    /// <summary>Queue polling ceiling.</summary>
    public TimeSpan QueueMaxPollingInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Deliveries before poison.</summary>
    public int QueueMaxDequeueCount { get; init; } = 5;

    /// <summary>Queue batch size.</summary>
    public int QueueBatchSize { get; init; } = 16;

    /// <summary>Reads the settings and lists every problem (one line each, naming the setting).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="problems">The problems; empty when the settings are usable.</param>
    /// <returns>The settings (partly defaulted when there are problems).</returns>
    public static FunctionAppSettings Read(IConfiguration configuration, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var list = new List<string>();
        var layout = new StorageLayoutOptions();
        var catalogs = new CatalogPipelineOptions();
        try
        {
            configuration.GetSection(SettingKeys.Storage).Bind(layout);
            configuration.GetSection(SettingKeys.Catalogs).Bind(catalogs);
        }
        catch (InvalidOperationException e)
        {
            list.Add(e.Message.ReplaceLineEndings(" "));
        }

        string connection = configuration[SettingKeys.ConnectionString] ?? configuration.GetConnectionString(SettingKeys.ConnectionString) ?? "";
        if (CheckConnectionString(connection) is string cs)
        {
            list.Add($"{SettingKeys.ConnectionString}: {cs}");
        }

        list.AddRange(layout.Validate().Select(p => $"{SettingKeys.Storage}:{p}"));
        list.AddRange(catalogs.Validate().Select(p => $"{SettingKeys.Catalogs}:{p}"));
        bool http = Bool(configuration, SettingKeys.HttpEnabled, true, list);
        int port = Int(configuration, SettingKeys.HttpPort, 7071, 1, 65535, list);
        string key = configuration[SettingKeys.FunctionKey] ?? "";
        if (http && key.Length < 16)
        {
            list.Add($"{SettingKeys.FunctionKey}: {(key.Length == 0 ? "not set" : "shorter than 16 characters")}; the HTTP functions need a key (or set {SettingKeys.HttpEnabled}=false)");
        }

        string address = configuration[SettingKeys.HttpAddress] ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(address, out _))
        {
            list.Add($"{SettingKeys.HttpAddress}: '{address}' is not an IP address");
        }

        string schedule = configuration[SettingKeys.TrainingSchedule] ?? TrainingScheduler.DefaultSchedule;
        if (TrainingScheduler.ValidateSchedule(schedule) is string sp)
        {
            list.Add($"{SettingKeys.TrainingSchedule}: {sp}");
        }

        var models = new ModelRegistryOptions();
        if (configuration[SettingKeys.ModelCacheDirectory] is { Length: > 0 } cache)
        {
            models.CacheDirectory = cache;
        }

        var settings = new FunctionAppSettings
        {
            ConnectionString = connection,
            Storage = layout,
            HttpEnabled = http,
            HttpAddress = address,
            HttpPort = port,
            FunctionKey = key,
            MaxJsonBytes = Long(configuration, SettingKeys.MaxJsonBytes, 1L << 20, 1024, 1L << 30, list),
            MaxCatalogBytes = Long(configuration, SettingKeys.MaxCatalogBytes, 16L << 20, 1024, 1L << 31, list),
            MaxObjects = Int(configuration, SettingKeys.MaxObjects, 10_000, 1, 1_000_000, list),
            Catalogs = catalogs,
            Models = models,
            ModelRefreshInterval = Time(configuration, SettingKeys.ModelRefreshInterval, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), list),
            TrainingSchedule = schedule,
            QueueMaxPollingInterval = Time(configuration, SettingKeys.QueueMaxPollingInterval, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10), list),
            QueueMaxDequeueCount = Int(configuration, SettingKeys.QueueMaxDequeueCount, 5, 1, 100, list),
            QueueBatchSize = Int(configuration, SettingKeys.QueueBatchSize, 16, 1, 32, list),
        };
        problems = list;
        return settings;
    }

    private static int Int(IConfiguration c, string key, int fallback, int min, int max, List<string> problems) =>
        (int)Long(c, key, fallback, min, max, problems);

    private static long Long(IConfiguration c, string key, long fallback, long min, long max, List<string> problems)
    {
        string? s = c[key];
        if (string.IsNullOrWhiteSpace(s))
        {
            return fallback;
        }

        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
        {
            problems.Add($"{key}: '{s}' is not an integer in {min}..{max}");
            return fallback;
        }

        return v;
    }

    private static bool Bool(IConfiguration c, string key, bool fallback, List<string> problems)
    {
        string? s = c[key];
        if (string.IsNullOrWhiteSpace(s))
        {
            return fallback;
        }

        if (!bool.TryParse(s, out bool v))
        {
            problems.Add($"{key}: '{s}' is not true or false");
            return fallback;
        }

        return v;
    }

    private static TimeSpan Time(IConfiguration c, string key, TimeSpan fallback, TimeSpan min, TimeSpan max, List<string> problems)
    {
        string? s = c[key];
        if (string.IsNullOrWhiteSpace(s))
        {
            return fallback;
        }

        if (!TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan v) || v < min || v > max)
        {
            problems.Add($"{key}: '{s}' is not a time span (hh:mm:ss) in {min}..{max}");
            return fallback;
        }

        return v;
    }

    private static string? CheckConnectionString(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return "the storage connection string is not set";
        }

        try
        {
            _ = StorageConnection.Parse(connection);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
