using System.Diagnostics;
using System.Globalization;
using System.Text;
using Astro.Contract.Packaging;
using Astro.Fits.Writing;
using Astro.Inference.Models;
using Astro.Inference.Output;
using Astro.Inference.Packaging;
using Astro.Onnx;
using Astro.Onnx.Proto;

namespace Astro.Inference.Benchmarks;

/// <summary>One measured end-to-end prediction run.</summary>
/// <param name="Format">"csv" or "fits" (input and output).</param>
/// <param name="Summary">Counts and per-stage seconds.</param>
/// <param name="InputBytes">Size of the catalog read.</param>
/// <param name="OutputBytes">Size of the file written.</param>
public sealed record PredictionBenchmarkResult(string Format, PredictionRunSummary Summary, long InputBytes, long OutputBytes)
{
    /// <summary>CPU seconds the whole process used during the run (all threads; compare with the wall time when other work loads the machine).</summary>
    public double CpuSeconds { get; init; }
}

/// <summary>
/// The prediction benchmark: a generated catalog (21 flux bands in µJy + redshift + ID, 1% of rows with a missing band),
/// a matching profile and a paper-000-sized MLP package (22-44-66-66-1 with a log-variance head, random weights, asinh
/// features, an OOD test), then read → select → ONNX → write end to end.
/// </summary>
public static class PredictionBenchmark
{
    /// <summary>Bands in the generated catalog: 21 (with the redshift, 22 model inputs as in paper 000).</summary>
    public const int Bands = 21;

    /// <summary>Writes the profile, the package and the catalogs (CSV and FITS) into a folder, unless already there with the same row count.</summary>
    /// <param name="directory">The working folder.</param>
    /// <param name="rows">Catalog rows.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The package folder.</returns>
    public static string Prepare(string directory, int rows, int seed = 42)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        Directory.CreateDirectory(directory);
        string package = Path.Combine(directory, "package");
        WritePackage(package, seed);
        string stamp = Path.Combine(directory, "rows.txt");
        string rowsText = rows.ToString(CultureInfo.InvariantCulture);
        if (!File.Exists(stamp) || File.ReadAllText(stamp) != rowsText || !File.Exists(CatalogPath(directory, "csv")) || !File.Exists(CatalogPath(directory, "fits")))
        {
            WriteCatalogs(directory, rows, seed);
            File.WriteAllText(stamp, rowsText);
        }

