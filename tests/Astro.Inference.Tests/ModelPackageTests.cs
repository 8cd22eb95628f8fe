using Astro.Contract.Packaging;
using Astro.Inference.Packaging;

namespace Astro.Inference.Tests;

public sealed class ModelPackageTests
{
    [Fact]
    public void Load_ValidPackage_ResolvesInputsAndServingProfileHasNoLabels()
    {
        string dir = Path.Combine(TestPackages.NewTempDir(), "pkg");
        TestPackages.WriteLinear(dir, masks: true);

        ModelPackage package = ModelPackage.Load(dir);

        Assert.Equal("boss-photoz-linear 20260101.120000", package.DisplayName);
        Assert.Equal(10, package.ResolvedInputs.Length);
        Assert.Single(package.Profile.Labels);
        Assert.Empty(package.CreateServingProfile().Labels);
        Assert.All(package.CreateServingProfile().Bands, b => Assert.Null(b.ErrorColumn));
        Assert.Equal("zSpec", Assert.Single(package.CreateServingProfile(includeTarget: true).Labels).Name);
    }

    [Fact]
    public void Load_MissingOnnx_OneLineErrorNamingFolderAndFile()
    {
        string dir = Path.Combine(TestPackages.NewTempDir(), "pkg");
        TestPackages.WriteLinear(dir);
        File.Delete(Path.Combine(dir, "model.onnx"));

        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(dir));

        Assert.Equal($"Model package '{dir}': model.onnx is missing.", e.Message);
    }

    [Fact]
    public void Load_GraphInputCountDiffersFromManifest_OneLineError()
    {
        string dir = Path.Combine(TestPackages.NewTempDir(), "pkg");
        TestPackages.WriteLinear(dir);
        // A graph declaring 6 inputs under a manifest listing 5.
        string other = Path.Combine(TestPackages.NewTempDir(), "pkg6");
        TestPackages.WriteLinear(other, declaredInputs: 6);
        File.Copy(Path.Combine(other, "model.onnx"), Path.Combine(dir, "model.onnx"), overwrite: true);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(dir));

        Assert.StartsWith($"Model package '{dir}': ", e.Message);
        Assert.Contains("[batch, 6]", e.Message);
        Assert.Contains("5 inputs", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_ManifestOutputRoleNamesMissingOutput_Error()
    {
        string dir = Path.Combine(TestPackages.NewTempDir(), "pkg");
        ModelManifest m = TestPackages.WriteLinear(dir);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), (m with { Onnx = m.Onnx with { Outputs = new Dictionary<string, string> { ["mean"] = "nope" } } }).ToJson());

        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(dir));

        Assert.Contains("onnx.outputs.mean names 'nope'", e.Message);
    }

    [Fact]
    public void Load_BadManifestJson_And_MissingFolder_AreOneLineErrors()
    {
        string dir = Path.Combine(TestPackages.NewTempDir(), "pkg");
        TestPackages.WriteLinear(dir);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), "{ \"name\": ");

        var bad = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(dir));
        var missing = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(dir + "-nowhere"));

        Assert.StartsWith($"Model package '{dir}': manifest.json: invalid manifest", bad.Message);
        Assert.Equal($"Model package '{dir}-nowhere': the folder does not exist.", missing.Message);
    }

    [Fact]
    public void SlopePolynomial_LowestOrderFirst()
    {
        (double v, double d) = PredictionService.Polynomial([1, 2, 3], 2);
        Assert.Equal(1 + 4 + 12, v);
        Assert.Equal(2 + 12, d);
    }

    [Fact]
    public void AsinhScaled_MatchesMathAsinh()
    {
        float[] x = [.. Enumerable.Range(-400, 801).Select(i => MathF.Sign(i) * MathF.Pow(10, Math.Abs(i) / 40f - 5)), 0f, 3e30f, -3e30f];
        var y = new float[x.Length];
        PredictionService.AsinhScaled(x, y, 0.5f);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Asinh(x[i] * 0.5);
            Assert.True(Math.Abs(y[i] - expected) <= 2e-7 + (2e-7 * Math.Abs(expected)), $"asinh({x[i]} * 0.5): {y[i]} vs {expected}");
        }
    }
}
