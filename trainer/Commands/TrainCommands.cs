using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Astro.Catalogs;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Ml.Packaging;
using Astro.Ml.Training;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro train --profile P --catalog C [--catalog C2 …] --target T --out DIR [options]</c>: reads and selects the
/// catalog rows, trains (papers 000/001 defaults, ensemble, uncertainty, band dropout), and writes a model package.
/// </summary>
internal static class TrainCommands
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "Survey profile JSON (profiles/*.json).", Required = true };
        var catalogs = new Option<string[]>("--catalog") { Description = "Catalog file; repeat for several (read in order).", Required = true, AllowMultipleArgumentsPerToken = false };
        var target = new Option<string>("--target") { Description = "A label of the profile (e.g. logMstar) or its class-label column.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the model package.", Required = true };
        var arch = new Option<string?>("--arch") { Description = "sm | sfr | dl (paper 000), z001 | class001 | sptype001 | mass001 (paper 001), custom:64,128,64. Default: from the target name." };
        var epochs = new Option<int?>("--epochs") { Description = "Maximum epochs (default: the architecture's, e.g. 5000 for sm)." };
        var patience = new Option<int?>("--patience") { Description = "Early-stopping patience (default: the architecture's)." };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, split, shuffles and band dropout.", DefaultValueFactory = _ => TrainingDefaults.Seed };
        var folds = new Option<int?>("--folds") { Description = "k-fold cross-validation; the package ships fold 1's model and reports mean ± std over folds." };
        var ensemble = new Option<int>("--ensemble") { Description = "Deep-ensemble members.", DefaultValueFactory = _ => TrainingDefaults.EnsembleSize };
        var noHetero = new Option<bool>("--no-variance-head") { Description = "Members without the log-variance head (ensemble spread only)." };
        var bandDropout = new Option<double>("--band-dropout") { Description = "Probability of hiding each measured band of a training row; > 0 also keeps rows with missing bands.", DefaultValueFactory = _ => TrainingDefaults.BandDropout };
        var device = new Option<string>("--device") { Description = "cpu | cuda (falls back to the CPU with a logged line).", DefaultValueFactory = _ => "cpu" };
        var selection = new Option<string>("--selection") { Description = "paper000 | paper001 | none.", DefaultValueFactory = _ => "paper000" };
        var maxRows = new Option<int?>("--max-rows") { Description = "Use at most this many selected rows." };
        var slope = new Option<int?>("--slope-correction") { Description = "Degree of paper 001's slope correction (0 = none; default 1 with --selection paper001, else none)." };
        var name = new Option<string?>("--name") { Description = "Model name (default: <profile>-<target>)." };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the LightGBM baseline trained on the same split (reported next to the network)." };
        var logEvery = new Option<int>("--log-every") { Description = "Plain-output mode: print one line every N epochs.", DefaultValueFactory = _ => 10 };

        var train = new Command("train", "Train a photometric model and write a model package (model.onnx, manifest.json, metrics.json, plots).")
        {
            profile, catalogs, target, output, arch, epochs, patience, seed, folds, ensemble, noHetero, bandDropout, device, selection, maxRows, slope, name, logEvery, noBaseline,
        };
        train.SetAction((parse, cancellationToken) => System.Threading.Tasks.Task.FromResult(Run(
            new TrainArguments(
                parse.GetRequiredValue(profile),
                parse.GetRequiredValue(catalogs),
                parse.GetRequiredValue(target),
                parse.GetRequiredValue(output),
                parse.GetValue(arch),
                parse.GetValue(epochs),
                parse.GetValue(patience),
                parse.GetValue(seed),
                parse.GetValue(folds),
                parse.GetValue(ensemble),
                !parse.GetValue(noHetero),
                parse.GetValue(bandDropout),
                parse.GetValue(device) ?? "cpu",
                parse.GetValue(selection) ?? "paper000",
                parse.GetValue(maxRows),
                parse.GetValue(slope),
                parse.GetValue(name),
                Math.Max(1, parse.GetValue(logEvery)),
                !parse.GetValue(noBaseline)),
            cancellationToken)));
        return train;
    }

    internal sealed record TrainArguments(
        string Profile,
        string[] Catalogs,
        string Target,
        string Output,
        string? Architecture,
        int? Epochs,
        int? Patience,
        int Seed,
        int? Folds,
        int Ensemble,
        bool VarianceHead,
        double BandDropout,
        string Device,
        string Selection,
        int? MaxRows,
        int? SlopeCorrection,
        string? Name,
        int LogEvery,
        bool Baseline = true);

    internal static int Run(TrainArguments a, CancellationToken cancellationToken)
    {
        try
        {
            return RunCore(a, cancellationToken);
        }
        catch (Exception e) when (e is CatalogException or TrainingException or ModelPackageException)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }

    private static int RunCore(TrainArguments a, CancellationToken cancellationToken)
    {
        foreach (string path in a.Catalogs.Prepend(a.Profile))
        {
            if (!File.Exists(path))
            {
                throw new CommandException($"{path}: file not found");
            }
        }

        SurveyProfile profile = SurveyProfile.Load(a.Profile);
        bool classTarget = profile.IsClassTarget(a.Target);
        SelectionOptions selection = CreateSelection(profile, a.Selection, a.BandDropout > 0, classTarget);
        TrainingOptions options = CreateOptions(a);
        bool plain = Console.IsOutputRedirected || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        var read = Stopwatch.StartNew();
        (TrainingDataset data, Catalogs.Models.SelectionReport report) = TrainingDataset.FromCatalogs(profile, a.Catalogs, selection, a.Target, a.MaxRows, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Read {report.RowsIn:N0} rows, kept {report.RowsKept:N0} ({report.RowsKeptWithMissingBands:N0} with missing bands), {data.Rows:N0} with target '{a.Target}', in {read.Elapsed.TotalSeconds:0.0} s."));
        foreach ((string reason, long count) in report.DroppedByReason.Where(d => d.Value > 0))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dropped {count:N0}: {reason}"));
        }

        var logger = new ConsoleLineLogger();
        var trainer = new PhotometricTrainer(options, logger);
        TrainingResult result = plain
            ? trainer.Train(data, new PlainProgress(a.LogEvery), cancellationToken)
            : TrainWithLiveProgress(trainer, data, cancellationToken);
        using (result)
        {
            string modelName = a.Name ?? $"{profile.Name}-{a.Target}".ToLowerInvariant();
            var joins = profile.Joins.SelectMany(j => a.Catalogs.Select(c => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(c))!, j.Path))).Where(File.Exists).Distinct();
            ModelManifest manifest = new ModelPackageWriter().Write(
                result,
                new ModelPackageInfo
                {
                    Name = modelName,
                    ProfileName = profile.Name,
                    ProfileJson = File.ReadAllText(a.Profile),
                    CatalogFiles = [.. a.Catalogs, .. joins],
                },
                a.Output);
            PrintSummary(result, manifest, a.Output, plain);
        }

        return 0;
    }

    internal static SelectionOptions CreateSelection(SurveyProfile profile, string name, bool keepMissing, bool classTarget = false)
    {
        try
        {
            return SelectionOptions.ForTraining(profile, name, keepMissing, classTarget);
        }
        catch (ArgumentException e)
        {
            throw new CommandException($"--selection: {e.Message.Split(" (Parameter", 2)[0]}", e);
        }
    }

    internal static TrainingOptions CreateOptions(TrainArguments a)
    {
        var options = new TrainingOptions
        {
            Architecture = a.Architecture,
            Epochs = a.Epochs,
            Patience = a.Patience,
            Seed = a.Seed,
            Folds = a.Folds,
            EnsembleSize = a.Ensemble,
            HeteroscedasticHead = a.VarianceHead,
            BandDropout = a.BandDropout,
            Baseline = a.Baseline,
            Device = a.Device.ToLowerInvariant() switch
            {
                "cpu" => TrainingDevice.Cpu,
                "cuda" => TrainingDevice.Cuda,
                _ => throw new CommandException($"--device: unknown device '{a.Device}' (use cpu or cuda)"),
            },
            SlopeCorrectionDegree = a.SlopeCorrection switch
            {
                0 => null,
                int d => d,
                null => string.Equals(a.Selection, "paper001", StringComparison.OrdinalIgnoreCase) ? 1 : null,
            },
        };
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new CommandException($"invalid training options: {string.Join("; ", problems)}");
        }

        return options;
    }

    private static TrainingResult TrainWithLiveProgress(PhotometricTrainer trainer, TrainingDataset data, CancellationToken cancellationToken)
    {
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("starting", maxValue: 1.0);
                result = trainer.Train(data, new LiveProgress(task), cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static string Describe(TrainingProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{(p.Folds > 1 ? $"fold {p.Fold}/{p.Folds} " : string.Empty)}{(p.Members > 1 ? $"member {p.Member}/{p.Members} " : string.Empty)}epoch {p.Epoch}/{p.MaxEpochs} train {p.TrainLoss:0.00000} val {p.ValidationLoss:0.00000} best {p.BestValidationLoss:0.00000}@{p.BestEpoch} ETA ≤ {FormatSpan(p.Remaining)}");

    private static string FormatSpan(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private static void PrintSummary(TrainingResult result, ModelManifest manifest, string directory, bool plain)
    {
        IReadOnlyDictionary<string, double> test = result.TestMetricsDictionary;
        CrossValidationSummary? cv = result.CrossValidation;
        IReadOnlyDictionary<string, double>? baseline = result.Baseline?.TestMetricsDictionary;
        CrossValidationSummary? baselineCv = result.BaselineCrossValidation;
        IReadOnlyDictionary<string, double>? before = result.TestMetricsBeforeCorrection?.ToDictionary();
        var columns = new List<string> { "metric", "network" };
        if (cv is not null)
        {
            columns.Add($"{cv.Folds}-fold mean ± std");
        }

        if (before is not null)
        {
            columns.Add("before slope corr.");
        }

        if (baseline is not null)
        {
            columns.Add("LightGBM");
            if (baselineCv is not null)
            {
                columns.Add($"LightGBM {baselineCv.Folds}-fold");
            }
        }

        var rows = new List<List<string>>();
        foreach ((string key, double value) in test)
        {
            var row = new List<string> { key, value.ToString("G5", CultureInfo.InvariantCulture) };
            if (cv is not null)
            {
                row.Add(MeanStd(cv, key));
            }

            if (before is not null)
            {
                row.Add(before.TryGetValue(key, out double b) ? b.ToString("G5", CultureInfo.InvariantCulture) : "-");
            }

            if (baseline is not null)
            {
                row.Add(baseline.TryGetValue(key, out double l) ? l.ToString("G5", CultureInfo.InvariantCulture) : "-");
                if (baselineCv is not null)
                {
                    row.Add(MeanStd(baselineCv, key));
                }
            }

            rows.Add(row);
        }

        string title = $"{manifest.Name} {manifest.Version}: test metrics ({result.Split})";
        if (plain)
        {
            Console.WriteLine(title);
            int[] widths = [.. columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))];
            Console.WriteLine("  " + string.Join("  ", columns.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
            foreach (List<string> row in rows)
            {
                Console.WriteLine("  " + string.Join("  ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
            }
        }
        else
        {
            var table = new Table().Title(Markup.Escape(title));
            for (int i = 0; i < columns.Count; i++)
            {
                table.AddColumn(i == 0 ? new TableColumn(Markup.Escape(columns[i])) : new TableColumn(Markup.Escape(columns[i])).RightAligned());
            }

            foreach (List<string> row in rows)
            {
                table.AddRow([.. row.Select(Markup.Escape)]);
            }

            AnsiConsole.Write(table);
        }

        if (result.Baseline is BaselineResult lgbm)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Baseline: {lgbm.Model} ({lgbm.Objective}), {lgbm.BestIteration} iterations, same {lgbm.TrainRows.Count}/{lgbm.ValidationRows.Count}/{lgbm.TestRows.Count} rows, {lgbm.Seconds:0.0} s."));
        }

        if (result.Uncertainty is UncertaintyInfo u)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Uncertainty: {u.Kind}, calibration ×{u.CalibrationScale:0.000}; test coverage of ±1σ {u.Coverage68:P1}, of ±1.96σ {u.Coverage95:P1}."));
        }

        double perEpoch = result.History.Sum(h => h.Seconds) / Math.Max(1, result.History.Sum(h => h.Epochs));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained in {result.TrainingSeconds:0.0} s ({perEpoch:0.000} s per epoch); best epochs {string.Join(", ", result.History.Select(h => $"{h.BestEpoch}/{h.Epochs}"))}."));
        Console.WriteLine($"Model package: {Path.GetFullPath(directory)} ({manifest.Name} {manifest.Version})");
    }

    private static string MeanStd(CrossValidationSummary cv, string key) =>
        cv.Mean.TryGetValue(key, out double m) ? string.Create(CultureInfo.InvariantCulture, $"{m:G5} ± {cv.Std[key]:G3}") : "-";

    private sealed class LiveProgress(ProgressTask task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            task.Description = Markup.Escape(Describe(value));
            task.Value = value.Fraction;
        }
    }

    private sealed class PlainProgress(int every) : IProgress<TrainingProgress>
    {
        private int _member;

        public void Report(TrainingProgress value)
        {
            int member = ((value.Fold - 1) * value.Members) + value.Member;
            if (value.Epoch == 1 || value.Epoch % every == 0 || value.Epoch == value.MaxEpochs || member != _member)
            {
                Console.WriteLine(Describe(value));
                _member = member;
            }
        }
    }

    private sealed class ConsoleLineLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"{(logLevel >= LogLevel.Warning ? "warning" : "info")}: {formatter(state, exception)}");
            }
        }
    }
}
