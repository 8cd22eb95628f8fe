using System.Text.Json;
using Astro.Fits;
using Astro.Fits.Hdus;
using Astro.Imaging.Detection;
using Astro.Imaging.Models;
using Astro.Imaging.Statistics;
using Astro.Imaging.Tests.Infrastructure;

namespace Astro.Imaging.Tests;

/// <summary>Detection compared with photutils 1.6 DAOStarFinder (Baselines/make_baselines.py).</summary>
public class StarFinderTests
{
    [Theory]
    [InlineData("synthetic")]
    [InlineData("kids_G266035")]
    public void MatchesPhotutilsDaoStarFinder(string key)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(SharedData.Baseline("daofind.json")));
        JsonElement expected = doc.RootElement.GetProperty(key);
        string path = key == "synthetic"
            ? SharedData.Baseline("daofind_synthetic.fits")
            : SharedData.Path_("images", "profound-gama-cutouts", "KiDS", "G266035fitim.fits");
        CutoutImage image = Read(path);
        var stats = SigmaClip.Compute(image.Pixels);
        Assert.Equal(expected.GetProperty("median").GetDouble(), stats.Median, 1e-9);
        Assert.Equal(expected.GetProperty("std").GetDouble(), stats.StandardDeviation, 1e-9);
        var sub = new CutoutImage(image.Width, image.Height, Array.ConvertAll(image.Pixels, v => v - stats.Median));
        var found = StarFinder.Find(sub, 5 * stats.StandardDeviation, expected.GetProperty("fwhm").GetDouble());
        var reference = expected.GetProperty("sources").EnumerateArray().ToArray();
        Assert.Equal(reference.Length, found.Count);
        for (int i = 0; i < found.Count; i++)
        {
            JsonElement r = reference[i];
            DetectedSource s = found[i];
            Close(r.GetProperty("xcentroid").GetDouble(), s.X, "xcentroid");
            Close(r.GetProperty("ycentroid").GetDouble(), s.Y, "ycentroid");
            Close(r.GetProperty("sharpness").GetDouble(), s.Sharpness, "sharpness");
            Close(r.GetProperty("roundness1").GetDouble(), s.Roundness1, "roundness1");
            Close(r.GetProperty("roundness2").GetDouble(), s.Roundness2, "roundness2");
            Close(r.GetProperty("peak").GetDouble(), s.Peak, "peak");
            Close(r.GetProperty("flux").GetDouble(), s.Flux, "flux");
        }
    }

    [Fact]
    public void SyntheticStarsAreAllFoundAtTheirPositions()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(SharedData.Baseline("daofind.json")));
        CutoutImage image = Read(SharedData.Baseline("daofind_synthetic.fits"));
        var stats = SigmaClip.Compute(image.Pixels);
        var sub = new CutoutImage(image.Width, image.Height, Array.ConvertAll(image.Pixels, v => v - stats.Median));
        var found = StarFinder.Find(sub, 5 * stats.StandardDeviation, 3.0);
        foreach (JsonElement star in doc.RootElement.GetProperty("injected").EnumerateArray())
        {
            double x = star.GetProperty("x").GetDouble();
            double y = star.GetProperty("y").GetDouble();
            if (star.GetProperty("peak").GetDouble() < 5 * stats.StandardDeviation * 1.5)
            {
                continue; // too faint to require
            }

            Assert.Contains(found, s => Math.Abs(s.X - x) < 0.5 && Math.Abs(s.Y - y) < 0.5);
        }
    }

    [Fact]
    public void EstimatesTheFwhmOfSyntheticStars()
    {
        CutoutImage image = Read(SharedData.Baseline("daofind_synthetic.fits"));
        var stats = SigmaClip.Compute(image.Pixels);
        var sub = new CutoutImage(image.Width, image.Height, Array.ConvertAll(image.Pixels, v => v - stats.Median));
        double? fwhm = StarFinder.EstimateFwhm(sub, stats.StandardDeviation);
        Assert.NotNull(fwhm);
        Assert.InRange(fwhm!.Value, 2.5, 3.6);
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-7 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    internal static CutoutImage Read(string path)
    {
        using FitsFile file = FitsFile.Open(path);
        var hdu = (ImageHdu)file[0];
        return new CutoutImage((int)hdu.Axes[0], (int)hdu.Axes[1], hdu.ReadPhysical());
    }
}
