using System.Text.Json;
using Astro.Fits;
using Astro.Fits.Hdus;
using Astro.Imaging.Models;
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

    [Theory]
    [InlineData(1, 3.0, 5)]
    [InlineData(2, 3.0, 5)]
    [InlineData(3, 2.0, 10)]
    [InlineData(4, 3.0, 1)]
    [InlineData(5, 3.0, 0)]
    [InlineData(6, 1.5, 20)]
    public void BucketedPathMatchesTheDirectAlgorithm(int seed, double sigma, int iterations)
    {
        // Large inputs take the bucketed path; it must pick the same values, the same median and (to
        // rounding) the same mean and standard deviation as the plain per-iteration algorithm.
        var options = new SigmaClipOptions { Sigma = sigma, MaxIterations = iterations };
        var random = new Random(seed);
        foreach (int n in new[] { SigmaClip.BucketedThreshold, 5001, 65_536 })
        {
            foreach (string kind in new[] { "sky+stars", "integers", "skewed", "offset" })
            {
                double[] data = new double[n];
                for (int i = 0; i < n; i++)
                {
                    double gauss = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                    data[i] = kind switch
                    {
                        "sky+stars" => 100 + (5 * gauss) + (random.NextDouble() < 0.02 ? 1e4 * random.NextDouble() : 0),
                        "integers" => Math.Round(Math.Clamp(40 + (8 * gauss) + (random.NextDouble() < 0.05 ? 200 : 0), 0, 255)),
                        "skewed" => -3 * Math.Log(1 - random.NextDouble()),
                        _ => 1e6 + gauss,
                    };
                }

                var direct = SigmaClip.ComputeDirect((double[])data.Clone(), options);
                var bucketed = SigmaClip.ComputeBucketed((double[])data.Clone(), options);
                string what = $"n={n} {kind}";
                Assert.Equal(direct.Count, bucketed.Count);
                Assert.Equal(direct.Iterations, bucketed.Iterations);
                Assert.Equal(direct.Median, bucketed.Median);
                Assert.True(Math.Abs(direct.Mean - bucketed.Mean) <= 1e-13 * Math.Max(1, Math.Abs(direct.Mean)), $"{what} mean {direct.Mean:R} vs {bucketed.Mean:R}");
                Assert.True(Math.Abs(direct.StandardDeviation - bucketed.StandardDeviation) <= 1e-12 * direct.StandardDeviation, $"{what} std {direct.StandardDeviation:R} vs {bucketed.StandardDeviation:R}");
            }
        }
    }

    [Fact]
    public void BucketedPathHandlesConstantAndTwoValuedData()
    {
        double[] constant = Enumerable.Repeat(7.5, 5000).ToArray();
        Assert.Equal(new SigmaClippedStatistics(7.5, 7.5, 0, 5000, 1), SigmaClip.Compute(constant));
        double[] twoValues = Enumerable.Range(0, 5000).Select(i => i % 3 == 0 ? 1.0 : 2.0).ToArray();
        var direct = SigmaClip.ComputeDirect((double[])twoValues.Clone(), new SigmaClipOptions());
        var bucketed = SigmaClip.Compute(twoValues);
        Assert.Equal((direct.Median, direct.Count, direct.Iterations), (bucketed.Median, bucketed.Count, bucketed.Iterations));
        Assert.Equal(direct.Mean, bucketed.Mean, 1e-14);
        Assert.Equal(direct.StandardDeviation, bucketed.StandardDeviation, 1e-13);
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-10 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
}
