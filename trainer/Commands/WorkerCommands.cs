using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Astro.Ml.Training;
using Astro.Services.Storage;
using Astro.Storage;
using Astro.Training.Worker;
using Astro.Training.Worker.Models;
using Azure;
using Microsoft.Extensions.Logging;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro worker [--connection CONN] [--device cpu|cuda] [--once] [--max-jobs N]</c>: the trainer container's loop over
/// the training-jobs queue (<see cref="TrainingWorker"/>). Storage names come from the same settings as the function app
/// (<c>Astro__Storage__TrainingJobsQueue</c>, … as environment variables); logs are JSON lines when the output is redirected.
/// </summary>
internal static class WorkerCommands
{
    /// <summary>The environment variable the connection string is read from when --connection is not given (the function app's name).</summary>
    public const string ConnectionVariable = "AzureWebJobsStorage";

    public static Command Create()
    {
        var connection = new Option<string?>("--connection") { Description = $"Azure Storage connection string (default: the {ConnectionVariable} environment variable)." };
        var device = new Option<string>("--device") { Description = "cpu | cuda (the GPU when LibTorch CUDA is present, else the CPU; the choice is logged).", DefaultValueFactory = _ => "cpu" };
        var once = new Option<bool>("--once") { Description = "Exit when the queue has no visible job (a Container Apps job execution) instead of polling." };
        var maxJobs = new Option<int?>("--max-jobs") { Description = "Exit after this many jobs." };
        var profiles = new Option<string>("--profiles") { Description = "Folder of survey profiles ({name}.json); then training-data/profiles/, then the current package.", DefaultValueFactory = _ => TrainingWorkerDefaults.ProfilesDirectory };
        var work = new Option<string?>("--work") { Description = "Folder for downloads and packages (default: {temp}/astro-worker)." };
        var visibility = new Option<int?>("--visibility-timeout") { Description = "Seconds a job stays invisible between renewals (default 300)." };
        var attempts = new Option<int?>("--max-attempts") { Description = "Deliveries of a failing job before it is poisoned (default 5)." };
        var logFormat = new Option<string?>("--log-format") { Description = "json | text (default: json when the output is redirected)." };

        var command = new Command("worker", "Consume training-jobs: train, compare with the current model on the same test rows, publish when not worse.")
        {
            connection, device, once, maxJobs, profiles, work, visibility, attempts, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await RunAsync(
                    parse.GetValue(connection),
                    parse.GetValue(device) ?? "cpu",
                    parse.GetValue(once),
                    parse.GetValue(maxJobs),
                    parse.GetValue(profiles) ?? TrainingWorkerDefaults.ProfilesDirectory,
                    parse.GetValue(work),
                    parse.GetValue(visibility),
                    parse.GetValue(attempts),
                    parse.GetValue(logFormat),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
            {
                string detail = e is RequestFailedException r ? $"{r.Status} {r.ErrorCode}: {r.Message.Split('\n')[0].Trim()}" : e.GetBaseException().Message.ReplaceLineEndings(" ");
                throw new CommandException($"worker: storage is not reachable or refused ({detail})", e);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string? connection, string device, bool once, int? maxJobs, string profiles, string? work, int? visibilitySeconds, int? attempts, string? logFormat, CancellationToken cancellationToken)
    {
        connection ??= Environment.GetEnvironmentVariable(ConnectionVariable);
        StorageConnection account;
        try
        {
            account = StorageConnection.Parse(connection ?? "", ConnectionVariable);
        }
        catch (FormatException e)
        {
            throw new CommandException($"worker: {(string.IsNullOrWhiteSpace(connection) ? "the storage connection string is not set" : e.Message)} (pass --connection or set {ConnectionVariable})");
        }

        var options = new TrainingWorkerOptions
        {
            Device = device.ToLowerInvariant() switch
            {
                "cpu" => TrainingDevice.Cpu,
                "cuda" => TrainingDevice.Cuda,
                _ => throw new CommandException($"--device: unknown device '{device}' (use cpu or cuda)"),
            },
            Once = once,
            MaxJobs = maxJobs,
            ProfilesDirectory = profiles,
        };
        if (work is not null)
        {
            options.WorkDirectory = work;
        }

        if (visibilitySeconds is int v)
        {
            options.VisibilityTimeout = TimeSpan.FromSeconds(v);
        }

        if (attempts is int a)
        {
            options.MaxDequeueCount = a;
        }

        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new CommandException($"worker: {string.Join("; ", problems)}");
        }

        StorageLayoutOptions layout = LayoutFromEnvironment();
        IReadOnlyList<string> layoutProblems = layout.Validate();
        if (layoutProblems.Count > 0)
        {
            throw new CommandException($"worker: invalid storage layout: {string.Join("; ", layoutProblems)}");
        }

        bool json = (logFormat?.ToLowerInvariant() ?? (Console.IsOutputRedirected ? "json" : "text")) switch
        {
            "json" => true,
            "text" => false,
            _ => throw new CommandException($"--log-format: unknown format '{logFormat}' (use json or text)"),
        };
        var logger = new ConsoleWorkerLogger("Astro.Training.Worker", json);
        var worker = new TrainingWorker(new AstroStorage(new AzureStorageProvider(account), layout), options, logger);
        IReadOnlyList<TrainingJobResult> results = await worker.RunAsync(cancellationToken).ConfigureAwait(false);
        _ = results;
        return cancellationToken.IsCancellationRequested ? 130 : 0;
    }

    /// <summary>The function app's storage names as environment variables (<c>Astro__Storage__{Property}</c>), else the defaults.</summary>
    internal static StorageLayoutOptions LayoutFromEnvironment()
    {
        var layout = new StorageLayoutOptions();
        foreach (System.Reflection.PropertyInfo p in typeof(StorageLayoutOptions).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
        {
            string? value = Environment.GetEnvironmentVariable($"Astro__Storage__{p.Name}");
            if (!string.IsNullOrWhiteSpace(value))
            {
                p.SetValue(layout, value.Trim());
            }
        }

        return layout;
    }
}

/// <summary>
/// Console logs for the worker: one JSON object per line (timestamp, level, category, message, the message template's
/// named values and the scope's values such as CorrelationId and JobId) or plain text lines.
/// </summary>
internal sealed class ConsoleWorkerLogger(string category, bool json) : ILogger
{
    private static readonly AsyncLocal<Scope?> s_scope = new();
    private static readonly Lock s_write = new();
    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        var scope = new Scope(state, s_scope.Value);
        s_scope.Value = scope;
        return scope;
    }

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string message = formatter(state, exception);
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        for (Scope? s = s_scope.Value; s is not null; s = s.Parent)
        {
            if (s.State is IEnumerable<KeyValuePair<string, object>> pairs)
            {
                foreach ((string k, object v) in pairs)
                {
                    values.TryAdd(k, v);
                }
            }
        }

        if (state is IEnumerable<KeyValuePair<string, object?>> fields)
        {
            foreach ((string k, object? v) in fields.Where(f => f.Key != "{OriginalFormat}"))
            {
                values[k] = v is TimeSpan or DateTimeOffset or double or float ? Convert.ToString(v, CultureInfo.InvariantCulture) : v;
            }
        }

        string line;
        if (json)
        {
            var record = new Dictionary<string, object?>
            {
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["level"] = logLevel.ToString(),
                ["category"] = category,
                ["message"] = message,
                ["properties"] = values,
            };
            if (exception is not null)
            {
                record["exception"] = $"{exception.GetType().FullName}: {exception.Message}";
            }

            line = JsonSerializer.Serialize(record, s_json);
        }
        else
        {
            string scope = values.TryGetValue("CorrelationId", out object? c) ? $" [{c}]" : string.Empty;
            line = $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {Short(logLevel)}{scope} {message}{(exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")})")}";
        }

        lock (s_write)
        {
            (logLevel >= LogLevel.Warning ? Console.Error : Console.Out).WriteLine(line);
        }
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "dbug",
    };

    private sealed class Scope(object state, Scope? parent) : IDisposable
    {
        public object State { get; } = state;

        public Scope? Parent { get; } = parent;

        public void Dispose() => s_scope.Value = Parent;
    }
}
