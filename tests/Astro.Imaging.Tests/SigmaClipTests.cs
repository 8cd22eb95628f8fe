using System.Text.Json;
using Astro.Fits;
using Astro.Fits.Hdus;
using Astro.Imaging.Statistics;
using Astro.Imaging.Tests.Infrastructure;

namespace Astro.Imaging.Tests;

public class SigmaClipTests
{
    [Fact]
    public void MatchesAstropySigmaClippedStats()
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(SharedData.Baseline("sigma_clip.json")));
        using FitsFile file = FitsFile.Open(SharedData.Baseline("sigma_clip.fits"));
        var rows = expected.RootElement.GetProperty("hdus").EnumerateArray().ToArray();
        Assert.Equal(6, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            double[] data = ((ImageHdu)file[i]).ReadPhysical();
            var stats = SigmaClip.Compute(data);
            AssertClose(rows[i].GetProperty("mean").GetDouble(), stats.Mean, $"HDU {i} mean");
            AssertClose(rows[i].GetProperty("median").GetDouble(), stats.Median, $"HDU {i} median");
            AssertClose(rows[i].GetProperty("std").GetDouble(), stats.StandardDeviation, $"HDU {i} std");
        }
    }

    [Fact]
    public void IgnoresNaNAndReportsEmptyInputAsNaN()
    {
        var stats = SigmaClip.Compute([double.NaN, 1, 2, 3, double.PositiveInfinity]);
        Assert.Equal(2.0, stats.Median);
        Assert.Equal(3, stats.Count);
        var empty = SigmaClip.Compute([double.NaN, double.NaN]);
        Assert.Equal(0, empty.Count);
        Assert.True(double.IsNaN(empty.Mean));
    }

    [Fact]
    public void DefaultsAreThreeSigmaFiveIterations()
    {
        var options = new SigmaClipOptions();
        Assert.Equal(3.0, options.Sigma);
        Assert.Equal(5, options.MaxIterations);
        Assert.Throws<ArgumentOutOfRangeException>(() => SigmaClip.Compute([1.0], new SigmaClipOptions { Sigma = 0 }));
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-10 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
}
