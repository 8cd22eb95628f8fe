using Astro.Functions.Hosting;
using Astro.Services.Telemetry;
using Astro.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Tests.Telemetry;

/// <summary>Scope rendering of the text console format, and the telemetry settings.</summary>
public sealed class LogScopeTests
{
    [Fact]
    public void LogScope_renders_correlation_blob_and_chunk_as_pairs_and_exposes_them_as_properties()
    {
        LogScope scope = LogScope.ForBlob("c-0123456789abcdef", "catalogs/a b.csv", 3);
        Assert.Equal("CorrelationId=c-0123456789abcdef Blob=\"catalogs/a b.csv\" Chunk=3", scope.ToString());
        Assert.Equal(["CorrelationId", "Blob", "Chunk"], scope.Select(p => p.Key));
        Assert.Equal(3, scope[2].Value);
        Assert.Equal("CorrelationId=c-1 Blob=cutouts/x.fits", LogScope.ForBlob("c-1", "cutouts/x.fits").ToString());
    }

    [Fact]
    public void Dictionary_scopes_render_as_pairs_not_as_their_type_name()
    {
        var scope = new Dictionary<string, object> { ["CorrelationId"] = "c-42", ["Blob"] = "catalogs/x.csv", ["Chunk"] = 2, ["Seconds"] = 1.5 };
        Assert.Equal("CorrelationId=c-42 Blob=catalogs/x.csv Chunk=2 Seconds=1.5", LogScope.Render(scope));

        // WebJobs' function scope: the name and invocation id, shortened; its other MS_ keys left out.
        var id = Guid.Parse("11111111-2222-3333-4444-555555555555");
        var webjobs = new Dictionary<string, object> { ["MS_FunctionName"] = "CatalogDrop", ["MS_FunctionInvocationId"] = id, ["MS_HostInstanceId"] = "h" };
        Assert.Equal("Function=CatalogDrop InvocationId=11111111-2222-3333-4444-555555555555", LogScope.Render(webjobs));
        Assert.Equal("", LogScope.Render(new Dictionary<string, object> { ["Category"] = "Function.CatalogDrop", ["LogLevel"] = "Information" }));

        // Anything with its own ToString (message-template scopes, strings) is rendered as such.
        Assert.Equal("job 7", LogScope.Render("job 7"));
        Assert.Equal("", LogScope.Render(null));
    }

    [Fact]
    public void The_text_formatter_writes_one_line_with_every_scope()
    {
        var scopes = new LoggerExternalScopeProvider();
        using IDisposable outer = scopes.Push(new Dictionary<string, object> { ["MS_FunctionName"] = "ChunkPredict" });
        using IDisposable inner = scopes.Push(new Dictionary<string, object> { ["CorrelationId"] = "c-9", ["Blob"] = "catalogs/x.csv", ["Chunk"] = 1 });
        string line = AstroConsoleFormatter.Format(LogLevel.Information, "Astro.Storage.Catalogs.CatalogPipeline", 0, "Chunk 2/3 of x.csv:\nrows 3..5", null, scopes, "12:00:00.000 ");
        Assert.Equal("12:00:00.000 info: Astro.Storage.Catalogs.CatalogPipeline[0] => Function=ChunkPredict => CorrelationId=c-9 Blob=catalogs/x.csv Chunk=1 Chunk 2/3 of x.csv: rows 3..5" + Environment.NewLine, line);
        Assert.DoesNotContain("Dictionary", line, StringComparison.Ordinal);

        string error = AstroConsoleFormatter.Format(LogLevel.Error, "c", 5, "failed", new InvalidOperationException("boom"), null, null);
        Assert.StartsWith("fail: c[5] failed" + Environment.NewLine + "System.InvalidOperationException: boom", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_settings_are_validated_with_one_line_per_problem()
    {
        var problems = new List<string>();
        TelemetrySettings s = TelemetrySettings.Read(Config(new() { ["Astro:Logging:Format"] = "xml", ["Astro:Telemetry:Console"] = "yes", ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector", ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "nope" }), problems);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p == "Astro:Logging:Format: 'xml' is not text or json");
        Assert.Contains(problems, p => p.Contains("Astro:Telemetry:Console", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", StringComparison.Ordinal));
        Assert.False(s.AnyExporter);

        problems.Clear();
        s = TelemetrySettings.Read(Config(new() { ["Astro:Logging:Format"] = "JSON", ["Astro:Telemetry:Console"] = "true", ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://localhost:4317" }), problems);
        Assert.Empty(problems);
        Assert.Equal(new TelemetrySettings("json", true, "http://localhost:4317", null, "astro-functions"), s);
    }

    [Fact]
    public void A_bad_telemetry_setting_stops_the_host_build_with_the_message()
    {
        var e = Assert.Throws<SettingsException>(() => FunctionHost.Build(FunctionHost.BuildConfiguration([], new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Astro:Logging:Format"] = "xml",
        })));
        Assert.Contains(e.Problems, p => p.StartsWith("Astro:Logging:Format", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_format_uses_the_json_console_with_scopes()
    {
        using Microsoft.Extensions.Hosting.IHost host = FunctionHost.Build(FunctionHost.BuildConfiguration([], new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Astro:Http:Enabled"] = "false",
            ["Astro:Logging:Format"] = "json",
        }));
        var console = (Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>)host.Services.GetService(typeof(Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>))!;
        var json = (Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>)host.Services.GetService(typeof(Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>))!;
        Assert.Equal("json", console.CurrentValue.FormatterName);
        Assert.True(json.CurrentValue.IncludeScopes);
    }

    [Fact]
    public void Exporters_are_wired_only_when_configured()
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["Astro:Http:Enabled"] = "false" };
        using (Microsoft.Extensions.Hosting.IHost plain = FunctionHost.Build(FunctionHost.BuildConfiguration([], settings)))
        {
            Assert.Null(plain.Services.GetService(typeof(OpenTelemetry.Metrics.MeterProvider)));
            Assert.NotNull(plain.Services.GetService(typeof(FunctionMetrics)));
        }

        settings["Astro:Telemetry:Console"] = "true";
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317";
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
        using Microsoft.Extensions.Hosting.IHost exporting = FunctionHost.Build(FunctionHost.BuildConfiguration([], settings));
        Assert.NotNull(exporting.Services.GetService(typeof(OpenTelemetry.Metrics.MeterProvider)));
        Assert.NotNull(exporting.Services.GetService(typeof(OpenTelemetry.Logs.LoggerProvider)));
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
