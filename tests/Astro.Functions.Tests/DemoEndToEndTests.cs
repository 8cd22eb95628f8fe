using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Astro.Functions.Hosting;
using Astro.Functions.Tests.Infrastructure;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Astro.Testing;
using Astro.Trainer.Commands;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Xunit.Abstractions;

namespace Astro.Functions.Tests;

/// <summary>
/// The demo's code path end to end: <see cref="DemoDriver"/> (what <c>./demo.sh</c> runs as <c>astro demo</c>) against a
/// function host on Azurite with the settings demo.sh gives it, on the shipped <c>models/</c> and <c>samples/</c>
/// (ASTRO_DEMO_MODELS / ASTRO_DEMO_SAMPLES point elsewhere). Checks the numbers, not only that it ran.
/// </summary>
public sealed class DemoEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "demo-test-key-0123456789";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "astro-demo-test-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentQueue<string> _logs = new();
    private Azurite _azurite = null!;
    private IHost _host = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _azurite = new Azurite();
        _port = Azurite.FreePort();
        var settings = new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = _azurite.ConnectionString,
            [SettingKeys.HttpPort] = _port.ToString(CultureInfo.InvariantCulture),
            [SettingKeys.FunctionKey] = Key,
            [$"{SettingKeys.Catalogs}:ChunkRows"] = "16",
            [$"{SettingKeys.Catalogs}:WorkDirectory"] = Path.Combine(_work, "host"),
            [SettingKeys.ModelCacheDirectory] = Path.Combine(_work, "models"),
            [SettingKeys.QueueMaxPollingInterval] = "00:00:00.500",
            [SettingKeys.DisableTimer] = "true",
        };
        _host = FunctionHost.Build(FunctionHost.BuildConfiguration([], settings), l => l.AddProvider(new ListLoggerProvider(_logs)));
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Azurite goes away anyway
        }

        _host.Dispose();
        _azurite.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    [Fact]
    public async Task Demo_publishes_uploads_both_paths_waits_and_reports_real_predictions()
    {
        string root = Azurite.RepoRoot();
        string models = Environment.GetEnvironmentVariable("ASTRO_DEMO_MODELS") ?? Path.Combine(root, "models");
        string samples = Environment.GetEnvironmentVariable("ASTRO_DEMO_SAMPLES") ?? Path.Combine(root, "samples");
        var log = new StringWriter();
        var driver = new DemoDriver(
            new DemoOptions
            {
                Connection = _azurite.ConnectionString,
                BaseUrl = new Uri($"http://127.0.0.1:{_port}/"),
                FunctionKey = Key,
                ModelsDirectory = models,
                SamplesDirectory = samples,
                OutputDirectory = Path.Combine(_work, "demo-output"),
                PredictionTimeout = TimeSpan.FromSeconds(90),
                StartupTimeout = TimeSpan.FromSeconds(60),
            },
            log);
        DemoResult result;
        try
        {
            result = await driver.RunAsync();
        }
        finally
        {
            output.WriteLine(log.ToString());
        }

        var console = new StringWriter();
        DemoDriver.Render(result, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors }));
        output.WriteLine(console.ToString());

        // Every package in the folder was published and is served.
        string[] packages = [.. Directory.GetDirectories(models).Where(d => File.Exists(Path.Combine(d, ModelPackage.ManifestFileName))).Order(StringComparer.Ordinal)];
        Assert.Equal(packages.Select(p => ImagePackage.IsImagePackage(p) ? ImagePackage.Load(p).Manifest.Name : ModelPackage.Load(p).Manifest.Name), result.Models.Select(m => m.Name));

        // Both delivery paths were used, and every input has its output.
        Assert.Contains(result.Inputs, i => i.Path == DemoPath.EventGrid);
        Assert.Contains(result.Inputs, i => i.Path == DemoPath.BlobTrigger);
        Assert.Contains(_logs, l => l.Contains("Executing 'CatalogFunctions.BlobEvents'", StringComparison.Ordinal) || l.Contains("BlobEvents", StringComparison.Ordinal));
        foreach (DemoInput input in result.Inputs.Where(i => i.IsCatalog))
        {
            Assert.NotNull(input.Summary);
            int expectedRows = CountRows(input.LocalPath);
            Assert.Equal(expectedRows, input.Summary!.RowsIn);
            Assert.Equal((expectedRows + 15) / 16, input.Summary.Chunks);
            Assert.True(input.Summary.RowsPredicted > 0, $"{input.Blob}: nothing predicted");
            Assert.Equal(input.Summary.RowsIn, input.Summary.RowsPredicted + input.Summary.RowsDropped);
            Assert.Equal(input.Profile, input.Summary.Profile);
            Assert.NotEmpty(input.FirstRows);
            Assert.All(input.FirstRows, r => Assert.True(r.Class.Length > 0 || (float.IsFinite(r.Prediction) && r.Uncertainty > 0), $"{input.Blob} row {r.Row}: {r.Prediction} ± {r.Uncertainty}"));
            Assert.All(input.Outputs, o => Assert.True(File.Exists(Path.Combine(result.OutputDirectory, o)), $"no local copy of {o}"));
        }

        // NAXIS1 × NAXIS2 of the KiDS cutout (astropy: 133, 155).
        DemoInput cutout = Assert.Single(result.Inputs, i => !i.IsCatalog && i.Blob == "G266033fitim.fits");
        Assert.Equal([133L, 155L], cutout.CutoutSummary!["image"]!["axes"]!.AsArray().Select(a => a!.GetValue<long>()));

        // HTTP: health ok, models listed, one object predicted with an uncertainty.
        Assert.Equal([200, 200, 200], result.Http.Select(h => h.Status));
        JsonNode prediction = result.PredictResponse!["results"]![0]!["predictions"]![0]!;
        Assert.True(prediction["value"] is not null || prediction["class"] is not null, prediction.ToJsonString());
        Assert.Contains("Catalogs (predictions/catalogs/", console.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Data rows of a sample catalog: non-empty lines after the header (the samples have no comment lines besides the header).</summary>
    private static int CountRows(string path) => File.ReadLines(path).Skip(1).Count(l => l.Trim().Length > 0);
}
