using System.CommandLine;
using System.Globalization;
using Astro.Catalogs;
using Astro.Contract.Packaging;
using Astro.Fits;
using Astro.Inference;
using Astro.Inference.Benchmarks;
using Astro.Inference.Models;
using Astro.Inference.Output;
using Astro.Inference.Packaging;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro predict --model DIR --catalog C --out FILE(.csv|.fits) [--profile P]</c>, and the prediction benchmark
/// (<see cref="CreateBenchPredict"/>, a <c>predict</c> subcommand for the <c>bench</c> group).
/// </summary>
internal static class PredictCommands
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model package folder (manifest.json, model.onnx, profile.json).", Required = true };
        var catalog = new Option<string>("--catalog") { Description = "The catalog: CSV-like text (.gz allowed) or a FITS binary table.", Required = true };
        var output = new Option<string>("--out") { Description = "The output file: .csv or .fits.", Required = true };
        var profile = new Option<string?>("--profile") { Description = "A profile JSON to check the catalog against; it must be the package's profile (same name and bands)." };
        var batch = new Option<int>("--batch-size") { Description = "Rows per ONNX call.", DefaultValueFactory = _ => PredictionServiceDefaults.BatchSize };
        var predict = new Command("predict", "Predict every row of a catalog with a model package: one output row per input row in the one prediction-row schema (docs/outputs.md).")
        {
            model, catalog, output, profile, batch,
        };
        predict.SetAction(parse => Predict(parse.GetRequiredValue(model), parse.GetRequiredValue(catalog), parse.GetRequiredValue(output), parse.GetValue(profile), parse.GetValue(batch), Console.Out));
        return predict;
    }

    /// <summary><c>bench predict [--rows 1000000] [--format csv|fits|both] [--dir D]</c>.</summary>
    public static Command CreateBenchPredict()
    {
        var rows = new Option<int>("--rows") { Description = "Catalog rows.", DefaultValueFactory = _ => 1_000_000 };
        var format = new Option<string>("--format") { Description = "csv, fits or both.", DefaultValueFactory = _ => "both" };
        var dir = new Option<string?>("--dir") { Description = "Working folder (kept; the catalog is reused when the row count matches). Default: a folder under the temp directory." };
        var threads = new Option<int>("--intra-op-threads") { Description = "ONNX Runtime threads per call.", DefaultValueFactory = _ => PredictionServiceDefaults.IntraOpThreads };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent ONNX batches.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var batch = new Option<int>("--batch-size") { Description = "Rows per ONNX call.", DefaultValueFactory = _ => PredictionServiceDefaults.BatchSize };
        var repeat = new Option<int>("--repeat") { Description = "Runs per format (the best is reported with every run listed); with --reference, pairs of whole processes.", DefaultValueFactory = _ => 3 };
        var reference = new Option<bool>("--reference") { Description = "Whole astro predict processes (CSV → CSV) against pandas + PyTorch (Bench/predict_reference.py; Debian python3-pandas, python3-torch, python3-onnx), alternating, with the ratio and the load average." };
        var command = new Command("predict", "End-to-end prediction throughput (read → select → ONNX → write) on a generated 21-band + z catalog with a 22-44-66-66-1 MLP.")
        {
            rows, format, dir, threads, parallel, batch, repeat, reference,
        };
        command.SetAction(parse => parse.GetValue(reference)
            ? PredictReferenceBench.Run(parse.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "astro-bench-predict"), parse.GetValue(rows), Math.Max(1, parse.GetValue(repeat)), Console.Out)
            : BenchPredict(
            parse.GetValue(rows), parse.GetValue(format) ?? "both", parse.GetValue(dir), parse.GetValue(threads), parse.GetValue(parallel), parse.GetValue(batch), parse.GetValue(repeat), Console.Out));
        return command;
    }

    internal static int Predict(string modelDir, string catalogPath, string outputPath, string? profilePath, int batchSize, TextWriter console)
    {
        ModelPackage package = LoadPackage(modelDir);
        if (profilePath is not null)
        {
            CheckProfile(package, profilePath);
        }

        if (!File.Exists(catalogPath))
        {
            throw new CommandException($"Catalog '{catalogPath}' does not exist.");
        }

        var service = Service(package, new PredictionServiceOptions { BatchSize = batchSize });
        PredictionRunSummary summary;
        try
        {
            using (PredictionWriter writer = PredictionWriter.Create(outputPath, PredictionOutputInfo.FromPackage(package, catalogPath)))
            {
                summary = Run(() => service.PredictCatalog(catalogPath, writer));
            }
        }
        catch (ArgumentException e) when (e.Message.StartsWith("Output", StringComparison.Ordinal))
        {
            throw new CommandException(e.Message, e);
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{package.DisplayName}: {summary.RowsWritten} rows → {outputPath}: {summary.RowsPredicted} predicted ({summary.RowsWithMissingBands} with missing bands, {summary.RowsOutOfDistribution} out of distribution), {summary.RowsNotPredicted} not predicted, in {summary.TotalSeconds:F2} s ({summary.RowsPerSecond:N0} rows/s)"));
        foreach (KeyValuePair<string, long> drop in summary.Selection.DroppedByReason.Where(d => d.Value > 0))
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  not predicted, {drop.Key}: {drop.Value}"));
        }

        if (summary.Read.MalformedRows > 0)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  malformed lines skipped (no output row): {summary.Read.MalformedRows} — {summary.Read}"));
        }

        return 0;
    }

    internal static int BenchPredict(int rows, string format, string? dir, int threads, int parallel, int batchSize, int repeat, TextWriter console)
    {
        string[] formats = format switch
        {
            "csv" => ["csv"],
            "fits" => ["fits"],
            "both" => ["csv", "fits"],
            _ => throw new CommandException($"--format must be csv, fits or both, not '{format}'."),
        };
        dir ??= Path.Combine(Path.GetTempPath(), "astro-bench-predict");
        var options = new PredictionServiceOptions { IntraOpThreads = threads, MaxDegreeOfParallelism = parallel, BatchSize = batchSize };
        var prepare = System.Diagnostics.Stopwatch.StartNew();
        PredictionBenchmark.Prepare(dir, rows);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"catalogs, profile and package in {dir} (prepared in {prepare.Elapsed.TotalSeconds:F1} s); {Environment.ProcessorCount} cores; intra-op threads {threads}, parallel batches {parallel}, batch {batchSize}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime alone: {PredictionBenchmark.OnnxOnlyRowsPerSecond(dir, rows, options):N0} rows/s"));
        console.WriteLine($"{"format",-6} {"rows",10} {"in MB",7} {"out MB",7} {"total s",8} {"rows/s",11} {"CPU s",6}   {"read s",7} {"select s",8} {"predict s",9} {"write s",8}  (stages overlap)");
        foreach (string f in formats)
        {
            for (int i = 0; i < Math.Max(1, repeat); i++)
            {
                PredictionBenchmarkResult r = PredictionBenchmark.Run(dir, f, options);
                PredictionRunSummary s = r.Summary;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f,-6} {s.RowsWritten,10} {r.InputBytes / 1e6,7:F1} {r.OutputBytes / 1e6,7:F1} {s.TotalSeconds,8:F3} {s.RowsPerSecond,11:N0} {r.CpuSeconds,6:F2}   {s.ReadSeconds,7:F3} {s.PreprocessSeconds,8:F3} {s.PredictSeconds,9:F3} {s.WriteSeconds,8:F3}"));
            }
        }

        return 0;
    }

    private static ModelPackage LoadPackage(string dir)
    {
        try
        {
            return ModelPackage.Load(dir);
        }
        catch (ModelPackageException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }

    private static PredictionService Service(ModelPackage package, PredictionServiceOptions options)
    {
        try
        {
            return new PredictionService(package, options);
        }
        catch (ModelPackageException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }

    private static void CheckProfile(ModelPackage package, string profilePath)
    {
        SurveyProfile p = Run(() => SurveyProfile.Load(profilePath));
        if (p.Name != package.Profile.Name || !p.Bands.Select(b => b.Name).SequenceEqual(package.Profile.Bands.Select(b => b.Name)))
        {
            throw new CommandException($"Profile '{profilePath}' ('{p.Name}', bands {string.Join(",", p.Bands.Select(b => b.Name))}) is not the profile model {package.DisplayName} was trained with ('{package.Profile.Name}', bands {string.Join(",", package.Profile.Bands.Select(b => b.Name))}).");
        }
    }

    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (CatalogException e) when (e.Errors.Count > 3)
        {
            throw new CommandException($"{e.Errors[0]} (and {e.Errors.Count - 1} more problems, e.g. {e.Errors[1]})", e);
        }
        catch (CatalogException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
        catch (FitsException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }
}
