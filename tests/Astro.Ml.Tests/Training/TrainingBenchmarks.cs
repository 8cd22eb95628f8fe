using Astro.Catalogs;
using Astro.Contract.Packaging;
using Astro.Ml.Training;
using Xunit.Abstractions;

namespace Astro.Ml.Tests.Training;

/// <summary>A fact that runs only when ASTRO_BENCH=1 (benchmarks are measured, not timed tests).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ASTRO_BENCH") != "1")
        {
            Skip = "Benchmark: set ASTRO_BENCH=1 to run.";
        }
    }
}

/// <summary>Training seconds per epoch of paper 000's three networks on 60,000 rows × 22 inputs (batch 256, 1 thread).</summary>
public sealed class TrainingBenchmarks(ITestOutputHelper output)
{
    [BenchmarkFact]
    public void Paper000Architectures_SecondsPerEpochOn60000Rows()
    {
        const int rows = 60_000;
        const int bands = 21;
        var random = new Random(1);
        var features = new float[rows * (bands + 1)];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double a = Math.Pow(10, 1 + (3 * random.NextDouble()));
            for (int b = 0; b < bands; b++)
            {
                features[(r * (bands + 1)) + b] = (float)(a * (0.5 + (random.NextDouble() * 0.2)));
            }

            features[(r * (bands + 1)) + bands] = (float)(random.NextDouble() * 0.5);
            targets[r] = (float)(Math.Log10(a) + (0.05 * SyntheticData.Normal(random)));
        }

        string[] names = [.. Enumerable.Range(0, bands).Select(b => $"b{b}"), "z"];
        TrainingDataset data = TrainingDataset.Create(features, names, bands, ModelInputRepresentation.FluxMicroJansky, new TargetInfo("y", null, "none"), targets);
        foreach (string arch in new[] { "sm", "sfr", "dl" })
        {
            foreach (bool head in new[] { false, true })
            {
                var options = new TrainingOptions { Architecture = arch, Epochs = 4, Patience = 4, EnsembleSize = 1, HeteroscedasticHead = head };
                // CPU time as well as wall time: on a shared machine the wall time measures the neighbours.
                TimeSpan cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                using TrainingResult result = new PhotometricTrainer(options).Train(data);
                TimeSpan cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0;
                TrainingHistory h = result.History[0];
                output.WriteLine($"{arch,-4} {result.Configuration["layers"],-26} variance head {head,-5}: {h.SecondsPerEpoch:F3} s/epoch wall, {cpu.TotalSeconds / h.Epochs:F3} CPU-s/epoch incl. evaluation (train {result.SplitRows.Train.Count} rows + validation {result.SplitRows.Validation.Count}; {h.Epochs} epochs); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
        }
    }
}
