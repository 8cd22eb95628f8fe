using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Astro.Contract.Packaging;
using Astro.Evaluation;
using Astro.Onnx;

namespace Astro.Ml.Images;

/// <summary>Test-set evaluation of an image model: per output, the model's metrics and those of the training median.</summary>
/// <param name="Outputs">Output names.</param>
/// <param name="Model">Per output, the ensemble's metrics.</param>
/// <param name="Baseline">Per output, the metrics of predicting the training median.</param>
/// <param name="Truth">Test truth, <c>rows × outputs</c>.</param>
/// <param name="Predicted">Test predictions, same shape.</param>
/// <param name="Std">Ensemble spread, same shape.</param>
public sealed record ImageEvaluation(IReadOnlyList<string> Outputs, IReadOnlyList<ImageRegressionMetrics> Model, IReadOnlyList<ImageRegressionMetrics> Baseline, double[] Truth, double[] Predicted, double[] Std)
{
    /// <summary>Gets the RMSE over every output and row (answer probabilities).</summary>
    public double OverallRmse => Math.Sqrt(Truth.Select((t, i) => (t - Predicted[i]) * (t - Predicted[i])).Average());
}

/// <summary>
/// Image model packages: <c>model.onnx</c> (the ensemble, TTA inside; see <see cref="ImageOnnxExport"/>), optional
/// <c>stage2.onnx</c> (LightGBM), <c>manifest.json</c> (with <see cref="ImageInputInfo"/>), <c>metrics.json</c>,
/// <c>predictions-test.csv</c> and <c>plots/</c>.
/// </summary>
public static class ImageModelPackage
{
    /// <summary>The network file.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>The second stage's file.</summary>
    public const string SecondStageFile = "stage2.onnx";

    /// <summary>Runs an exported graph on a batch with ONNX Runtime (batches of 64).</summary>
    public static ImagePredictions PredictOnnx(OnnxModelSession session, float[] pixels, int count)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(pixels);
        int sampleSize = session.InputSampleSize;
        int o = (int)session.OutputSampleShapes[0][0];
        int f = (int)session.OutputSampleShapes[2][0];
        var mean = new float[count * o];
        var std = new float[count * o];
        var features = new float[count * f];
        for (int start = 0; start < count; start += 64)
        {
            int n = Math.Min(64, count - start);
            IReadOnlyList<float[]> outputs = session.RunAll(pixels.AsSpan(start * sampleSize, n * sampleSize).ToArray(), n);
            outputs[0].CopyTo(mean, start * o);
            outputs[1].CopyTo(std, start * o);
            outputs[2].CopyTo(features, start * f);
        }

