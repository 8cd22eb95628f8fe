using System.Globalization;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Imaging.IO;
using Astro.Imaging.ModelInput;
using Astro.Imaging.Models;
using Astro.Inference.Images;
using Astro.Inference.Images.Models;
using Astro.Inference.Packaging;

namespace Astro.Inference.Tests.Images;

public sealed class ImagePredictionServiceTests
{
    private const string SampleId = "1237661465452740762";

    private static string ShippedPackage => Path.Combine(TestPackages.RepoRoot, "models", "images-wu-boada-oh-p50");

    private static string SampleJpeg => Path.Combine(TestPackages.RepoRoot, "samples", "cutouts", $"sdss-{SampleId}.jpg");

    [Fact]
    public void Shipped_package_reproduces_its_own_test_predictions_on_the_sample_jpeg()
    {
        ImagePackage package = ImagePackage.Load(ShippedPackage);
        Assert.Equal("rgb8", package.Image.Stretch);
        Assert.NotNull(package.SecondStagePath);
        Assert.Equal(1024, package.FeatureCount);

        // predictions-test.csv was written by the trainer from the exported graph (TorchSharp-free path of the same code).
        string[] header = File.ReadLines(Path.Combine(ShippedPackage, "predictions-test.csv")).First().Split(',');
        string[] row = File.ReadLines(Path.Combine(ShippedPackage, "predictions-test.csv")).First(l => l.StartsWith(SampleId + ",", StringComparison.Ordinal)).Split(',');
        double Column(string name) => double.Parse(row[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);

        var service = new ImagePredictionService(package);
        Cutout cutout = CutoutReader.Read(SampleJpeg);
        ImagePredictionResult r = service.Predict(cutout);
        Assert.Equal(package.Manifest.Name, r.ModelName);
        Assert.Equal(package.Manifest.Version, r.ModelVersion);
        ImageOutputValue oh = Assert.Single(r.Outputs);
        Assert.Equal("oh_p50", oh.Name);
        Assert.Equal(Column("oh_p50_pred"), oh.Value, 4);
        Assert.Equal(Column("oh_p50_std"), oh.Std, 4);
        Assert.True(oh.Std > 0);
        Assert.NotNull(r.SecondStage);
        Assert.Equal(Column("stage2_oh_p50_pred"), r.SecondStage!.Value, 3);
        Assert.True(r.Flags.HasFlag(ImagePredictionFlags.Resampled), "128 px cutout → 69 px network");
        Assert.True(r.Flags.HasFlag(ImagePredictionFlags.GalaxyNotChecked));
        Assert.True(r.Flags.HasFlag(ImagePredictionFlags.NoRedshift));
        Assert.False(r.Flags.HasFlag(ImagePredictionFlags.InvalidOutput));
        Assert.True(ImageInputPreprocessor.FindsGalaxy(cutout), "the sample shows a galaxy");
    }

    [Fact]
    public void Log003_package_predicts_the_mean_of_the_prepared_input_and_runs_the_second_stage()
    {
        string dir = ImageTestPackages.Write(TestPackages.NewTempDir(), "tiny-log", "20260101.000000", ImageTestPackages.Input(32, 1, "log003", removeStars: true, secondStage: true), secondStage: true);
        var service = new ImagePredictionService(ImagePackage.Load(dir));
        Cutout galaxy = ImageTestPackages.Galaxy();
        PreparedImageInput prepared = service.Prepare(galaxy, 0.05);
        Assert.Equal(32 * 32, prepared.Pixels.Length);
        Assert.True(prepared.GalaxyFound);
        Assert.True(prepared.Pixels.All(v => v is >= 0 and <= 1.0001f), "log stretch maps to [0, 1]");
        double expected = prepared.Pixels.Average(v => (double)v);

        ImagePredictionResult r = service.Predict(galaxy, 0.05);
        Assert.Equal(expected, r.Outputs[0].Value, 5);
        Assert.Equal(0.1 * expected, r.Outputs[0].Std, 5);
        Assert.Equal((2 * r.Outputs[0].Value) + 1, r.SecondStage!.Value, 5);
        Assert.Equal("t2", r.SecondStage.Target);
        Assert.Equal(2, r.StarsRemoved);
        Assert.True(r.Flags.HasFlag(ImagePredictionFlags.StarsRemoved));
        Assert.True(r.Flags.HasFlag(ImagePredictionFlags.Resampled));
        Assert.False(r.Flags.HasFlag(ImagePredictionFlags.NoRedshift));
        Assert.Equal(true, r.GalaxyFound);
        Assert.Equal(0.05f, prepared.Luminosity[^2], 6);
    }

    [Fact]
    public void Unusable_cutouts_are_refused_with_the_problem()
    {
        string dir = ImageTestPackages.Write(TestPackages.NewTempDir(), "tiny-log", "20260101.000000", ImageTestPackages.Input(64, 1, "log003", removeStars: true, secondStage: false));
        var service = new ImagePredictionService(ImagePackage.Load(dir));
        Assert.Equal(32, service.MinimumSize);

        var small = ImageTestPackages.Galaxy(size: 24);
        Assert.Equal(ImageInputProblem.WrongSize, Assert.Throws<ImageInputException>(() => service.Predict(small)).Problem);

        var nan = new Cutout("nan.fits", CutoutFormat.Fits, [new CutoutImage(64, 64, Enumerable.Repeat(double.NaN, 64 * 64).ToArray())], ["r"]);
        var e = Assert.Throws<ImageInputException>(() => service.Predict(nan));
        Assert.Equal(ImageInputProblem.AllNaN, e.Problem);
        Assert.StartsWith("nan.fits:", e.Message, StringComparison.Ordinal);

        Assert.Equal(ImageInputProblem.NoGalaxy, Assert.Throws<ImageInputException>(() => service.Predict(ImageTestPackages.Noise())).Problem);

        var rgb = CutoutReader.Read(SampleJpeg);
        Assert.Contains("3 band(s)", service.Mismatch(rgb), StringComparison.Ordinal);
        Assert.Equal(ImageInputProblem.NotApplicable, Assert.Throws<ImageInputException>(() => service.Predict(rgb)).Problem);

        string rgbDir = ImageTestPackages.Write(TestPackages.NewTempDir(), "tiny-rgb", "20260101.000000", ImageTestPackages.Input(32, 3, "rgb8", removeStars: false, secondStage: false));
        var rgbService = new ImagePredictionService(ImagePackage.Load(rgbDir));
        var fitsCube = new Cutout("cube.fits", CutoutFormat.Fits, [.. Enumerable.Range(0, 3).Select(_ => ImageTestPackages.Galaxy().Bands[0])], ["g", "r", "i"]);
        Assert.Contains("FITS", rgbService.Mismatch(fitsCube), StringComparison.Ordinal);
        Assert.Null(rgbService.Mismatch(rgb));

        Assert.Equal(ImageInputProblem.Unreadable, Assert.Throws<ImageInputException>(() => ImageInputPreprocessor.Read("not an image"u8.ToArray(), "x.png")).Problem);
    }

    [Fact]
    public void Catalog_packages_and_bad_image_packages_are_refused_on_load()
    {
        string catalog = TestPackages.NewTempDir();
        TestPackages.WriteLinear(catalog);
        Assert.False(ImagePackage.IsImagePackage(catalog));
        Assert.Contains("not an image model", Assert.Throws<ModelPackageException>(() => ImagePackage.Load(catalog)).Message, StringComparison.Ordinal);
        Assert.True(ImagePackage.IsImagePackage(ShippedPackage));

        // The manifest says 48 px, the graph takes 32 px; the second stage's column list lost its last name.
        string dir = ImageTestPackages.Write(TestPackages.NewTempDir(), "tiny", "20260101.000000", ImageTestPackages.Input(32, 1, "log003", true, true), secondStage: true);
        string path = Path.Combine(dir, ModelPackage.ManifestFileName);
        ModelManifest m = ModelManifest.Parse(File.ReadAllText(path), path);
        File.WriteAllText(path, (m with { Image = m.Image! with { Size = 48, SecondStage = m.Image.SecondStage! with { Features = [.. m.Image.SecondStage.Features.SkipLast(1)] } } }).ToJson());
        string message = Assert.Throws<ModelPackageException>(() => ImagePackage.Load(dir)).Message;
        Assert.Contains("[batch, 1, 48, 48]", message, StringComparison.Ordinal);
        Assert.Contains("secondStage.features", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_defaults_are_documented_values_and_are_validated()
    {
        var o = new ImagePredictionServiceOptions();
        Assert.Equal(ImagePredictionServiceDefaults.IntraOpThreads, o.IntraOpThreads);
        Assert.Equal(ImagePredictionServiceDefaults.MinimumSizeFraction, o.MinimumSizeFraction);
        Assert.Equal(ImagePredictionServiceDefaults.RequireGalaxy, o.RequireGalaxy);
        ImagePackage package = ImagePackage.Load(ShippedPackage);
        var e = Assert.Throws<ArgumentException>(() => new ImagePredictionService(package, new ImagePredictionServiceOptions { IntraOpThreads = 0, MinimumSizeFraction = 2 }));
        Assert.Contains("IntraOpThreads", e.Message, StringComparison.Ordinal);
        Assert.Contains("MinimumSizeFraction", e.Message, StringComparison.Ordinal);
    }
}
