using Astro.Ml.Images;
using Astro.Onnx;
using Astro.Trees;
using Xunit.Abstractions;

namespace Astro.Ml.Tests.Images;

/// <summary>
/// Trains a tiny ensemble once (synthetic galaxies, 2 epochs, 2 members, TTA) and checks ONNX parity, determinism,
/// TTA invariance and the LightGBM stage's ONNX parity.
/// </summary>
public sealed class ImageTrainerTests : IClassFixture<ImageTrainerTests.Trained>
{
    private const double Tolerance = 1e-5;
    private readonly Trained _trained;
    private readonly ITestOutputHelper _output;

    public ImageTrainerTests(Trained trained, ITestOutputHelper output)
    {
        _trained = trained;
        _output = output;
    }

    [Fact]
    public void ExportedEnsembleWithTta_MatchesTorchSharp()
    {
        ImageTrainingResult result = _trained.Result;
        using var session = new OnnxModelSession(ImageOnnxExport.ExportToBytes(result.Members, true), new OnnxModelSessionOptions { IntraOpThreads = 2 });
        Assert.Equal([ImageOnnxExport.OutputName, ImageOnnxExport.StdName, ImageOnnxExport.FeaturesName], session.OutputNames);
        float[] pixels = ImageTrainingResult.Gather(result.Data, result.TestRows);
        ImagePredictions onnx = ImageModelPackage.PredictOnnx(session, pixels, result.TestRows.Length);
        ImagePredictions torch = result.PredictRows(result.TestRows);
        double mean = MaxAbsDiff(torch.Mean, onnx.Mean);
        double std = MaxAbsDiff(torch.Std, onnx.Std);
        double features = MaxAbsDiff(torch.Features, onnx.Features);
        _output.WriteLine($"max |torch − onnx|: mean {mean:E2}, std {std:E2}, features {features:E2}; spread of means {torch.Mean.Max() - torch.Mean.Min():G3}");
        Assert.True(torch.Mean.Max() - torch.Mean.Min() > 1e-4, "constant outputs would prove nothing");
        Assert.True(torch.Std.Max() > 1e-6, "two members should disagree somewhere");
        Assert.True(mean <= Tolerance && std <= Tolerance && features <= Tolerance * 10, $"parity {mean:E2} / {std:E2} / {features:E2}");
        Assert.Equal(2 * ImageArchitectures.FeatureWidth, onnx.Features.Length / onnx.Count);
    }

    [Fact]
    public void Training_IsDeterministicFromTheSeed()
    {
        using ImageTrainingResult again = Trained.Train();
        ImagePredictions a = _trained.Result.PredictRows(_trained.Result.TestRows);
        ImagePredictions b = again.PredictRows(again.TestRows);
        Assert.Equal(_trained.Result.TestRows, again.TestRows);
        Assert.Equal(_trained.Result.Histories[0].TrainLoss, again.Histories[0].TrainLoss);
        Assert.Equal(a.Mean, b.Mean);
    }

    [Fact]
    public void Tta_IsInvariantUnderFlipsAndRotations()
    {
        ImageTrainingResult result = _trained.Result;
        int sampleSize = result.Data.SampleSize;
        float[] image = result.Data.Pixels.AsSpan(0, sampleSize).ToArray();
        var turned = new float[sampleSize];
        ImageAugmentation.Dihedral(image, 3, 69, 5, turned);
        ImagePredictions p = ImageTrainingResult.Predict(result.Members, [.. image, .. turned], 2, true);
        Assert.Equal(p.Mean[0], p.Mean[1], 5);

        // A D4-symmetric image: TTA changes nothing, and the plain prediction equals the TTA one.
        float[] round = SyntheticImages.Galaxy(3, 69, 5, 1, 0, 0, new Random(1));
        ImagePredictions plain = ImageTrainingResult.Predict(result.Members, round, 1, false);
        ImagePredictions tta = ImageTrainingResult.Predict(result.Members, round, 1, true);
        Assert.Equal(plain.Mean[0], tta.Mean[0], 5);

        // …while an asymmetric one does change under a plain prediction (so the check above is not vacuous).
        ImagePredictions plainPair = ImageTrainingResult.Predict(result.Members, [.. image, .. turned], 2, false);
        _output.WriteLine($"plain: {plainPair.Mean[0]} vs {plainPair.Mean[1]}; TTA: {p.Mean[0]} vs {p.Mean[1]}");
        Assert.NotEqual(plainPair.Mean[0], plainPair.Mean[1]);
    }

    [Fact]
    public void SecondStage_OnnxMatchesLightGbm()
    {
        ImageTrainingResult result = _trained.Result;
        ImagePredictions cnn = result.PredictRows([.. Enumerable.Range(0, result.Data.Count)]);
        double[] target = [.. result.Data.Samples.Select(s => s.Targets[0])];
        using ImageSecondStageResult stage = ImageSecondStage.Train(result, cnn, target, "log_scale", "regression", 4, importanceRepeats: 0);
        (float[] x, int columns, IReadOnlyList<string> names) = ImageSecondStage.Features(cnn, result.Data.Target.Outputs, result.Data.Luminosity, result.Data.LuminosityNames);
        Assert.Equal(columns, names.Count);
        Assert.Equal(2 * 512 + 1 + 3, columns);
        double[] expected = stage.Model.Predict(x, cnn.Count);
        using var session = new OnnxModelSession(stage.Model.ExportOnnx(ImageSecondStage.InputName, ImageSecondStage.OutputName), new OnnxModelSessionOptions());
        float[] actual = session.Run(x, cnn.Count);
        double diff = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        _output.WriteLine($"LightGBM stage: {stage.Model.BestIteration} trees, max |LightGBM − ONNX| = {diff:E2}; top feature {stage.Top(1)[0].Name}");
        Assert.True(diff <= 1e-4, $"stage parity {diff:E2}");
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(p => (double)Math.Abs(p.First - p.Second));
    }

    /// <summary>The shared trained ensemble.</summary>
    public sealed class Trained : IDisposable
    {
        public Trained()
        {
            Result = Train();
        }

        public ImageTrainingResult Result { get; }

        public static ImageTrainingResult Train()
        {
            ImageDataset data = SyntheticImages.Dataset(40, 3, 69, 11);
            var options = new ImageTrainingOptions { Epochs = 2, EnsembleSize = 2, Seed = 5, Threads = 2, BatchSize = 16, TestTimeAugmentation = true, ValidationFraction = 0.2, TestFraction = 0.2 };
            return new ImageTrainer(options).Train(data);
        }

        public void Dispose() => Result.Dispose();
    }
}