        return new ImagePredictions(count, mean, std, features);
    }

    /// <summary>Evaluates predictions of the test rows against the truth and the training-median baseline.</summary>
    public static ImageEvaluation Evaluate(ImageTrainingResult result, ImagePredictions test)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(test);
        ImageDataset data = result.Data;
        int outputs = data.Target.Outputs.Count;
        int n = result.TestRows.Length;
        var truth = new double[n * outputs];
        var predicted = new double[n * outputs];
        var std = new double[n * outputs];
        var model = new List<ImageRegressionMetrics>();
        var baseline = new List<ImageRegressionMetrics>();
        bool dex = data.Target.Kind == ImageHeadKind.Regression && result.Options.TargetInDex;
        for (int j = 0; j < outputs; j++)
        {
            var t = new double[n];
            var p = new double[n];
            var e = new double[n];
            for (int i = 0; i < n; i++)
            {
                ImageSample s = data.Samples[result.TestRows[i]];
                t[i] = s.Targets[j];
                e[i] = s.Errors[j];
                p[i] = test.Mean[(i * outputs) + j];
                truth[(i * outputs) + j] = t[i];
                predicted[(i * outputs) + j] = p[i];
                std[(i * outputs) + j] = test.Std[(i * outputs) + j];
            }

            double median = ImageRegressionMetrics.Median(result.TrainRows.Select(r => data.Samples[r].Targets[j]));
            model.Add(ImageRegressionMetrics.Compute(t, p, e, data.Target.ConstantError, dex));
            baseline.Add(ImageRegressionMetrics.Compute(t, [.. t.Select(_ => median)], e, data.Target.ConstantError, dex));
        }

        return new ImageEvaluation(data.Target.Outputs, model, baseline, truth, predicted, std);
    }

    /// <summary>Writes the package.</summary>
    /// <param name="directory">The package folder (created).</param>
    /// <param name="name">The model's name.</param>
    /// <param name="result">The trained ensemble.</param>
    /// <param name="onnx">The exported graph's bytes.</param>
    /// <param name="evaluation">The test evaluation.</param>
    /// <param name="stage2">The second stage, or null.</param>
    /// <param name="extraMetrics">More metrics for metrics.json (e.g. the parity check).</param>
    /// <param name="codeVersion">The code version.</param>
    /// <returns>The manifest written.</returns>
    public static ModelManifest Write(string directory, string name, ImageTrainingResult result, byte[] onnx, ImageEvaluation evaluation, ImageSecondStageResult? stage2, IReadOnlyDictionary<string, double> extraMetrics, string codeVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(extraMetrics);
        Directory.CreateDirectory(directory);
        string plots = Path.Combine(directory, "plots");
        Directory.CreateDirectory(plots);
        File.WriteAllBytes(Path.Combine(directory, ModelFile), onnx);
        ImageDataset data = result.Data;
        ImageTrainingOptions o = result.Options;
        SecondStageInfo? stageInfo = null;
        if (stage2 is not null)
        {
            File.WriteAllBytes(Path.Combine(directory, SecondStageFile), stage2.Model.ExportOnnx(ImageSecondStage.InputName, ImageSecondStage.OutputName));
            File.WriteAllText(Path.Combine(directory, "stage2.lightgbm.txt"), stage2.Model.SaveToString());
            stageInfo = new SecondStageInfo(SecondStageFile, ImageSecondStage.InputName, ImageSecondStage.OutputName, stage2.Target, stage2.FeatureNames);
        }

        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (int j = 0; j < evaluation.Outputs.Count; j++)
        {
            foreach ((string key, double value) in evaluation.Model[j].ToDictionary())
            {
                metrics[$"{evaluation.Outputs[j]}.{key}"] = value;
            }

            foreach ((string key, double value) in evaluation.Baseline[j].ToDictionary())
            {
                metrics[$"{evaluation.Outputs[j]}.baselineTrainMedian.{key}"] = value;
            }
        }

        metrics["overall.rmse"] = evaluation.OverallRmse;
        metrics["training.seconds"] = result.Seconds;
        metrics["training.secondsPerEpoch"] = result.SecondsPerEpoch;
        if (stage2 is not null)
        {
            ImageRegressionMetrics s = ImageRegressionMetrics.Compute(stage2.TestTruth, stage2.TestPredicted, [], data.Target.ConstantError, o.TargetInDex && data.Target.Kind == ImageHeadKind.Regression);
            foreach ((string key, double value) in s.ToDictionary())
            {
                metrics[$"stage2.{key}"] = value;
            }
        }

        foreach ((string key, double value) in extraMetrics)
        {
            metrics[key] = value;
        }

        var configuration = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = o.Architecture.ToString(),
            ["head"] = data.Target.Kind.ToString(),
            ["loss"] = data.Target.Kind == ImageHeadKind.Regression ? $"weightedL1 (err floored at 5%; constant err {data.Target.ConstantError.ToString(CultureInfo.InvariantCulture)} where none)" : "mse",
            ["optimizer"] = "adam",
            ["learningRate"] = o.LearningRate.ToString(CultureInfo.InvariantCulture),
            ["schedule"] = o.WarmRestarts ? $"cosine warm restarts, first cycle {o.FirstCycleEpochs.ToString(CultureInfo.InvariantCulture)} epoch(s), ×2, min {o.MinLearningRate.ToString(CultureInfo.InvariantCulture)}" : "constant",
            ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
            ["bestEpochs"] = string.Join(",", result.Histories.Select(h => h.BestEpoch)),
            ["batchSize"] = o.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["dropout"] = o.Dropout.ToString(CultureInfo.InvariantCulture),
            ["augmentation"] = o.Augmentation is null ? "none" : $"rotate {o.Augmentation.Rotate}, flip {o.Augmentation.Flip}, zoom {o.Augmentation.MinZoom.ToString(CultureInfo.InvariantCulture)}–{o.Augmentation.MaxZoom.ToString(CultureInfo.InvariantCulture)}",
            ["tta"] = o.TestTimeAugmentation.ToString(CultureInfo.InvariantCulture),
            ["ensembleSize"] = o.EnsembleSize.ToString(CultureInfo.InvariantCulture),
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            ["threads"] = result.Threads.ToString(CultureInfo.InvariantCulture),
        };
        string split = $"train {result.TrainRows.Length} / validation {result.ValidationRows.Length} / test {result.TestRows.Length} (given splits kept; seed {o.Seed})";
        ImageInputInfo image = data.Input with
        {
            TestTimeAugmentation = o.TestTimeAugmentation,
            EnsembleSize = o.EnsembleSize,
            Outputs = data.Target.Outputs,
            Questions = data.Target.Tree?.Questions.Select(q => new ImageQuestionInfo(q.Name, q.Answers, q.Parent)).ToList(),
            SecondStage = stageInfo,
        };
        var manifest = new ModelManifest
        {
            Name = name,
            Version = DateTimeOffset.UtcNow.ToString("yyyyMMdd.HHmmss", CultureInfo.InvariantCulture),
            Task = ModelTask.Regression,
            Target = new TargetInfo(data.Target.Name, data.Target.Kind == ImageHeadKind.Regression && o.TargetInDex ? "dex" : null, "none"),
            Profile = "images",
            Inputs = [.. data.Input.Bands.Select(b => new InputInfo(b, InputKind.Band))],
            FeatureTransform = new FeatureTransformInfo(FeatureTransformKind.None, "imagePixels"),
            Standardization = new StandardizationInfo([.. data.Input.Bands.Select(_ => 0f)], [.. data.Input.Bands.Select(_ => 1f)]),
            MissingBands = new MissingBandsInfo("drop", 0, false),
            Onnx = new OnnxInfo(ModelFile, ImageOnnxExport.InputName, new Dictionary<string, string> { ["mean"] = ImageOnnxExport.OutputName, ["std"] = ImageOnnxExport.StdName, ["features"] = ImageOnnxExport.FeaturesName }, Onnx.OnnxExporter.OpsetVersion),
            Uncertainty = o.EnsembleSize > 1 ? new UncertaintyInfo("ensemble", 1.0, Coverage(evaluation, 1.0), Coverage(evaluation, 1.96)) : null,
            TrainingData = new TrainingDataInfo([.. data.Files.Select(Path.GetFileName).OfType<string>()], Sha256(data.Files), data.Count, split),
            Metrics = metrics.Where(p => double.IsFinite(p.Value)).ToDictionary(p => p.Key, p => p.Value),
            Training = configuration,
            CreatedUtc = DateTimeOffset.UtcNow,
            CodeVersion = codeVersion,
            Image = image,
        };
        manifest.Validate(directory);
        File.WriteAllText(Path.Combine(directory, "manifest.json"), manifest.ToJson());
        File.WriteAllText(Path.Combine(directory, "metrics.json"), JsonSerializer.Serialize(metrics.ToDictionary(p => p.Key, p => double.IsFinite(p.Value) ? (double?)p.Value : null), ModelManifest.JsonOptions));
        WritePredictions(Path.Combine(directory, "predictions-test.csv"), result, evaluation, stage2);
        WritePlots(plots, result, evaluation, stage2);
        return manifest;
    }

    private static void WritePredictions(string path, ImageTrainingResult result, ImageEvaluation evaluation, ImageSecondStageResult? stage2)
    {
        int outputs = evaluation.Outputs.Count;
        var text = new StringBuilder();
        text.Append("id");
        foreach (string name in evaluation.Outputs)
        {
            text.Append(CultureInfo.InvariantCulture, $",{name},{name}_pred,{name}_std");
        }

        if (stage2 is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $",stage2_{stage2.Target}_true,stage2_{stage2.Target}_pred");
        }

        text.AppendLine();
        for (int i = 0; i < result.TestRows.Length; i++)
        {
            text.Append(result.Data.Samples[result.TestRows[i]].Id);
            for (int j = 0; j < outputs; j++)
            {
                int k = (i * outputs) + j;
                text.Append(CultureInfo.InvariantCulture, $",{evaluation.Truth[k]:R},{evaluation.Predicted[k]:R},{evaluation.Std[k]:R}");
            }

            if (stage2 is not null && stage2.TestTruth.Length == result.TestRows.Length)
            {
                text.Append(CultureInfo.InvariantCulture, $",{stage2.TestTruth[i]:R},{stage2.TestPredicted[i]:R}");
            }

            text.AppendLine();
        }

        File.WriteAllText(path, text.ToString());
    }

    private static void WritePlots(string plots, ImageTrainingResult result, ImageEvaluation evaluation, ImageSecondStageResult? stage2)
    {
        int outputs = evaluation.Outputs.Count;
        string? unit = result.Data.Target.Kind == ImageHeadKind.Regression && result.Options.TargetInDex ? "dex" : null;
        for (int j = 0; j < outputs; j++)
        {
            double[] t = [.. Enumerable.Range(0, result.TestRows.Length).Select(i => evaluation.Truth[(i * outputs) + j])];
            double[] p = [.. Enumerable.Range(0, result.TestRows.Length).Select(i => evaluation.Predicted[(i * outputs) + j])];
            string safe = evaluation.Outputs[j].Replace('/', '_');
            EvaluationPlots.PredictedVsTrue(Path.Combine(plots, $"predicted-vs-true-{safe}.png"), t, p, evaluation.Outputs[j], unit);
            EvaluationPlots.ResidualVsTrue(Path.Combine(plots, $"residual-vs-true-{safe}.png"), t, p, evaluation.Outputs[j], unit);
        }

        ImageTrainingHistory first = result.Histories[0];
        EvaluationPlots.LossCurves(Path.Combine(plots, "loss-curves.png"), first.TrainLoss, first.ValidationLoss, result.Data.Target.Kind == ImageHeadKind.Regression ? "weighted L1" : "MSE", first.BestEpoch);
        if (stage2 is not null)
        {
            EvaluationPlots.PredictedVsTrue(Path.Combine(plots, "stage2-predicted-vs-true.png"), stage2.TestTruth, stage2.TestPredicted, $"{stage2.Target} (LightGBM stage)", unit);
        }
    }

    // The fraction of test values within z ensemble standard deviations of the prediction (uncalibrated).
    private static double Coverage(ImageEvaluation evaluation, double z)
    {
        int inside = 0;
        for (int i = 0; i < evaluation.Truth.Length; i++)
        {
            if (Math.Abs(evaluation.Truth[i] - evaluation.Predicted[i]) <= z * evaluation.Std[i])
            {
                inside++;
            }
        }

        return evaluation.Truth.Length == 0 ? 0 : (double)inside / evaluation.Truth.Length;
    }

    private static string Sha256(IReadOnlyList<string> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files)
        {
            sha.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
