using System.Diagnostics;
using Astro.Imaging.Models;
using Astro.Imaging.Synthetic;
using Xunit.Abstractions;

namespace Astro.Imaging.Tests;

public class BenchmarkTests(ITestOutputHelper output)
{
    [Fact(Skip = "Benchmark: run explicitly (or `astro cutout bench`).")]
    public void MillisecondsPer256Cutout()
    {
        var cutouts = Enumerable.Range(1, 50).Select(s => SyntheticGalaxyGenerator.Generate(SyntheticGalaxyGenerator.RandomScene(s, 256), s)).ToList();
        var preprocessor = new CutoutPreprocessor(new CutoutPreprocessorOptions { OutputSize = 69 });
        foreach (var c in cutouts.Take(5))
        {
            preprocessor.Process(new Cutout("s", CutoutFormat.Fits, [c.Image], ["r"]));
        }

        var watch = Stopwatch.StartNew();
        foreach (var c in cutouts)
        {
            preprocessor.Process(new Cutout("s", CutoutFormat.Fits, [c.Image], ["r"]));
        }

        output.WriteLine($"{watch.Elapsed.TotalMilliseconds / cutouts.Count:F2} ms per 256x256 cutout");
    }
}
