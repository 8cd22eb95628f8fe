using System.Text.Json;
using Astro.Imaging.Features;
using Astro.Imaging.IO;
using Astro.Imaging.Models;
using Astro.Imaging.Resampling;
using Astro.Imaging.Stretch;
using Astro.Imaging.Synthetic;
using Astro.Imaging.Tests.Infrastructure;

namespace Astro.Imaging.Tests;

public class LogStretchTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FittedScaleGivesTheTargetNoiseLevel(int seed)
    {
        var truth = SyntheticGalaxyGenerator.Generate(SyntheticGalaxyGenerator.RandomScene(seed), seed);
        var result = LogStretch.Apply(truth.Image);
        Assert.True(result.ReachedTarget);
        Assert.Equal(0.2, result.StretchedNoiseLevel, 1e-6);
        Assert.Equal(0.2, LogStretch.Apply(result.NoiseLevel, result.ScaleA), 1e-6);
        Assert.True(result.ScaleA > 1, $"a = {result.ScaleA}");
        Assert.Equal(0.0, result.Image.Pixels.Min(), 12);
        Assert.Equal(1.0, result.Image.Pixels.Max(), 12);

        // The noise level measured on the stretched image's input scale maps to 0.2.
        var stats = Statistics.SigmaClip.Compute(truth.Image.Pixels);
        double n = (stats.Mean + (2 * stats.StandardDeviation) - result.Minimum) / (result.Maximum - result.Minimum);
        Assert.Equal(0.2, Math.Log((result.ScaleA * n) + 1) / Math.Log(result.ScaleA + 1), 1e-6);
    }

    [Fact]
    public void VectorisedStretchMatchesTheFormulaAndFillsNaN()
    {
        // The stretch runs four pixels at a time with a vectorised logarithm and a finite-mask for NaN; check
        // every pixel (including the scalar tail of an odd-sized image) against the scalar formula.
        var truth = SyntheticGalaxyGenerator.Generate(new SyntheticGalaxyOptions { Width = 67, Height = 45 }, 9);
        double[] pixels = (double[])truth.Image.Pixels.Clone();
        pixels[5] = double.NaN;
        pixels[^1] = double.NaN;
        pixels[100] = double.PositiveInfinity;
        var result = LogStretch.Apply(new CutoutImage(67, 45, pixels));
        var stats = Statistics.SigmaClip.Compute(pixels);
        double fill = LogStretch.Apply((stats.Median - result.Minimum) / (result.Maximum - result.Minimum), result.ScaleA);
        for (int i = 0; i < pixels.Length; i++)
        {
            double expected = double.IsFinite(pixels[i])
                ? Math.Log((result.ScaleA * ((pixels[i] - result.Minimum) / (result.Maximum - result.Minimum))) + 1) / Math.Log(result.ScaleA + 1)
                : fill;
            Assert.Equal(expected, result.Image.Pixels[i], 1e-14);
        }

        Assert.Equal(1.0, result.Image.Pixels.Max());
        Assert.Equal(0.0, result.Image.Pixels.Min());
    }

    [Fact]
    public void TargetIsConfigurableAndConstantImagesAreRejected()
    {
        var truth = SyntheticGalaxyGenerator.Generate(new SyntheticGalaxyOptions(), 5);
        var result = LogStretch.Apply(truth.Image, new LogStretchOptions { TargetNoiseLevel = 0.3 });
        Assert.Equal(0.3, result.StretchedNoiseLevel, 1e-6);
        Assert.Throws<ImagingException>(() => LogStretch.Apply(new CutoutImage(8, 8, Enumerable.Repeat(3.0, 64).ToArray())));
        Assert.Equal(0.2, new LogStretchOptions().TargetNoiseLevel);
    }
}

public class ResamplerTests
{
    [Theory]
    [InlineData(256, 256, 69, 69)]
    [InlineData(128, 100, 64, 50)]
    [InlineData(101, 77, 69, 69)]
    public void AreaAveragingConservesFlux(int w, int h, int ow, int oh)
    {
        var random = new Random(w + h);
        var image = new CutoutImage(w, h, Enumerable.Range(0, w * h).Select(_ => random.NextDouble() * 100).ToArray());
        var result = Resampler.Resize(image, ow, oh);
        double flux = image.Pixels.Sum();
        double resampled = result.Pixels.Sum() * ((double)w * h) / (ow * oh);
        Assert.Equal(flux, resampled, flux * 1e-12);
    }

