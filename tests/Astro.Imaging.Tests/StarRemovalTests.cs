using Astro.Imaging.Models;
using Astro.Imaging.StarRemoval;
using Astro.Imaging.Synthetic;
using Xunit.Abstractions;

namespace Astro.Imaging.Tests;

public class StarRemovalTests(ITestOutputHelper output)
{
    private const int Scenes = 60;

    [Fact]
    public void RemovesStarsAndKeepsTheGalaxyOverManyRandomScenes()
    {
        double starFlux = 0, replaced = 0, galaxyFlux = 0, galaxyChange = 0, totalError = 0;
        double worstStar = 1, worstGalaxy = 0;
        int touched = 0;
        var perImage = new List<double>();
        for (int seed = 1; seed <= Scenes; seed++)
        {
            var truth = SyntheticGalaxyGenerator.Generate(SyntheticGalaxyGenerator.RandomScene(seed), seed);
            StarRemovalResult result = StarRemover.Remove(truth.Image);
            var score = StarRemovalScore.Measure(truth, result.Image, result.Removed);
            starFlux += score.StarFlux;
            replaced += score.StarFluxReplaced;
            galaxyFlux += score.GalaxyFlux;
            galaxyChange += score.GalaxyChange;
            totalError += score.TotalError;
            worstStar = Math.Min(worstStar, score.StarFractionRemoved);
            worstGalaxy = Math.Max(worstGalaxy, Math.Abs(score.GalaxyFractionChange));
            touched += score.GalaxyCentreTouched ? 1 : 0;
            perImage.Add(Math.Abs(score.GalaxyFractionChange));
            output.WriteLine($"seed {seed}: n={truth.Options.SersicIndex:F2} re={truth.Options.EffectiveRadius:F1} {truth.Options.Psf} stars={truth.Options.Stars.Count} removed={result.Removed.Count} " +
                $"star removed {score.StarFractionRemoved:P2} galaxy change {score.GalaxyFractionChange:P3} (total error {score.TotalError / score.GalaxyFlux:P3})");
        }

        double removedFraction = replaced / starFlux;
        double galaxyFraction = galaxyChange / galaxyFlux;
        output.WriteLine($"ALL {Scenes} scenes: star flux removed {removedFraction:P2} (worst image {worstStar:P2}); galaxy flux change {galaxyFraction:P3} " +
            $"(worst image {worstGalaxy:P3}); total error / galaxy flux {totalError / galaxyFlux:P3}; galaxy centre touched in {touched}");
        Assert.True(removedFraction >= 0.95, $"star flux removed {removedFraction:P2}");
        Assert.True(Math.Abs(galaxyFraction) < 0.01, $"galaxy flux change {galaxyFraction:P3}");
        perImage.Sort();
        double median = perImage[perImage.Count / 2];
        double p90 = perImage[(int)(0.9 * (perImage.Count - 1))];
        output.WriteLine($"per-image |galaxy change|: median {median:P3}, 90th percentile {p90:P3}, worst {worstGalaxy:P3}");
        Assert.True(median < 0.01, $"median per-image galaxy change {median:P3}");
        Assert.Equal(0, touched);
    }

    [Fact]
    public void LeavesAGalaxyWithoutStarsAlone()
    {
        for (int seed = 100; seed < 110; seed++)
        {
            var options = SyntheticGalaxyGenerator.RandomScene(seed);
            options.Stars = [];
            var truth = SyntheticGalaxyGenerator.Generate(options, seed);
            var result = StarRemover.Remove(truth.Image, new StarRemovalOptions { Finder = { Fwhm = options.PsfFwhm } });
            var score = StarRemovalScore.Measure(truth, result.Image, result.Removed);
            Assert.True(Math.Abs(score.GalaxyFractionChange) < 0.001, $"seed {seed}: galaxy change {score.GalaxyFractionChange:P3} with {result.Removed.Count} removals");
            Assert.NotNull(result.GalaxyCentre);
            Assert.InRange(result.GalaxyCentre!.Value.X, options.CentreX!.Value - 2, options.CentreX.Value + 2);
        }
    }

    [Fact]
    public void CatalogueStarsAreRemovedEvenWhenDetectionIsOff()
    {
        var options = new SyntheticGalaxyOptions { Stars = [new SyntheticStar(30.3, 97.6, 20_000), new SyntheticStar(100.2, 30.1, 8_000)] };
        var truth = SyntheticGalaxyGenerator.Generate(options, 7);
        var result = StarRemover.Remove(truth.Image, new StarRemovalOptions
        {
            DetectStars = false,
            KnownStars = [new PixelPosition(30, 98), new PixelPosition(100, 30)],
        });
        Assert.Equal(2, result.Removed.Count);
        Assert.All(result.Removed, r => Assert.True(r.FromCatalog));
        var score = StarRemovalScore.Measure(truth, result.Image, result.Removed);
        Assert.True(score.StarFractionRemoved > 0.95, $"{score.StarFractionRemoved:P2}");
        Assert.Equal(28_000, result.Removed.Sum(r => r.Flux), 28_000 * 0.03);
    }

    [Fact]
    public void ProtectsTheCentralGalaxyEvenWhenItLooksLikeAStar()
    {
        // A compact, round n = 4 galaxy: DAOFIND alone takes its core for a star.
        var options = new SyntheticGalaxyOptions { SersicIndex = 4, EffectiveRadius = 3, Ellipticity = 0, GalaxyFlux = 100_000 };
        var truth = SyntheticGalaxyGenerator.Generate(options, 3);
        var unprotected = StarRemover.Remove(truth.Image, new StarRemovalOptions { ProtectCentralGalaxy = false, Finder = { Fwhm = 3 } });
        var result = StarRemover.Remove(truth.Image, new StarRemovalOptions { Finder = { Fwhm = 3 } });
        Assert.NotEmpty(unprotected.Removed);
        Assert.Empty(result.Removed);
        Assert.True(result.ProtectedCount >= 1);
    }

    [Fact]
    public void RejectsAnAllNaNImage()
    {
        var image = new CutoutImage(32, 32, Enumerable.Repeat(double.NaN, 1024).ToArray());
        var e = Assert.Throws<ImagingException>(() => StarRemover.Remove(image));
        Assert.Contains("NaN", e.Message);
    }
}
