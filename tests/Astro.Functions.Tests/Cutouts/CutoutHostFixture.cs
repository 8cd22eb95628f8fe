using System.Collections.Concurrent;
using System.Globalization;
using Astro.Contract.Packaging;
using Astro.Fits.Writing;
using Astro.Functions.Hosting;
using Astro.Functions.Tests.Infrastructure;
using Astro.Imaging.ModelInput;
using Astro.Imaging.Synthetic;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Astro.Onnx;
using Astro.Services;
using Astro.Services.Quarantine;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Tests.Cutouts;

/// <summary>
/// Azurite and one function host whose registry holds both kinds of model: the catalog model <c>test-linear</c>, the
/// shipped image model (models/images-wu-boada-oh-p50, 3-band "rgb8") and <c>tiny-log</c>, a 1-band "log003" image model
/// with star removal whose output is the mean of its 64 × 64 input (so any prediction can be checked exactly).
/// </summary>
public sealed class CutoutHostFixture : IAsyncLifetime
{
    public const string TinyModel = "tiny-log";
    public const string TinyVersion = "20260102.000000";
    public const int TinySize = 64;

    private readonly string _work = Path.Combine(Path.GetTempPath(), "astro-cutout-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public Azurite Azurite { get; private set; } = null!;

    public IHost Host { get; private set; } = null!;

    public TestStorage Storage { get; private set; } = null!;

    public ConcurrentQueue<string> Logs { get; } = new();

    public static string ShippedImagePackage => Path.Combine(Azurite.RepoRoot(), "models", "images-wu-boada-oh-p50");

    public string TinyPackage => Path.Combine(_work, "pkg", TinyModel);

    public async Task InitializeAsync()
    {
        Azurite = new Azurite();
        Storage = new TestStorage(Azurite.ConnectionString, new StorageLayoutOptions());
        await Storage.EnsureCreatedAsync();
        var registry = new ModelRegistry(Storage.Services, new ModelRegistryOptions { CacheDirectory = Path.Combine(_work, "publish-cache") });
        await registry.PublishAsync(TestPackages.Write(Path.Combine(_work, "pkg", HostFixture.ModelName), HostFixture.ModelName, HostFixture.ModelVersion, HostFixture.Profile, HostFixture.Bias));
        await registry.PublishAsync(ShippedImagePackage);
        await registry.PublishAsync(WriteTinyPackage(TinyPackage));

        var settings = new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = Azurite.ConnectionString,
            [SettingKeys.HttpEnabled] = "false",
            [SettingKeys.DisableTimer] = "true",
            [SettingKeys.FunctionKey] = HostFixture.Key,
            [$"{SettingKeys.Catalogs}:DefaultProfile"] = HostFixture.Profile,
            [$"{SettingKeys.Catalogs}:WorkDirectory"] = Path.Combine(_work, "main"),
            [SettingKeys.ModelCacheDirectory] = Path.Combine(_work, "main", "models"),
            [SettingKeys.QueueMaxPollingInterval] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Information",
        };
        Host = FunctionHost.Build(FunctionHost.BuildConfiguration([], settings), l => l.AddProvider(new ListLoggerProvider(Logs)));
        await Host.StartAsync();
    }

    public async Task DisposeAsync()
    {
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

    /// <summary>The tiny 1-band log003 package: output = mean of the input, output_std = 0.1 × output, features = [mean, max].</summary>
    public static string WriteTinyPackage(string dir)
    {
        Directory.CreateDirectory(dir);
        var input = new ImageInputInfo(TinySize, ["r"], ImageInputPreprocessor.Log003, 0.2, 2, true, ImageInputPreprocessor.Resampling, false, 1) { Outputs = ["t"] };
        var g = new OnnxGraphBuilder("tiny", "batch");
        string x = g.AddInput("input", [1, TinySize, TinySize]);
        string flat = g.AddNode("Flatten", "flat", [x], OnnxAttributes.Int("axis", 1));
        string mean = g.AddNode("ReduceMean", "output", [flat], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 1));
        string max = g.AddNode("ReduceMax", "max", [flat], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 1));
        string std = g.AddNode("Mul", "output_std", [mean, g.AddInitializer("tenth", [0.1f], [1])]);
        string features = g.AddNode("Concat", "features", [mean, max], OnnxAttributes.Int("axis", 1));
        g.AddOutput(mean, [1]);
        g.AddOutput(std, [1]);
        g.AddOutput(features, [2]);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(g.BuildModel(8, 17, "astro-tests", "1")));
        var manifest = new ModelManifest
        {
            Name = TinyModel,
            Version = TinyVersion,
            Task = ModelTask.Regression,
            Target = new TargetInfo("t", null, "none"),
            Profile = "images",
            Inputs = [new InputInfo("r", InputKind.Band)],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.None, "imagePixels"),
            Standardization = new StandardizationInfo([0f], [1f]),
            MissingBands = new MissingBandsInfo("drop", 0, false),
            Onnx = new OnnxInfo("model.onnx", "input", new Dictionary<string, string> { ["mean"] = mean, ["std"] = std, ["features"] = features }, 17),
            Uncertainty = new UncertaintyInfo("ensemble", 1, 0.68, 0.95),
            TrainingData = new TrainingDataInfo(["generated"], "0", 0, "none (fixed graph)"),
            CreatedUtc = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero),
            CodeVersion = "tests",
            Image = input,
        };
        File.WriteAllText(Path.Combine(dir, ModelPackage.ManifestFileName), manifest.ToJson());
        return dir;
    }

    /// <summary>A float32 FITS image.</summary>
    public static byte[] Fits(double[] pixels, int width, int height)
    {
        using var ms = new MemoryStream();
        using (var w = new FitsWriter(ms, new FitsWriterOptions { LeaveOpen = true }))
        {
            w.WriteImage(FitsImage.FromPixels(Array.ConvertAll(pixels, v => (float)v), width, height));
        }

        return ms.ToArray();
    }

    /// <summary>A synthetic single-band galaxy with a star.</summary>
    public static double[] Galaxy(int size, int seed = 3) => SyntheticGalaxyGenerator.Generate(new SyntheticGalaxyOptions
    {
        Width = size,
        Height = size,
        EffectiveRadius = size / 10.0,
        Stars = [new SyntheticStar(size * 0.2, size * 0.75, 20_000)],
    }, seed).Image.Pixels;

    /// <summary>Sky noise only (100 ± 5).</summary>
    public static double[] Noise(int size, int seed = 4)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, size * size).Select(_ => 100 + (5 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
    }

    public static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class CutoutHostCollection : ICollectionFixture<CutoutHostFixture>
{
    public const string Name = "function host with image models on Azurite";
}