    [Theory]
    [InlineData(256, 69)]
    [InlineData(40, 69)]
    [InlineData(69, 69)]
    [InlineData(50, 128)]
    public void ConstantImagesStayExact(int size, int output)
    {
        var image = new CutoutImage(size, size + 3, Enumerable.Repeat(7.25, size * (size + 3)).ToArray());
        var result = Resampler.Resize(image, output, output);
        Assert.All(result.Pixels, v => Assert.Equal(7.25, v, 12));
    }

    [Fact]
    public void EnlargingInterpolatesLinearRampsExactlyInside()
    {
        // Keys' cubic reproduces linear functions away from the clamped border.
        var image = new CutoutImage(20, 20, Enumerable.Range(0, 400).Select(i => (double)(i % 20)).ToArray());
        var result = Resampler.Resize(image, 40, 40);
        for (int x = 4; x < 36; x++)
        {
            double expected = ((x + 0.5) / 2) - 0.5;
            Assert.Equal(expected, result[x, 10], 10);
        }
    }
}

public class FeatureTests
{
    [Fact]
    public void ImageStatisticsMatchPlainFormulasWithAndWithoutNaN()
    {
        var random = new Random(3);
        double[] pixels = Enumerable.Range(0, 31 * 29).Select(_ => 50 + (random.NextDouble() * 10)).ToArray();
        foreach (bool withNaN in new[] { false, true })
        {
            if (withNaN)
            {
                pixels[7] = double.NaN;
                pixels[(14 * 31) + 15] = double.NaN; // the centre pixel (W/2, H/2)
            }

            var stats = ImageStatistics.Compute(new CutoutImage(31, 29, pixels));
            double[] finite = pixels.Where(double.IsFinite).ToArray();
            double mean = finite.Average();
            Assert.Equal(finite.Sum(), stats.Sum, 1e-9);
            Assert.Equal(mean, stats.Mean, 1e-12);
            Assert.Equal(Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / finite.Length), stats.Std, 1e-12);
            Assert.Equal(finite.Min(), stats.Min);
            Assert.Equal(finite.Max(), stats.Max);
            Assert.Equal(pixels[(14 * 31) + 15], stats.Centre);
        }
    }

    [Fact]
    public void ComovingDistancesMatchAstropy()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(SharedData.Baseline("cosmology.json")));
        var cosmology = new FlatLambdaCdm();
        foreach (JsonElement row in doc.RootElement.GetProperty("rows").EnumerateArray())
        {
            double z = row.GetProperty("z").GetDouble();
            Assert.Equal(1.0, cosmology.ComovingDistance(z) / row.GetProperty("comoving_mpc").GetDouble(), 1e-9);
            Assert.Equal(1.0, cosmology.AngularDiameterDistance(z) / row.GetProperty("angular_diameter_mpc").GetDouble(), 1e-9);
            Assert.Equal(1.0, cosmology.KpcPerArcsecond(z) / row.GetProperty("kpc_per_arcsec").GetDouble(), 1e-9);
        }
    }

    [Fact]
    public void LuminosityFeaturesOfAKnownImage()
    {
        double[] pixels = new double[9 * 9];
        pixels[(4 * 9) + 4] = 25;
        pixels[0] = -1;
        var image = new CutoutImage(9, 9, pixels);
        var stretch = LogStretch.Apply(image);
        var features = LuminosityFeatures.Compute(image, stretch, redshift: 0.1, arcsecondsPerPixel: 0.396);
        double[] v = features.ToArray();
        Assert.Equal(LuminosityFeatures.Names.Count, v.Length);
        Assert.Equal(24, features.Linear.Sum, 12);
        Assert.Equal(25, features.Linear.Max);
        Assert.Equal(-1, features.Linear.Min);
        Assert.Equal(25, features.Linear.Centre);
        Assert.Equal(1.0, features.Linear.Centre5x5, 12);
        Assert.Equal(1.0, features.Scaled.Centre, 12);
        Assert.Equal(9, features.Size);
        Assert.Equal(0.1, features.Redshift);
        Assert.Equal(new FlatLambdaCdm().KpcPerArcsecond(0.1) * 0.396, features.KpcPerPixel, 12);
    }
}

