using System.Diagnostics;
using Astro.Imaging.Models;
using Astro.Imaging.Synthetic;
using Xunit.Abstractions;

namespace Astro.Imaging.Tests;

/// <summary>A fact that runs only when the environment variable ASTRO_BENCH is 1 (benchmarks are not timed tests).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ASTRO_BENCH") != "1")
        {
            Skip = "Benchmark: run with ASTRO_BENCH=1 (or `astro cutout bench`).";
        }
    }
}

public class BenchmarkTests(ITestOutputHelper output)
{
    /// <summary>
    /// Whole preprocessing of 256 × 256 single-band cutouts (FWHM estimated, resampled to 69 × 69) on one
    /// thread: median wall time of 5 passes, CPU time (less sensitive to a loaded machine) and bytes allocated.
    /// </summary>
    [BenchmarkFact]
    public void MillisecondsPer256Cutout()
    {
        const int Count = 200;
        var cutouts = Enumerable.Range(1, Count)
            .Select(s => new Cutout("s", CutoutFormat.Fits, [SyntheticGalaxyGenerator.Generate(SyntheticGalaxyGenerator.RandomScene(s, 256), s).Image], ["r"]))
            .ToList();
        var preprocessor = new CutoutPreprocessor(new CutoutPreprocessorOptions { OutputSize = 69 });
        foreach (var c in cutouts.Take(20))
        {
            preprocessor.Process(c);
        }

        var wall = new List<double>();
        var cpu = new List<double>();
        long bytes = 0;
        using var process = Process.GetCurrentProcess();
        for (int pass = 0; pass < 5; pass++)
        {
            process.Refresh();
            TimeSpan cpu0 = process.TotalProcessorTime;
            long bytes0 = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            foreach (var c in cutouts)
            {
                preprocessor.Process(c);
            }

            wall.Add(watch.Elapsed.TotalMilliseconds / Count);
            bytes = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / Count;
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpu0).TotalMilliseconds / Count);
        }

        wall.Sort();
        cpu.Sort();
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        output.WriteLine($"{wall[2]:F2} ms per 256x256 cutout (median of 5 passes over {Count}; range {wall[0]:F2}-{wall[4]:F2}), " +
            $"CPU {cpu[2]:F2} ms per cutout, {bytes / 1024} KB allocated per cutout; load average {load}");
        Assert.True(wall[2] > 0);
    }
}
