using System.Reflection;
using Astro.Services.Telemetry;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Astro.Functions.Hosting;

/// <summary>The telemetry settings: log format and metric exporters (each off unless configured).</summary>
/// <param name="LogFormat"><c>text</c> (single line with scopes as <c>Key=Value</c>) or <c>json</c> (JSON console with scopes).</param>
/// <param name="Console">Export metrics to the console (<c>Astro:Telemetry:Console=true</c>).</param>
/// <param name="OtlpEndpoint">The OTLP endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), or null.</param>
/// <param name="AppInsightsConnectionString">The Application Insights connection string (<c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>), or null.</param>
/// <param name="ServiceName">The service name of the resource (<c>OTEL_SERVICE_NAME</c>; default <c>astro-functions</c>).</param>
public sealed record TelemetrySettings(string LogFormat, bool Console, string? OtlpEndpoint, string? AppInsightsConnectionString, string ServiceName)
{
    /// <summary>Log format setting: <c>text</c> (default) or <c>json</c>.</summary>
    public const string LogFormatKey = "Astro:Logging:Format";

    /// <summary>Console metric exporter setting (bool, default false).</summary>
    public const string ConsoleKey = "Astro:Telemetry:Console";

    /// <summary>The OTLP exporter endpoint (standard OpenTelemetry variable; the exporter reads the other OTEL_EXPORTER_OTLP_* variables).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The Application Insights connection string (standard variable).</summary>
    public const string AppInsightsKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The service name (standard variable).</summary>
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    /// <summary>Whether any metric exporter is on.</summary>
    public bool AnyExporter => Console || OtlpEndpoint is not null || AppInsightsConnectionString is not null;

    /// <summary>Reads and validates the settings.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="problems">Receives one line per invalid setting.</param>
    /// <returns>The settings (defaults where invalid).</returns>
    public static TelemetrySettings Read(IConfiguration configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        string format = (configuration[LogFormatKey] ?? "text").Trim().ToLowerInvariant();
        if (format is not ("text" or "json"))
        {
            problems.Add($"{LogFormatKey}: '{configuration[LogFormatKey]}' is not text or json");
            format = "text";
        }

        bool console = false;
        string? c = configuration[ConsoleKey];
        if (!string.IsNullOrWhiteSpace(c) && !bool.TryParse(c, out console))
        {
            problems.Add($"{ConsoleKey}: '{c}' is not true or false");
        }

        string? otlp = Blank(configuration[OtlpEndpointKey]);
        if (otlp is not null && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
        {
            problems.Add($"{OtlpEndpointKey}: '{otlp}' is not an absolute URI (such as http://collector:4317)");
            otlp = null;
        }

        string? ai = Blank(configuration[AppInsightsKey]);
        if (ai is not null && !ai.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{AppInsightsKey}: not an Application Insights connection string (no InstrumentationKey=); copy it from the resource's overview");
            ai = null;
        }

        return new TelemetrySettings(format, console, otlp, ai, Blank(configuration[ServiceNameKey]) ?? "astro-functions");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Wires logging format and OpenTelemetry export for the function host.</summary>
public static class HostTelemetry
{
    /// <summary>Console logging in the configured format (text: <see cref="AstroConsoleFormatter"/>; json: the JSON console with scopes).</summary>
    /// <param name="logging">The logging builder.</param>
    /// <param name="settings">The settings.</param>
    public static void AddConsole(ILoggingBuilder logging, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.LogFormat == "json")
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            return;
        }

        logging.AddConsole(o => o.FormatterName = AstroConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<AstroConsoleFormatter, SimpleConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
    }

    /// <summary>
    /// The metric instruments (<see cref="FunctionMetrics"/>) and, when an exporter is configured, OpenTelemetry: metrics of
    /// the Astro.Functions and Astro.Training meters to OTLP / Azure Monitor / the console, and logs (with scopes, so the
    /// correlation id is a property) to OTLP / Azure Monitor.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="settings">The settings.</param>
    public static void AddTelemetry(IServiceCollection services, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddMetrics();
        services.AddSingleton(p => new FunctionMetrics(p.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        if (!settings.AnyExporter)
        {
            return;
        }

        string version = typeof(HostTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(settings.ServiceName, serviceVersion: version, serviceInstanceId: Environment.MachineName))
            .WithMetrics(m =>
            {
                m.AddMeter(TelemetryNames.FunctionsMeter, TelemetryNames.TrainingMeter);
                if (settings.OtlpEndpoint is not null)
                {
                    m.AddOtlpExporter();
                }

                if (settings.AppInsightsConnectionString is not null)
                {
                    m.AddAzureMonitorMetricExporter(o => o.ConnectionString = settings.AppInsightsConnectionString);
                }

                if (settings.Console)
                {
                    m.AddConsoleExporter();
                }
            });
        if (settings.OtlpEndpoint is not null || settings.AppInsightsConnectionString is not null)
        {
            otel.WithLogging(
                l =>
                {
                    if (settings.OtlpEndpoint is not null)
                    {
                        l.AddOtlpExporter();
                    }

                    if (settings.AppInsightsConnectionString is not null)
                    {
                        l.AddAzureMonitorLogExporter(o => o.ConnectionString = settings.AppInsightsConnectionString);
                    }
                },
                o =>
                {
                    o.IncludeScopes = true;
                    o.IncludeFormattedMessage = true;
                });
        }
    }
}
