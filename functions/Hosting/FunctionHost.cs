using System.Net;
using Astro.Functions.Functions;
using Astro.Functions.Http;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Hosting;

/// <summary>Settings that cannot be used; the message lists every problem, one per line.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    /// <summary>The problems, one line each.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Builds the function host: the WebJobs SDK (queue, blob, timer triggers) plus Kestrel for the HTTP functions.</summary>
public static class FunctionHost
{
    /// <summary>The function classes the host indexes.</summary>
    public static IReadOnlyList<Type> FunctionTypes { get; } = [typeof(CatalogFunctions), typeof(ModelFunctions)];

    /// <summary>Reads configuration (defaults, appsettings.json, environment, command line, then <paramref name="overrides"/>).</summary>
    /// <param name="args">Command-line arguments (<c>--Astro:Http:Port=7072</c>).</param>
    /// <param name="overrides">Highest-priority settings (tests).</param>
    /// <returns>The configuration.</returns>
    public static IConfigurationRoot BuildConfiguration(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(SettingKeys.Defaults)
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>Creates the host (not started).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="configureLogging">Extra logging set-up (tests capture logs), or null.</param>
    /// <returns>The host.</returns>
    /// <exception cref="SettingsException">A setting is missing or invalid.</exception>
    public static IHost Build(IConfigurationRoot configuration, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        FunctionAppSettings settings = FunctionAppSettings.Read(configuration, out IReadOnlyList<string> problems);
        var telemetryProblems = new List<string>();
        TelemetrySettings telemetry = TelemetrySettings.Read(configuration, telemetryProblems);
        if (problems.Count + telemetryProblems.Count > 0)
        {
            throw new SettingsException([.. problems, .. telemetryProblems]);
        }

        IHostBuilder builder = new HostBuilder()
            .UseContentRoot(AppContext.BaseDirectory)
            .ConfigureAppConfiguration(c => c.AddConfiguration(configuration))
            .ConfigureLogging(l =>
            {
                l.AddConfiguration(configuration.GetSection("Logging"));
                l.SetMinimumLevel(LogLevel.Information);
                l.AddFilter("Azure.Core", LogLevel.Warning);
                l.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
                l.AddFilter("Microsoft.Hosting", LogLevel.Warning);
                l.AddFilter("Host.Triggers.Timer", LogLevel.Warning);
                HostTelemetry.AddConsole(l, telemetry);
                configureLogging?.Invoke(l);
            })
            .ConfigureServices(s =>
            {
                s.AddSingleton(settings);
                HostTelemetry.AddTelemetry(s, telemetry);
                s.AddSingleton(_ => new AstroStorage(new AzureStorageProvider(settings.ConnectionString), settings.Storage));
                s.AddSingleton(p => new ModelRegistry(p.GetRequiredService<AstroStorage>(), settings.Models, p.GetRequiredService<ILoggerFactory>().CreateLogger<ModelRegistry>()));
                s.AddSingleton(p => new QuarantineWriter(p.GetRequiredService<AstroStorage>().Quarantine, p.GetRequiredService<ILoggerFactory>().CreateLogger<QuarantineWriter>()));
                s.AddSingleton(p => new CatalogPipeline(p.GetRequiredService<AstroStorage>(), p.GetRequiredService<ModelRegistry>(), p.GetRequiredService<QuarantineWriter>(), settings.Catalogs, p.GetRequiredService<ILoggerFactory>().CreateLogger<CatalogPipeline>()));
                s.AddSingleton(p => new CutoutPipeline(p.GetRequiredService<AstroStorage>(), p.GetRequiredService<ModelRegistry>(), p.GetRequiredService<QuarantineWriter>(), new CutoutPipelineOptions(), p.GetRequiredService<ILoggerFactory>().CreateLogger<CutoutPipeline>()));
                s.AddSingleton(p => new OnDemandPredictor(p.GetRequiredService<ModelRegistry>()) { MaxObjects = settings.MaxObjects });
                s.AddSingleton<HttpFunctions>();
                s.AddSingleton<Microsoft.Azure.WebJobs.ITypeLocator>(new FunctionTypeLocator(FunctionTypes));

                // Runs before the job host starts its listeners: containers and queues exist, the registry is loaded.
                s.AddHostedService<StorageStartupService>();
                s.AddHostedService<RegistryRefreshService>();
            })
            .ConfigureWebJobs(b =>
            {
                b.AddAzureStorageCoreServices();
                b.AddAzureStorage(
                    q =>
                    {
                        q.MaxPollingInterval = settings.QueueMaxPollingInterval;
                        q.MaxDequeueCount = settings.QueueMaxDequeueCount;
                        q.BatchSize = settings.QueueBatchSize;
                    },
                    _ => { });
                b.AddTimers();
            });

        if (settings.HttpEnabled)
        {
            builder.ConfigureWebHost(web =>
            {
                web.UseKestrel(k =>
                {
                    k.Listen(IPAddress.Parse(settings.HttpAddress), settings.HttpPort);
                    k.Limits.MaxRequestBodySize = Math.Max(settings.MaxCatalogBytes, settings.MaxJsonBytes) + 1;
                    k.AddServerHeader = false;
                });
                web.ConfigureServices(s => s.AddRouting());
                web.Configure(HttpAdapter.Configure);
            });
        }

        return builder.Build();
    }

    /// <summary>Runs the host until Ctrl+C; settings problems are printed one per line (no stack trace) with exit code 2.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        IHost host;
        try
        {
            host = Build(BuildConfiguration(args));
        }
        catch (SettingsException e)
        {
            foreach (string p in e.Problems)
            {
                await Console.Error.WriteLineAsync($"astro functions: invalid setting: {p}").ConfigureAwait(false);
            }

            return 2;
        }

        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Azure.RequestFailedException e)
        {
            await Console.Error.WriteLineAsync($"astro functions: storage refused the start-up ({e.Status} {e.ErrorCode}): {e.Message.Split('\n')[0].Trim()}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is IOException or System.Net.Http.HttpRequestException or AggregateException)
        {
            await Console.Error.WriteLineAsync($"astro functions: start-up failed: {e.GetBaseException().Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            host.Dispose();
        }
    }
}

/// <summary>Indexes exactly the function classes of this app (the default scans the entry assembly, which is wrong in tests).</summary>
internal sealed class FunctionTypeLocator(IReadOnlyList<Type> types) : Microsoft.Azure.WebJobs.ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}

/// <summary>Creates the containers and queues and loads the registry before the triggers start.</summary>
internal sealed class StorageStartupService(AstroStorage storage, ModelRegistry registry, FunctionMetrics metrics, ILogger<StorageStartupService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> created = await storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        if (created.Count > 0)
        {
            logger.LogInformation("Created {Names}", string.Join(", ", created));
        }

        metrics.ObserveRegistry(registry);
        RegistryRefreshResult r = await registry.RefreshAsync(cancellationToken).ConfigureAwait(false);
        metrics.RegistryReload("startup", r);
        logger.LogInformation("Model registry: {Count} model(s) loaded [{Loaded}]{Failed}", registry.Models.Count, string.Join(", ", r.Loaded), r.Failed.Count > 0 ? "; failed: " + string.Join("; ", r.Failed) : "");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The periodic registry check (the model-published queue is the fast path).</summary>
internal sealed class RegistryRefreshService(ModelRegistry registry, FunctionAppSettings settings, FunctionMetrics metrics, ILogger<RegistryRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.ModelRefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                RegistryRefreshResult r = await registry.RefreshAsync(stoppingToken).ConfigureAwait(false);
                metrics.RegistryReload("periodic", r);
                if (r.Loaded.Count + r.Removed.Count + r.Failed.Count > 0)
                {
                    logger.LogInformation("Periodic registry check: loaded [{Loaded}], removed [{Removed}], failed [{Failed}]", string.Join(", ", r.Loaded), string.Join(", ", r.Removed), string.Join("; ", r.Failed));
                }
            }
            catch (Azure.RequestFailedException e)
            {
                metrics.RegistryReload("periodic", null);
                logger.LogWarning("Periodic registry check failed ({Status}): {Reason}", e.Status, e.Message.Split('\n')[0]);
            }
        }
    }
}