        return package;
    }

    /// <summary>The catalog file of a format in a benchmark folder.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="format">"csv" or "fits".</param>
    /// <returns>The path.</returns>
    public static string CatalogPath(string directory, string format) => Path.Combine(directory, "catalog." + format);

    /// <summary>Runs the benchmark for one format (input and output in that format).</summary>
    /// <param name="directory">A folder made by <see cref="Prepare"/>.</param>
    /// <param name="format">"csv" or "fits".</param>
    /// <param name="options">The service options.</param>
    /// <returns>The measurement.</returns>
    public static PredictionBenchmarkResult Run(string directory, string format, PredictionServiceOptions options)
    {
        var package = ModelPackage.Load(Path.Combine(directory, "package"));
        var service = new PredictionService(package, options);
        string input = CatalogPath(directory, format);
        string output = Path.Combine(directory, "predictions." + format);
        PredictionRunSummary summary;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu0 = process.TotalProcessorTime;
        using (PredictionWriter writer = PredictionWriter.Create(output, PredictionOutputInfo.FromPackage(package, input)))
        {
            summary = service.PredictCatalog(input, writer);
        }

        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        return new PredictionBenchmarkResult(format, summary, new FileInfo(input).Length, new FileInfo(output).Length) { CpuSeconds = cpu };
    }

    /// <summary>Times ONNX Runtime alone on the package's graph (for comparison with the end-to-end figure).</summary>
    /// <param name="directory">A folder made by <see cref="Prepare"/>.</param>
    /// <param name="rows">Rows to run.</param>
    /// <param name="options">Batch size, threads and parallelism.</param>
    /// <returns>Rows per second.</returns>
    public static double OnnxOnlyRowsPerSecond(string directory, int rows, PredictionServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string model = Path.Combine(directory, "package", "model.onnx");
        OnnxModelSession session = OnnxModelSession.GetShared(model, new OnnxModelSessionOptions { IntraOpThreads = options.IntraOpThreads });
        int batch = options.BatchSize;
        var x = new float[batch * session.InputSampleSize];
        var random = new Random(1);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)random.NextDouble();
        }

        session.RunAll(x, batch);
        int batches = Math.Max(1, rows / batch);
        var watch = Stopwatch.StartNew();
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, _ => session.RunAll(x, batch));
        return batches * (double)batch / watch.Elapsed.TotalSeconds;
    }

    private static void WritePackage(string directory, int seed)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        int inputs = Bands + 1;
        int[] sizes = [inputs, 44, 66, 66];
        var mean = new float[inputs];
        var std = new float[inputs];
        for (int i = 0; i < inputs; i++)
        {
            // asinh(flux / 1 µJy) of fluxes between 1 and 1000 µJy lies in ~0.9..7.6.
            mean[i] = i < Bands ? 4.2f : 0.25f;
            std[i] = i < Bands ? 2.0f : 0.14f;
        }

        var g = new OnnxGraphBuilder("bench_mlp");
        string x = g.AddInput("input", [inputs]);
        x = g.AddNode("Sub", "standardize_sub", [x, g.AddInitializer("input_mean", mean, [inputs])]);
        x = g.AddNode("Div", "standardize_div", [x, g.AddInitializer("input_std", std, [inputs])]);
        for (int l = 1; l < sizes.Length; l++)
        {
            x = Dense(g, random, $"dense{l}", x, sizes[l - 1], sizes[l]);
            x = g.AddNode("Relu", $"relu{l}", [x]);
        }

        string meanOut = Dense(g, random, "mean", x, 66, 1);
        string logVar = Dense(g, random, "log_var", x, 66, 1);
        g.AddOutput(meanOut, [1]);
        g.AddOutput(logVar, [1]);
        ModelProto model = g.BuildModel(8, 17, "astro-bench", "1", null);
        File.WriteAllBytes(Path.Combine(directory, "model.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(model));

        var precision = new double[inputs * inputs];
        for (int i = 0; i < inputs; i++)
        {
            precision[(i * inputs) + i] = 1.0;
        }

        var manifest = new ModelManifest
        {
            Name = "bench-mlp",
            Version = "20260101.000000",
            Task = ModelTask.Regression,
            Target = new TargetInfo("logMstar", "dex(Msun)", "log10"),
            Profile = "bench-21band",
            Inputs = [.. Enumerable.Range(1, Bands).Select(b => new InputInfo($"b{b:00}", InputKind.Band)), new InputInfo("z", InputKind.Redshift)],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.Asinh, "fluxMicroJansky", 1.0),
            Standardization = new StandardizationInfo(mean, std),
            MissingBands = new MissingBandsInfo("drop", 0f, false),
            Onnx = new OnnxInfo("model.onnx", "input", new Dictionary<string, string> { ["mean"] = meanOut, ["logVariance"] = logVar }, 17),
            Uncertainty = new UncertaintyInfo("heteroscedastic", 1.1, 0.68, 0.95),
            SlopeCorrection = [0.05, 0.99],
            OutOfDistribution = new OutOfDistributionInfo(new double[inputs], precision, 60.0, 0.999),
            TrainingData = new TrainingDataInfo(["generated"], "0", 0, "none (random weights)"),
            CreatedUtc = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            CodeVersion = "benchmark",
        };
        File.WriteAllText(Path.Combine(directory, ModelPackage.ManifestFileName), manifest.ToJson());
        File.WriteAllText(Path.Combine(directory, ModelPackage.ProfileFileName), ProfileJson());
    }

    private static string Dense(OnnxGraphBuilder g, Random random, string name, string x, int inputs, int outputs)
    {
        var w = new float[inputs * outputs];
        float scale = MathF.Sqrt(2f / inputs);
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        var b = new float[outputs];
        return g.AddNode("Gemm", name, [x, g.AddInitializer(name + "_w", w, [inputs, outputs]), g.AddInitializer(name + "_b", b, [outputs])]);
    }

    private static string ProfileJson()
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"formatVersion\": 1,\n  \"name\": \"bench-21band\",\n  \"description\": \"Generated benchmark catalog: 21 fluxes in microjansky, redshift, ID.\",\n");
        sb.Append("  \"idColumn\": \"id\",\n  \"bands\": [\n");
        for (int b = 1; b <= Bands; b++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    {{ \"name\": \"b{b:00}\", \"column\": \"f{b:00}\", \"errorColumn\": \"e{b:00}\", \"unit\": \"uJy\" }}{(b < Bands ? "," : "")}\n");
        }

        sb.Append("  ],\n  \"redshift\": { \"column\": \"z\" },\n  \"labels\": [ { \"name\": \"logMstar\", \"column\": \"mstar\", \"transform\": \"log10\" } ],\n");
        sb.Append("  \"model\": { \"representation\": \"fluxMicroJansky\", \"includeRedshift\": true }\n}\n");
        return sb.ToString();
    }

    private static void WriteCatalogs(string directory, int rows, int seed)
    {
        var random = new Random(seed + 1);
        var ids = new string[rows];
        var flux = new float[Bands][];
        for (int b = 0; b < Bands; b++)
        {
            flux[b] = new float[rows];
        }

        var z = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            ids[r] = (1_000_000_000L + r).ToString(CultureInfo.InvariantCulture);
            for (int b = 0; b < Bands; b++)
            {
                flux[b][r] = (float)Math.Pow(10, random.NextDouble() * 3);
            }

            if (random.Next(100) == 0)
            {
                flux[random.Next(Bands)][r] = float.NaN;
            }

            z[r] = 0.01 + (random.NextDouble() * 0.49);
        }

        // CSV: id, f01..f21, z (what the serving profile reads; errors and labels are not needed to predict).
        using (var csv = new StreamWriter(CatalogPath(directory, "csv"), false, new UTF8Encoding(false), 1 << 20))
        {
            csv.Write("id");
            for (int b = 1; b <= Bands; b++)
            {
                csv.Write(string.Create(CultureInfo.InvariantCulture, $",f{b:00}"));
            }

            csv.Write(",z\n");
            Span<char> buffer = stackalloc char[32];
            for (int r = 0; r < rows; r++)
            {
                csv.Write(ids[r]);
                for (int b = 0; b < Bands; b++)
                {
                    csv.Write(',');
                    float v = flux[b][r];
                    if (!float.IsNaN(v))
                    {
                        v.TryFormat(buffer, out int n, "G7", CultureInfo.InvariantCulture);
                        csv.Write(buffer[..n]);
                    }
                }

                csv.Write(',');
                z[r].TryFormat(buffer, out int m, "F5", CultureInfo.InvariantCulture);
                csv.Write(buffer[..m]);
                csv.Write('\n');
            }
        }

        var columns = new List<TableColumn> { new TableColumn<string>("id", ids) };
        for (int b = 0; b < Bands; b++)
        {
            columns.Add(new TableColumn<float>($"f{b + 1:00}", flux[b]) { Unit = "uJy" });
        }

        columns.Add(new TableColumn<double>("z", z));
        using var stream = File.Create(CatalogPath(directory, "fits"));
        using var writer = new FitsWriter(stream, new FitsWriterOptions { WriteChecksums = false });
        writer.WriteTable(columns);
    }
}
