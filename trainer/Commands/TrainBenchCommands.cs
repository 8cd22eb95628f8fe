using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Astro.Catalogs;
using Astro.Contract.Packaging;
using Astro.Ml.Training;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro bench train</c>: training seconds per epoch of paper 000's three networks (sm 22-44-66-66-1,
/// sfr 22-110-220-110-1, dl 22-66-110-220-110-66-1) on synthetic rows of 21 fluxes + z (22 inputs), batch 256,
/// one torch thread: the median of the timed epochs after warm-up epochs, wall and CPU time.
/// </summary>
internal static class TrainBenchCommands
{
    private const int Bands = 21;

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Training rows per epoch (the validation loss is computed on a further eighth of that).", DefaultValueFactory = _ => 60_000 };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per network (the median is reported).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up epochs first.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (MLPs are fastest on one).", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size (paper 000: 256).", DefaultValueFactory = _ => TrainingDefaults.BatchSize };
        var paperOnly = new Option<bool>("--paper-only") { Description = "Only the paper's single-output networks (skip the variance-head variants the trainer uses by default)." };
        var arch = new Option<string[]>("--arch") { Description = "Architectures to time (repeatable).", DefaultValueFactory = _ => ["sm", "sfr", "dl"] };
        var command = new Command("train", "Training seconds per epoch of paper 000's networks on 60,000 synthetic 22-input rows (batch 256, 1 thread).")
        {
            rows, epochs, warmup, threads, batch, paperOnly, arch,
        };
        command.SetAction((parse, cancellationToken) => System.Threading.Tasks.Task.FromResult(Run(
            parse.GetValue(rows),
            parse.GetValue(epochs),
            parse.GetValue(warmup),
            parse.GetValue(threads),
            parse.GetValue(batch),
            !parse.GetValue(paperOnly),
            parse.GetValue(arch) ?? ["sm", "sfr", "dl"],
            cancellationToken)));
        return command;
    }

    private static int Run(int rows, int epochs, int warmup, int threads, int batch, bool varianceHead, string[] architectures, CancellationToken cancellationToken)
    {
        if (rows < 1_000 || epochs < 1 || warmup < 0 || threads < 1 || batch < 1)
        {
            throw new CommandException("bench train: --rows must be ≥ 1000, --epochs and --threads ≥ 1, --warmup ≥ 0, --batch ≥ 1");
        }

        foreach (string a in architectures)
        {
            if (!NetworkArchitecture.TryParse(a, out _, out string? error))
            {
                throw new CommandException($"--arch: {error}");
            }
        }

        // 0.8 / 0.1 / 0.1 of rows / 0.8 total rows: exactly `rows` training rows per epoch.
        int total = (int)Math.Ceiling(rows / 0.8);
        TrainingDataset data = Synthetic(total, seed: 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} synthetic training rows × {Bands + 1} inputs (21 fluxes + z), batch {batch}, {threads} torch thread(s), {warmup} warm-up + {epochs} timed epochs; load average {LoadAverage()} on {Environment.ProcessorCount} cores"));
        var lines = new List<string[]>();
        int validationRows = 0;
        foreach (string name in architectures)
        {
            foreach (bool head in varianceHead ? new[] { false, true } : [false])
            {
                cancellationToken.ThrowIfCancellationRequested();
                var options = new TrainingOptions
                {
                    Architecture = name,
                    Epochs = warmup + epochs,
                    Patience = warmup + epochs + 1,
                    EnsembleSize = 1,
                    HeteroscedasticHead = head,
                    Baseline = false,
                    BatchSize = batch,
                    Threads = threads,
                    TrainFraction = 0.8,
                    ValidationFraction = 0.1,
                };
                var cpu = new CpuPerEpoch();
                using TrainingResult result = new PhotometricTrainer(options).Train(data, cpu, cancellationToken);
                TrainingHistory h = result.History[0];
                validationRows = result.SplitRows.Validation.Count;
                double[] wall = [.. h.EpochSeconds.Skip(warmup)];
                double[] cpuSeconds = [.. cpu.Seconds.Skip(warmup)];
                double median = Median(wall);
                long parameters = result.Members[0].parameters().Sum(p => p.numel());
                lines.Add(
                [
                    name,
                    result.Configuration["layers"],
                    head ? "yes" : "no (paper)",
                    parameters.ToString("N0", CultureInfo.InvariantCulture),
                    median.ToString("0.000", CultureInfo.InvariantCulture),
                    wall.Min().ToString("0.000", CultureInfo.InvariantCulture),
                    Median(cpuSeconds).ToString("0.000", CultureInfo.InvariantCulture),
                    (result.SplitRows.Train.Count / median).ToString("N0", CultureInfo.InvariantCulture),
                ]);
                Console.WriteLine($"  {name} (variance head {(head ? "yes" : "no")}): {median:0.000} s/epoch");
            }
        }

        string[] header = ["arch", "layers", "variance head", "parameters", "s/epoch (median)", "min", "CPU-s/epoch", "rows/s"];
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, lines.Max(l => l[i].Length)))];
        Console.WriteLine();
        Console.WriteLine(string.Join("  ", header.Select((h, i) => i < 3 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))));
        foreach (string[] line in lines)
        {
            Console.WriteLine(string.Join("  ", line.Select((c, i) => i < 3 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"An epoch = {rows:N0} training rows (forward + backward + Adam step) + the validation loss on {validationRows:N0} rows; wall time is what a busy machine gives, CPU-s/epoch is the process's CPU time (load average now {LoadAverage()})."));
        return 0;
    }

    /// <summary>The benchmark's rows (as the skipped TrainingBenchmarks test): 21 fluxes sharing a log-uniform amplitude, z uniform on [0, 0.5], y = log10 amplitude + N(0, 0.05²).</summary>
    internal static TrainingDataset Synthetic(int rows, int seed)
    {
        var random = new Random(seed);
        var features = new float[rows * (Bands + 1)];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double a = Math.Pow(10, 1 + (3 * random.NextDouble()));
            for (int b = 0; b < Bands; b++)
            {
                features[(r * (Bands + 1)) + b] = (float)(a * (0.5 + (random.NextDouble() * 0.2)));
            }

            features[(r * (Bands + 1)) + Bands] = (float)(random.NextDouble() * 0.5);
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            targets[r] = (float)(Math.Log10(a) + (0.05 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
        }

        string[] names = [.. Enumerable.Range(0, Bands).Select(b => $"b{b}"), "z"];
        return TrainingDataset.Create(features, names, Bands, ModelInputRepresentation.FluxMicroJansky, new TargetInfo("y", null, "none"), targets);
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    /// <summary>Process CPU seconds between consecutive epoch reports (the trainer reports synchronously at each epoch's end).</summary>
    private sealed class CpuPerEpoch : IProgress<TrainingProgress>
    {
        private TimeSpan _last = Process.GetCurrentProcess().TotalProcessorTime;

        public List<double> Seconds { get; } = [];

        public void Report(TrainingProgress value)
        {
            TimeSpan now = Process.GetCurrentProcess().TotalProcessorTime;
            Seconds.Add((now - _last).TotalSeconds);
            _last = now;
        }
    }
}
