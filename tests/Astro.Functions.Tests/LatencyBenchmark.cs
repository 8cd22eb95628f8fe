using System.Diagnostics;
using Astro.Functions.Tests.Infrastructure;
using Astro.Testing;
using Xunit.Abstractions;

namespace Astro.Functions.Tests;

/// <summary>A fact that runs only when ASTRO_BENCH=1 (benchmarks are measured on demand, not in every test run).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ASTRO_BENCH") != "1")
        {
            Skip = "benchmark: run with ASTRO_BENCH=1";
        }
    }
}

/// <summary>
/// Latency from blob upload to output written (p50 / p95 over 20 uploads) for a single-row catalog (drop → 1 chunk →
/// predict → merge) and a cutout, through the real host on Azurite (queue polling ceiling 0.5 s in the test settings).
/// Run: <c>ASTRO_BENCH=1 dotnet test tests/Astro.Functions.Tests --filter LatencyBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class LatencyBenchmark(HostFixture fixture, ITestOutputHelper output)
{
    private const int Uploads = 20;

    [BenchmarkFact]
    public async Task Upload_to_output_latency()
    {
        byte[] cutout = await File.ReadAllBytesAsync(Path.Combine(Azurite.RepoRoot(), "samples", "cutouts", "G266033fitim.fits"));
        var catalog = new List<double>();
        var cutouts = new List<double>();
        string run = Guid.NewGuid().ToString("N")[..6];
        for (int i = 0; i < Uploads; i++)
        {
            string csv = TestPackages.Csv([($"b{i}", 1 + i, 2, 3, 0.1)]);
            var watch = Stopwatch.StartNew();
            await fixture.Storage.Catalogs.GetBlobClient($"bench-{run}/{i}.csv").UploadAsync(BinaryData.FromString(csv));
            await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, $"catalogs/bench-{run}/{i}.summary.json", TimeSpan.FromSeconds(60));
            catalog.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            await fixture.Storage.Cutouts.GetBlobClient($"bench-{run}/{i}.fits").UploadAsync(new BinaryData(cutout));
            await HostFixture.WaitForBlobAsync(fixture.Storage.Predictions, $"cutouts/bench-{run}/{i}.json", TimeSpan.FromSeconds(60));
            cutouts.Add(watch.Elapsed.TotalSeconds);
        }

        string report = $"upload → output, {Uploads} uploads each (Azurite, blob trigger, queue polling ≤ 0.5 s):\n"
            + $"  single-row catalog: p50 {Percentile(catalog, 50):F2} s, p95 {Percentile(catalog, 95):F2} s, min {catalog.Min():F2} s, max {catalog.Max():F2} s\n"
            + $"  cutout (KiDS 133x155 float32): p50 {Percentile(cutouts, 50):F2} s, p95 {Percentile(cutouts, 95):F2} s, min {cutouts.Min():F2} s, max {cutouts.Max():F2} s\n"
            + $"  host start {fixture.HostStartSeconds:F2} s, Azurite start {fixture.Azurite.StartSeconds:F2} s";
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "astro-functions-latency.txt"), report + "\n");
        Assert.All(catalog.Concat(cutouts), s => Assert.True(s > 0));
    }

    private static double Percentile(List<double> values, double p)
    {
        double[] s = [.. values.Order()];
        double rank = p / 100.0 * (s.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = (int)Math.Ceiling(rank);
        return s[lo] + ((s[hi] - s[lo]) * (rank - lo));
    }
}