public class CutoutReaderTests
{
    [Fact]
    public void ReadsRealFitsJpegAndPngCutouts()
    {
        var kids = CutoutReader.Read(SharedData.Path_("images", "profound-gama-cutouts", "KiDS", "G266035fitim.fits"));
        Assert.Equal(CutoutFormat.Fits, kids.Format);
        Assert.Single(kids.Bands);
        Assert.Equal((209, 155), (kids.Width, kids.Height));
        Assert.Equal("RA---TAN", kids.Header!.GetString("CTYPE1")?.Trim());

        string jpeg = Directory.GetFiles(SharedData.Path_("images", "wu-boada-metallicity", "convnet-demo", "test"), "*.jpg")[0];
        var rgb = CutoutReader.Read(jpeg);
        Assert.Equal(CutoutFormat.Jpeg, rgb.Format);
        Assert.Equal(3, rgb.Bands.Count);
        Assert.Equal((128, 128), (rgb.Width, rgb.Height));

        string png = Directory.GetFiles(SharedData.Path_("images", "zoobot-decals-rings", "images"), "*.png")[0];
        var decals = CutoutReader.Read(png);
        Assert.Equal(CutoutFormat.Png, decals.Format);
        Assert.Equal((424, 424), (decals.Width, decals.Height));
    }

    [Fact]
    public void BadInputsGiveOneLineErrors()
    {
        var text = Assert.Throws<ImagingException>(() => CutoutReader.Read("hello world, not an image"u8.ToArray(), "notes.txt"));
        Assert.Equal("notes.txt: not a FITS, JPEG or PNG image", text.Message);
        var table = Assert.Throws<ImagingException>(() => CutoutReader.Read(SharedData.Path_("images", "galsim-real-galaxies", "AEGIS_F606w_catalog.fits")));
        Assert.Contains("no image HDU", table.Message);
        Assert.DoesNotContain('\n', table.Message);
    }

    [Fact]
    public void PreprocessorRejectsAllNaNAndTinyImages()
    {
        var nan = new Cutout("nan.fits", CutoutFormat.Fits, [new CutoutImage(32, 32, Enumerable.Repeat(double.NaN, 1024).ToArray())], ["r"]);
        var e = Assert.Throws<ImagingException>(() => new CutoutPreprocessor().Process(nan));
        Assert.Equal("nan.fits: band r has no finite pixel (all NaN)", e.Message);
        var tiny = new Cutout("tiny.fits", CutoutFormat.Fits, [new CutoutImage(8, 8)], ["r"]);
        Assert.Contains("at least 16 x 16", Assert.Throws<ImagingException>(() => new CutoutPreprocessor().Process(tiny)).Message);
    }

    [Fact]
    public void MultiBandCutoutsShareTheRemovedSources()
    {
        var options = SyntheticGalaxyGenerator.RandomScene(4);
        var g = SyntheticGalaxyGenerator.Generate(options, 1);
        var r = SyntheticGalaxyGenerator.Generate(options, 2);
        var cutout = new Cutout("gr", CutoutFormat.Fits, [g.Image, r.Image], ["g", "r"]);
        var result = new CutoutPreprocessor(new CutoutPreprocessorOptions { OutputSize = 69 }).Process(cutout);
        Assert.Equal(2, result.StarRemoved.Count);
        Assert.Equal(options.Stars.Count, result.RemovedSources.Count);
        Assert.All(result.NetworkInput, i => Assert.Equal((69, 69), (i.Width, i.Height)));
        Assert.All(result.Stretched, s => Assert.Equal(0.2, s.StretchedNoiseLevel, 1e-6));
        Assert.Equal(LuminosityFeatures.Names.Count, result.Features[1].ToArray().Length);
    }
}
