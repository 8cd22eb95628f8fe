using Astro.Contract.Packaging;
using Astro.Ml.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Astro.Ml.Tests.Training;

public sealed class PhotometricTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void NewOptions_EqualTheDocumentedDefaults()
    {
        var o = new TrainingOptions();
        Assert.Equal(TrainingDefaults.BatchSize, o.BatchSize);
        Assert.Equal(TrainingDefaults.LearningRate, o.LearningRate);
        Assert.Equal(TrainingDefaults.InitialWeightStd, o.InitialWeightStd);
        Assert.Equal(TrainingDefaults.Seed, o.Seed);
        Assert.Equal(TrainingDefaults.TrainFraction, o.TrainFraction);
        Assert.Equal(TrainingDefaults.ValidationFraction, o.ValidationFraction);
        Assert.Equal(TrainingDefaults.EnsembleSize, o.EnsembleSize);
        Assert.Equal(TrainingDefaults.HeteroscedasticHead, o.HeteroscedasticHead);
        Assert.Equal(TrainingDefaults.BandDropout, o.BandDropout);
        Assert.Equal(TrainingDefaults.OutOfDistributionQuantile, o.OutOfDistributionQuantile);
        Assert.Equal(TrainingDefaults.InitializeOutputBias, o.InitializeOutputBias);
        Assert.Equal(TrainingDefaults.Baseline, o.Baseline);
        Assert.True(o.Baseline);
        Assert.Null(o.Architecture);
        Assert.Null(o.Folds);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void InvalidOptions_AreAllListed()
    {
        var o = new TrainingOptions { BatchSize = 0, TrainFraction = 0.9, ValidationFraction = 0.2, Architecture = "custom:4,x" };
        var e = Assert.Throws<ArgumentException>(() => new PhotometricTrainer(o));
        Assert.Contains("BatchSize", e.Message);
        Assert.Contains("test set", e.Message);
        Assert.Contains("'x' is not a layer width", e.Message);
    }

    [Theory]
    [InlineData("sm", 22, new[] { 44, 66, 66 }, 5000, 300)]
    [InlineData("sfr", 22, new[] { 110, 220, 110 }, 1500, 500)]
    [InlineData("dl", 22, new[] { 66, 110, 220, 110, 66 }, 1700, 300)]
    [InlineData("sm", 20, new[] { 40, 60, 60 }, 5000, 300)]
    [InlineData("custom:64,128,64", 7, new[] { 64, 128, 64 }, 1000, 100)]
    public void Architectures_FollowPaper000AndAdaptToTheInputCount(string name, int inputs, int[] hidden, int epochs, int patience)
    {
        NetworkArchitecture a = NetworkArchitecture.Parse(name);
        Assert.Equal(hidden, a.HiddenFor(inputs));
        Assert.Equal(epochs, a.Epochs);
        Assert.Equal(patience, a.Patience);
    }

    [Fact]
    public void Regression_TrainsToNearTheNoiseFloor()
    {
        const double noise = 0.1;
        TrainingDataset data = SyntheticData.Regression(6000, noise, seed: 1);
        TrainingOptions options = SyntheticData.Quick("custom:64,64", epochs: 120);
        options.Patience = 20;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        var m = result.TestMetrics!;
        output.WriteLine($"test σ {m.Sigma:F4} RMSE {m.Rmse:F4} MAD {m.MeanAbsoluteDeviation:F4} adjR² {m.AdjustedR2:F4}; best epoch {result.History[0].BestEpoch}");

        // Gaussian noise of σ 0.1 has RMSE 0.1 and MAD 0.08: allow 25% above the floor, and require it not be below it.
        Assert.InRange(m.Rmse, noise * 0.9, noise * 1.25);
        Assert.InRange(m.MeanAbsoluteDeviation, noise * 0.7, noise * 1.05);
        Assert.True(m.AdjustedR2 > 0.97, $"adjusted R² {m.AdjustedR2}");
    }

    [Fact]
    public void SameSeed_GivesIdenticalWeightsAndMetrics_OtherSeedDoesNot()
    {
        TrainingDataset data = SyntheticData.Regression(600, 0.1, seed: 2);
        TrainingOptions options = SyntheticData.Quick(epochs: 6, ensemble: 2, heteroscedastic: true);
        options.BandDropout = 0.1;
        using TrainingResult a = new PhotometricTrainer(options).Train(data);
        using TrainingResult b = new PhotometricTrainer(options).Train(data);
        options.Seed = 8;
        using TrainingResult c = new PhotometricTrainer(options).Train(data);

        Assert.Equal(a.TestMetricsDictionary, b.TestMetricsDictionary);
        Assert.Equal(a.History[1].ValidationLoss, b.History[1].ValidationLoss);
        Assert.Equal(Weights(a), Weights(b));
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void EarlyStopping_RestoresTheBestEpochsWeights()
    {
        // 150 noisy rows and a wide net overfit quickly; patience 8 stops long before 300 epochs.
        TrainingDataset data = SyntheticData.Regression(150, 0.5, seed: 3);
        TrainingOptions options = SyntheticData.Quick("custom:256,256", epochs: 300);
        options.Patience = 8;
        options.LearningRate = 0.01;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        TrainingHistory h = result.History[0];
        output.WriteLine($"stopped after {h.Epochs} epochs, best {h.BestEpoch}: {h.ValidationLoss[h.BestEpoch - 1]:F5} vs last {h.ValidationLoss[^1]:F5}");
        Assert.True(h.Epochs < 300, "early stopping never triggered");
        Assert.Equal(h.BestEpoch + 8, h.Epochs);
        Assert.True(h.ValidationLoss[^1] > h.ValidationLoss[h.BestEpoch - 1]);

        // The returned network reproduces the best epoch's validation MAE, not the last epoch's.
        int[] valid = [.. result.SplitRows.Validation];
        TrainingDataset v = data.Subset(valid);
        ModelPrediction p = result.Predict(result.Encoder.Encode(v.Features, v.BandMask, v.Rows), v.Rows);
        double mae = Enumerable.Range(0, v.Rows).Average(i => Math.Abs(p.Mean[i] - v.Targets![i]));
        Assert.Equal(h.ValidationLoss[h.BestEpoch - 1], mae, 5);
    }

    [Fact]
    public void Uncertainty_IsCalibratedOnHeteroscedasticData()
    {
        TrainingDataset data = SyntheticData.Heteroscedastic(6000, seed: 4);
        TrainingOptions options = SyntheticData.Quick("custom:32,32", epochs: 40, ensemble: 2, heteroscedastic: true);
        options.LearningRate = 0.01;
        options.BatchSize = 512;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        UncertaintyInfo u = result.Uncertainty!;
        output.WriteLine($"{u.Kind}: scale {u.CalibrationScale:F3}, coverage68 {u.Coverage68:F3}, coverage95 {u.Coverage95:F3}");
        TrainingDataset t0 = data.Subset([.. result.SplitRows.Test]);
        for (double lo = 0; lo < 2.5; lo += 0.5)
        {
            int[] bin = [.. Enumerable.Range(0, t0.Rows).Where(i => Math.Abs(t0.Features[(i * 4) + 2]) >= lo && Math.Abs(t0.Features[(i * 4) + 2]) < lo + 0.5)];
            double rms = Math.Sqrt(bin.Average(i => Math.Pow(result.TestTruth[i] - result.TestPredicted[i], 2)));
            output.WriteLine($"|c| in [{lo}, {lo + 0.5}): n {bin.Length}, true σ ≈ {0.05 + (0.25 * (lo + 0.25)):F3}, rms residual {rms:F3}, mean predicted σ {bin.Average(i => result.TestSigma[i]):F3}");
        }

        Assert.Equal("heteroscedasticEnsemble", u.Kind);
        Assert.InRange(u.Coverage68, 0.63, 0.73);
        Assert.InRange(u.Coverage95, 0.91, 0.98);
        Assert.Equal(u.Coverage68, result.TestMetrics!.Coverage68!.Value, 9);

        // σ follows the true noise: rows with |c| > 1.5 (true σ ≥ 0.425) get over twice the σ of rows with |c| < 0.3 (≤ 0.125).
        TrainingDataset test = data.Subset([.. result.SplitRows.Test]);
        var sigma = result.TestSigma;
        double wide = Enumerable.Range(0, test.Rows).Where(i => Math.Abs(test.Features[(i * 4) + 2]) > 1.5).Average(i => sigma[i]);
        double narrow = Enumerable.Range(0, test.Rows).Where(i => Math.Abs(test.Features[(i * 4) + 2]) < 0.3).Average(i => sigma[i]);
        output.WriteLine($"mean σ: |c|>1.5 {wide:F3}, |c|<0.3 {narrow:F3}");
        Assert.True(wide > 2 * narrow, $"σ does not follow the noise: {wide} vs {narrow}");
    }

    [Fact]
    public void BandDropout_PredictsRowsWithAMaskedBand_WithBoundedDegradation()
    {
        TrainingDataset data = SyntheticData.RedundantFluxes(3000, seed: 5);
        TrainingOptions options = SyntheticData.Quick("custom:32,32", epochs: 60);
        options.BandDropout = 0.15;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        Assert.True(result.Encoder.MaskInputs);
        Assert.Equal(12, result.Encoder.InputCount);
        Assert.Equal(InputKind.Mask, result.Encoder.Inputs[6].Kind);
        Assert.Equal("u", result.Encoder.Inputs[6].Band);

        TrainingDataset test = data.Subset([.. result.SplitRows.Test]);
        double full = Mae(result, test, test.BandMask);
        byte[] masked = (byte[])test.BandMask.Clone();
        for (int r = 0; r < test.Rows; r++)
        {
            masked[(r * 6) + 2] = 0;   // hide r for every row
        }

        double oneMissing = Mae(result, test, masked);
        output.WriteLine($"test MAE: all bands {full:F4}, band r missing {oneMissing:F4}");
        Assert.True(full < 0.05, $"full MAE {full}");
        Assert.True(oneMissing < (2 * full) + 0.02, $"masked MAE {oneMissing} vs {full}");
    }

    [Fact]
    public void OutOfDistribution_FlagsFarPointsAndNotTrainingPoints()
    {
        // Six fluxes sharing one amplitude: strongly correlated inputs, so a wrong colour is out of distribution too.
        TrainingDataset data = SyntheticData.RedundantFluxes(2000, seed: 6);
        using TrainingResult result = new PhotometricTrainer(SyntheticData.Quick(epochs: 2)).Train(data);
        OutOfDistributionInfo ood = result.OutOfDistribution;
        Assert.Equal(0.999, ood.Quantile);
        Assert.Equal(6, ood.Mean.Count);
        Assert.Equal(36, ood.Precision.Count);

        TrainingDataset train = data.Subset([.. result.SplitRows.Train]);
        int flagged = Enumerable.Range(0, train.Rows).Count(r => Distance(result, train.Features.AsSpan(r * 6, 6)) > ood.Threshold);
        output.WriteLine($"threshold {ood.Threshold:F2}; training rows flagged {flagged} of {train.Rows}");
        Assert.InRange(flagged, 0, 3);   // 0.1% of 1,280 rows by construction

        double[] shape = [0.5, 0.8, 1.0, 1.3, 1.1, 0.7];
        float[] typical = [.. shape.Select(s => (float)(300 * s))];
        float[] far = [.. shape.Select(s => (float)(3e8 * s))];       // 30,000× brighter than any training object
        float[] colour = [.. typical];
        colour[2] *= 5;                                                // r five times too bright for its amplitude
        double dTypical = Distance(result, typical);
        double dFar = Distance(result, far);
        double dColour = Distance(result, colour);
        output.WriteLine($"distances: typical {dTypical:F2}, far {dFar:F1}, wrong colour {dColour:F1}");
        Assert.True(dTypical < ood.Threshold);
        Assert.True(dFar > ood.Threshold);
        Assert.True(dColour > ood.Threshold);
    }

    [Fact]
    public void Classification_ReachesHighAccuracyOnThreeClasses()
    {
        TrainingDataset data = SyntheticData.Classes(3000, seed: 7);
        TrainingOptions options = SyntheticData.Quick("custom:16,16", epochs: 30, ensemble: 2);
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        var m = result.TestClassification!;
        output.WriteLine($"accuracy {m.Accuracy:F4}");
        Assert.Equal(ModelTask.Classification, result.Task);
        Assert.True(m.Accuracy > 0.93, $"accuracy {m.Accuracy}");
        Assert.Null(result.Uncertainty);

        ModelPrediction p = result.Predict(result.Encoder.Encode(data.Features.AsSpan(0, 40), data.BandMask.AsSpan(0, 40), 10), 10);
        for (int r = 0; r < 10; r++)
        {
            Assert.Equal(1.0, p.Probabilities!.Skip(r * 3).Take(3).Sum(), 5);
        }
    }

    [Fact]
    public void SlopeCorrection_IsFittedOnValidationAndReported()
    {
        TrainingDataset data = SyntheticData.Regression(1500, 0.1, seed: 8);
        TrainingOptions options = SyntheticData.Quick(epochs: 4);
        options.SlopeCorrectionDegree = 1;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        Assert.Equal(2, result.SlopeCorrection!.Count);
        Assert.NotNull(result.TestMetricsBeforeCorrection);
        output.WriteLine($"slope correction {result.SlopeCorrection[0]:F4} + {result.SlopeCorrection[1]:F4}·x; RMSE {result.TestMetricsBeforeCorrection!.Rmse:F4} → {result.TestMetrics!.Rmse:F4}");
        Assert.NotEqual(result.TestMetricsBeforeCorrection.Rmse, result.TestMetrics.Rmse);
    }

    [Fact]
    public void PolynomialFit_RecoversKnownCoefficients()
    {
        double[] x = [.. Enumerable.Range(0, 50).Select(i => 9.0 + (i * 0.05))];
        double[] y = [.. x.Select(v => 1.5 - (0.7 * v) + (0.02 * v * v))];
        double[] c = TrainingMath.FitPolynomial(x, y, 2);
        Assert.Equal(1.5, c[0], 6);
        Assert.Equal(-0.7, c[1], 6);
        Assert.Equal(0.02, c[2], 6);
    }

    [Fact]
    public void KFold_ReportsMeanAndStdOverFolds()
    {
        TrainingDataset data = SyntheticData.Regression(500, 0.1, seed: 9);
        TrainingOptions options = SyntheticData.Quick(epochs: 3);
        options.Folds = 3;
        using TrainingResult result = new PhotometricTrainer(options).Train(data);
        CrossValidationSummary cv = result.CrossValidation!;
        Assert.Equal(3, cv.Folds);
        Assert.Equal(3, cv.PerFold.Count);
        Assert.Equal(cv.PerFold.Average(f => f["rmse"]), cv.Mean["rmse"], 12);
        Assert.True(cv.Std["rmse"] > 0);
        Assert.Equal(cv.PerFold[0]["rmse"], result.TestMetrics!.Rmse, 12);
        Assert.Equal(166, result.SplitRows.Test.Count);   // rows 0..165 of the shuffled order
    }

    [Fact]
    public void Cancellation_StopsTraining()
    {
        TrainingDataset data = SyntheticData.Regression(500, 0.1, seed: 9);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Epoch == 2)
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => new PhotometricTrainer(SyntheticData.Quick(epochs: 50)).Train(data, progress, cts.Token));
    }

    private static double Mae(TrainingResult result, TrainingDataset test, byte[] mask)
    {
        ModelPrediction p = result.Predict(result.Encoder.Encode(test.Features, mask, test.Rows), test.Rows);
        return Enumerable.Range(0, test.Rows).Average(i => Math.Abs(p.Mean[i] - test.Targets![i]));
    }

    private static double Distance(TrainingResult result, ReadOnlySpan<float> raw)
    {
        float[] encoded = result.Encoder.Encode(raw, Enumerable.Repeat((byte)1, result.Encoder.BandCount).ToArray(), 1);
        var s = new float[raw.Length];
        for (int j = 0; j < raw.Length; j++)
        {
            s[j] = (encoded[j] - result.Standardization.Mean[j]) / result.Standardization.Std[j];
        }

        return TrainingMath.SquaredMahalanobis(s, result.OutOfDistribution.Mean, result.OutOfDistribution.Precision);
    }

    private static float[] Weights(TrainingResult result) =>
        [.. result.Members.SelectMany(m => m.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()))];

    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
