using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Astro.Contract.Packaging;
using Astro.Imaging;
using Astro.Imaging.IO;
using Astro.Imaging.Models;
using Astro.Inference.Images;
using Astro.Ml.Images;
using Astro.Ml.Models;
using Astro.Ml.Training;
using Astro.Onnx;
using Astro.Trees;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro image train</c> (papers 002/003 CNNs → image model package), <c>astro image predict</c> (package → CSV) and
/// <c>astro bench image</c> (ONNX Runtime images/s, training seconds per epoch).
/// </summary>
internal static class ImageTrainCommands
{
    public static Command Create()
    {
        var image = new Command("image", "Image models (papers 002/003): train CNN packages and predict cutouts.");
        image.Subcommands.Add(CreateTrain());
        image.Subcommands.Add(CreatePredict());
        return image;
    }

    public static Command CreateBench()
    {
        var model = new Option<string?>("--model") { Description = "An image model package to time (default: paper 003's custom network with random weights, 3 bands)." };
        var seconds = new Option<double>("--seconds") { Description = "Seconds per inference measurement.", DefaultValueFactory = _ => 3 };
        var trainImages = new Option<int>("--train-images") { Description = "Synthetic images per training epoch (0 skips training).", DefaultValueFactory = _ => 512 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads and torch threads.", DefaultValueFactory = _ => 2 };
        var bench = new Command("image", "CNN inference images/s through ONNX Runtime (batch 1 and 64) and training seconds per epoch.") { model, seconds, trainImages, threads };
        bench.SetAction(parse => Bench(parse.GetValue(model), parse.GetValue(seconds), parse.GetValue(trainImages), parse.GetValue(threads)));
        return bench;
    }

    private static Command CreateTrain()
    {
        var data = new Option<string>("--data") { Description = "A folder laid out like convnet-demo (catalogs/train.csv, test.csv, train/, test/) or a CSV with image paths or ids.", Required = true };
        var target = new Option<string>("--target") { Description = "A label column (regression), or gz-decals-rings (answer probabilities).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the model package.", Required = true };
        var arch = new Option<string>("--arch") { Description = "custom (paper 003) | resnet.", DefaultValueFactory = _ => "custom" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (31 = cosine cycles of 1+2+4+8+16).", DefaultValueFactory = _ => 31 };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, split, batches, dropout and augmentation.", DefaultValueFactory = _ => 42 };
        var ensemble = new Option<int>("--ensemble") { Description = "Ensemble members.", DefaultValueFactory = _ => 1 };
        var tta = new Option<bool>("--tta") { Description = "Test-time augmentation (mean over 8 flips/rotations), inside the exported graph." };
        var size = new Option<int>("--size") { Description = "Network input side.", DefaultValueFactory = _ => 69 };
        var stretch = new Option<string?>("--stretch") { Description = "rgb8 (JPEG/PNG composites / 255) | log003 (paper 003's log stretch). Default: from the first image's format." };
        var removeStars = new Option<bool>("--remove-stars") { Description = "Remove point sources before the stretch (FITS inputs)." };
        var errorColumn = new Option<string?>("--error-column") { Description = "Column of label errors for the weighted L1 loss." };
        var constantError = new Option<double>("--constant-error") { Description = "Label error where none is given (the 5% floor still applies).", DefaultValueFactory = _ => 0.1 };
        var redshift = new Option<string?>("--redshift-column") { Description = "Redshift column (a luminosity feature of the second stage)." };
        var secondStage = new Option<string?>("--second-stage") { Description = "Train paper 003's LightGBM stage on CNN + luminosity features for this column (\"target\" = the regression target)." };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Adam's maximum learning rate.", DefaultValueFactory = _ => 1e-3 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout probability.", DefaultValueFactory = _ => 0.25 };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: every core)." };
        var noAugment = new Option<bool>("--no-augment") { Description = "Train without rotations, flips and zoom." };
        var published = new Option<string?>("--published") { Description = "CSV (objID,oh_p50,prediction) of published predictions to compare on the same test objects." };
        var name = new Option<string?>("--name") { Description = "Model name (default: images-<target>)." };
        var train = new Command("train", "Train an image CNN (ensemble, augmentation, SGDR, TTA) and write an image model package.")
        {
            data, target, output, arch, epochs, seed, ensemble, tta, size, stretch, removeStars, errorColumn, constantError, redshift, secondStage, batch, lr, dropout, threads, noAugment, published, name,
        };
        train.SetAction((parse, cancellationToken) => Task.FromResult(Wrap(() => Train(new TrainArguments(
            parse.GetRequiredValue(data), parse.GetRequiredValue(target), parse.GetRequiredValue(output), parse.GetValue(arch) ?? "custom", parse.GetValue(epochs), parse.GetValue(seed),
            parse.GetValue(ensemble), parse.GetValue(tta), parse.GetValue(size), parse.GetValue(stretch), parse.GetValue(removeStars), parse.GetValue(errorColumn), parse.GetValue(constantError),
            parse.GetValue(redshift), parse.GetValue(secondStage), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(dropout), parse.GetValue(threads), parse.GetValue(noAugment),
            parse.GetValue(published), parse.GetValue(name)), cancellationToken))));
        return train;
    }

    private static Command CreatePredict()
    {
        var model = new Option<string>("--model") { Description = "Image model package folder.", Required = true };
        var input = new Option<string[]>("--input") { Description = "Cutout files (FITS, JPEG, PNG); repeat or list several.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Output CSV.", Required = true };
        var redshift = new Option<double?>("--redshift") { Description = "Redshift for the second stage's features." };
        var predict = new Command("predict", "Predict cutouts with an image model package (ONNX Runtime).") { model, input, output, redshift };
        predict.SetAction(parse => Wrap(() => Predict(parse.GetRequiredValue(model), parse.GetRequiredValue(input), parse.GetRequiredValue(output), parse.GetValue(redshift) ?? double.NaN)));
        return predict;
    }

    private sealed record TrainArguments(string Data, string Target, string Output, string Architecture, int Epochs, int Seed, int Ensemble, bool Tta, int Size, string? Stretch, bool RemoveStars,
        string? ErrorColumn, double ConstantError, string? RedshiftColumn, string? SecondStage, int BatchSize, double LearningRate, double Dropout, int? Threads, bool NoAugment, string? Published, string? Name);

    private static int Wrap(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ImageDataException or ModelPackageException or ImagingException or LightGbmException)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }

    private static int Train(TrainArguments a, CancellationToken cancellationToken)
    {
        ImageArchitecture architecture = a.Architecture.ToLowerInvariant() switch
        {
            "custom" => ImageArchitecture.Custom,
            "resnet" => ImageArchitecture.ResNet,
            _ => throw new CommandException($"--arch {a.Architecture}: use custom or resnet"),
        };
        var options = new ImageTrainingOptions
        {
            Architecture = architecture,
            Epochs = a.Epochs,
            Seed = a.Seed,
            EnsembleSize = a.Ensemble,
            TestTimeAugmentation = a.Tta,
            BatchSize = a.BatchSize,
            LearningRate = a.LearningRate,
            Dropout = a.Dropout,
            Threads = a.Threads,
            Augmentation = a.NoAugment ? null : new ImageAugmentationOptions(),
        };
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new CommandException(string.Join("; ", problems));
        }

        ImageTarget target = ImageTarget.Parse(a.Target, a.ErrorColumn, a.ConstantError);
        var watch = Stopwatch.StartNew();
        (IReadOnlyList<ImageSample> samples, IReadOnlyList<string> files) = ImageDataset.ReadSamples(a.Data, target, a.RedshiftColumn);
        Cutout first;
        try
        {
            first = CutoutReader.Read(samples[0].Path);
        }
        catch (ImagingException e)
        {
            throw new ImageDataException(e.Message, e);
        }

        string stretch = a.Stretch ?? (first.Format == CutoutFormat.Fits ? ImagePreprocessing.Log003 : ImagePreprocessing.Rgb8);
        if (stretch is not (ImagePreprocessing.Rgb8 or ImagePreprocessing.Log003))
        {
            throw new CommandException($"--stretch {stretch}: use rgb8 or log003");
        }

        var input = new ImageInputInfo(a.Size, first.BandNames, stretch, 0.2, 2, a.RemoveStars, ImagePreprocessing.Resampling, a.Tta, a.Ensemble);
        ImageDataset data = ImageDataset.Load(samples, files, target, input, cancellationToken);
        Console.WriteLine($"read {data.Count} cutouts ({string.Join(", ", input.Bands)}; {stretch}; {a.Size}×{a.Size}) in {watch.Elapsed.TotalSeconds:0.0} s");

        var progress = new SynchronousProgress<ImageTrainingProgress>(p => Console.WriteLine(p.ToString()));
        using ImageTrainingResult result = new ImageTrainer(options).Train(data, progress, cancellationToken);
        Console.WriteLine($"trained {a.Ensemble} member(s) in {result.Seconds:0} s ({result.SecondsPerEpoch:0.00} s/epoch, {result.TrainRows.Length} train / {result.ValidationRows.Length} validation / {result.TestRows.Length} test)");

        // Export, then evaluate through ONNX Runtime (what the function app will run) and check parity with TorchSharp.
        byte[] onnx = ImageOnnxExport.ExportToBytes(result.Members, a.Tta);
        using var session = new OnnxModelSession(onnx, new OnnxModelSessionOptions { IntraOpThreads = 2 });
        int[] all = [.. Enumerable.Range(0, data.Count)];
        ImagePredictions onnxAll = ImageModelPackage.PredictOnnx(session, data.Pixels, data.Count);
        ImagePredictions torchTest = result.PredictRows(result.TestRows);
        ImagePredictions onnxTest = Subset(onnxAll, result.TestRows, data.Target.Outputs.Count);
        double parity = MaxAbsDiff(torchTest.Mean, onnxTest.Mean);
        Console.WriteLine($"ONNX parity on the test rows: max |TorchSharp − ONNX Runtime| = {parity:0.0e+0}");
        ImageEvaluation evaluation = ImageModelPackage.Evaluate(result, onnxTest);

        ImageSecondStageResult? stage2 = null;
        if (a.SecondStage is not null)
        {
            double[] y = SecondStageTarget(data, a.SecondStage);
            // Paper 003's L1 objective for continuous targets; L2 for a 0/1 label, so the stage predicts a probability.
            string objective = y.All(v => v is 0 or 1) ? "regression" : "regression_l1";
            stage2 = ImageSecondStage.Train(result, onnxAll, y, a.SecondStage == "target" ? data.Target.Name : a.SecondStage, objective, a.Seed);
            Console.WriteLine($"LightGBM stage ({objective}) on {stage2.FeatureNames.Count} features: {stage2.Model.BestIteration} trees in {stage2.Seconds:0.0} s");
        }

        var extra = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["onnx.parityMaxAbs"] = parity };
        if (a.Published is not null)
        {
            AddPublished(a.Published, result, evaluation, extra);
        }

        string name = a.Name ?? $"images-{data.Target.Name}";
        ModelManifest manifest = ImageModelPackage.Write(a.Output, name, result, onnx, evaluation, stage2, extra, typeof(ImageTrainCommands).Assembly.GetName().Version?.ToString() ?? "0");
        PrintSummary(evaluation, stage2, extra, data.Target.Kind);
        Console.WriteLine($"wrote {a.Output} ({manifest.Name} {manifest.Version})");
        stage2?.Dispose();
        return 0;
    }

    private static double[] SecondStageTarget(ImageDataset data, string column)
    {
        var y = new double[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            ImageSample s = data.Samples[i];
            if (column == "target")
            {
                y[i] = s.Targets[0];
            }
            else if (s.Columns.TryGetValue(column, out string? text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                y[i] = v;
            }
            else
            {
                throw new ImageDataException($"{s.Path}: no numeric '{column}' for the second stage");
            }
        }

        return y;
    }

    private static void AddPublished(string path, ImageTrainingResult result, ImageEvaluation evaluation, IDictionary<string, double> extra)
    {
        if (!File.Exists(path))
        {
            throw new CommandException($"{path}: file not found");
        }

        var published = new Dictionary<string, (double Truth, double Predicted)>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] c = line.Split(',');
            if (c.Length >= 3 && double.TryParse(c[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && double.TryParse(c[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double pred))
            {
                published[c[0]] = (t, pred);
            }
        }

        var truth = new List<double>();
        var theirs = new List<double>();
        var ours = new List<double>();
        int outputs = evaluation.Outputs.Count;
        for (int i = 0; i < result.TestRows.Length; i++)
        {
            if (published.TryGetValue(result.Data.Samples[result.TestRows[i]].Id, out var matched))
            {
                truth.Add(evaluation.Truth[i * outputs]);
                theirs.Add(matched.Predicted);
                ours.Add(evaluation.Predicted[i * outputs]);
            }
        }

        extra["published.matched"] = truth.Count;
        if (truth.Count < 2)
        {
            return;
        }

        ImageRegressionMetrics p = ImageRegressionMetrics.Compute([.. truth], [.. theirs], [], result.Data.Target.ConstantError, true);
        ImageRegressionMetrics o = ImageRegressionMetrics.Compute([.. truth], [.. ours], [], result.Data.Target.ConstantError, true);
        extra["published.rmse"] = p.Rmse;
        extra["published.nmad"] = p.Nmad;
        extra["published.bias"] = p.Bias;
        extra["oursOnMatched.rmse"] = o.Rmse;
        extra["oursOnMatched.nmad"] = o.Nmad;
    }

    private static void PrintSummary(ImageEvaluation evaluation, ImageSecondStageResult? stage2, IReadOnlyDictionary<string, double> extra, ImageHeadKind kind)
    {
        Console.WriteLine();
        Console.WriteLine($"{"output",-40} {"RMSE",8} {"NMAD",8} {"bias",8} {"wL1",8} {"≤0.15",7} | {"median RMSE",11} {"NMAD",8}");
        for (int j = 0; j < evaluation.Outputs.Count; j++)
        {
            ImageRegressionMetrics m = evaluation.Model[j];
            ImageRegressionMetrics b = evaluation.Baseline[j];
            Console.WriteLine(FormattableString.Invariant($"{evaluation.Outputs[j],-40} {m.Rmse,8:0.0000} {m.Nmad,8:0.0000} {m.Bias,8:0.0000} {m.WeightedL1,8:0.000} {m.FractionWithin015Dex,7:0.000} | {b.Rmse,11:0.0000} {b.Nmad,8:0.0000}"));
        }

        if (kind == ImageHeadKind.AnswerProbabilities)
        {
            Console.WriteLine(FormattableString.Invariant($"overall RMSE over answers: {evaluation.OverallRmse:0.0000}"));
        }

        if (stage2 is not null)
        {
            ImageRegressionMetrics s = ImageRegressionMetrics.Compute(stage2.TestTruth, stage2.TestPredicted, [], 0.1, kind == ImageHeadKind.Regression);
            Console.WriteLine(FormattableString.Invariant($"LightGBM stage ({stage2.Target}, {stage2.Model.BestIteration} trees): RMSE {s.Rmse:0.0000} NMAD {s.Nmad:0.0000} bias {s.Bias:0.0000}"));
            foreach ((string n, double mean, double std) in stage2.Top(10))
            {
                Console.WriteLine(FormattableString.Invariant($"  importance {n,-32} +{mean:0.0000} ± {std:0.0000} RMSE"));
            }
        }

        foreach ((string key, double value) in extra)
        {
            Console.WriteLine(FormattableString.Invariant($"{key}: {value:G5}"));
        }
    }

    private static int Predict(string model, string[] inputs, string output)
    {
        return Predict(model, inputs, output, double.NaN);
    }

    private static int Predict(string model, string[] inputs, string output, double redshift)
    {
        if (!Directory.Exists(model))
        {
            throw new CommandException($"{model}: no such model folder");
        }

        using var predictor = new ImageModelPredictor(model);
        IReadOnlyList<ImagePrediction> predictions = predictor.Predict(inputs, redshift);
        var text = new StringBuilder();
        IReadOnlyList<string> names = predictor.Image.Outputs;
        text.Append("source");
        foreach (string n in names)
        {
            text.Append(CultureInfo.InvariantCulture, $",{n},{n}_std");
        }

        text.Append(predictor.Image.SecondStage is null ? string.Empty : ",stage2_" + predictor.Image.SecondStage.Target);
        text.AppendLine(",error");
        foreach (ImagePrediction p in predictions)
        {
            text.Append(p.Source);
            for (int j = 0; j < names.Count; j++)
            {
                text.Append(p.Error is null ? string.Create(CultureInfo.InvariantCulture, $",{p.Outputs[j]:R},{p.Std[j]:R}") : ",,");
            }

            if (predictor.Image.SecondStage is not null)
            {
                text.Append(p.Error is null ? string.Create(CultureInfo.InvariantCulture, $",{p.SecondStage:R}") : ",");
            }

            text.AppendLine("," + (p.Error is null ? string.Empty : "\"" + p.Error.Replace("\"", "'", StringComparison.Ordinal) + "\""));
        }

        File.WriteAllText(output, text.ToString());
        int failed = predictions.Count(p => p.Error is not null);
        Console.WriteLine($"predicted {predictions.Count - failed} of {predictions.Count} cutouts → {output}");
        foreach (ImagePrediction p in predictions.Where(p => p.Error is not null))
        {
            Console.Error.WriteLine($"astro: {p.Error}");
        }

        return failed == 0 ? 0 : CommandRunner.InputError;
    }

    private static int Bench(string? modelDir, double seconds, int trainImages, int threads)
    {
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        Console.WriteLine($"load average at start: {load} ({Environment.ProcessorCount} cores)");
        var rows = new List<(string Name, int Batch, double ImagesPerSecond)>();
        var graphs = new List<(string Name, byte[] Bytes, int Bands, int Size)>();
        SpecModel? random = null;
        if (modelDir is not null)
        {
            using var p = new ImageModelPredictor(modelDir);
            graphs.Add(($"package ({(p.Image.TestTimeAugmentation ? "TTA" : "no TTA")}, {p.Image.EnsembleSize} member(s))", File.ReadAllBytes(Path.Combine(modelDir, p.Manifest.Onnx.File)), p.Image.Bands.Count, p.Image.Size));
        }
        else
        {
            TorchSetup.Initialize(TorchWorkload.Cnn, threads);
            TorchSetup.Seed(1);
            random = new SpecModel(ImageArchitectures.Create(ImageArchitecture.Custom, 3, 69, 1, null, 0.25));
            random.eval();
            graphs.Add(("custom 003, 1 member, no TTA", ImageOnnxExport.ExportToBytes([random], false), 3, 69));
            graphs.Add(("custom 003, 1 member, TTA ×8", ImageOnnxExport.ExportToBytes([random], true), 3, 69));
        }

        foreach ((string name, byte[] bytes, int bands, int size) in graphs)
        {
            using var session = new OnnxModelSession(bytes, new OnnxModelSessionOptions { IntraOpThreads = threads });
            foreach (int batch in new[] { 1, 64 })
            {
                var x = new float[batch * bands * size * size];
                var rng = new Random(1);
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = (float)rng.NextDouble();
                }

                session.RunAll(x, batch);
                var watch = Stopwatch.StartNew();
                long images = 0;
                while (watch.Elapsed.TotalSeconds < seconds)
                {
                    session.RunAll(x, batch);
                    images += batch;
                }

                rows.Add((name, batch, images / watch.Elapsed.TotalSeconds));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"ONNX Runtime graph",-40} {"batch",6} {"images/s",10}  ({threads} intra-op threads)");
        foreach (var r in rows)
        {
            Console.WriteLine(FormattableString.Invariant($"{r.Name,-40} {r.Batch,6} {r.ImagesPerSecond,10:0}"));
        }

        if (trainImages > 0)
        {
            Console.WriteLine();
            foreach (ImageArchitecture arch in new[] { ImageArchitecture.Custom, ImageArchitecture.ResNet })
            {
                double perEpoch = TrainEpochSeconds(arch, trainImages, threads);
                Console.WriteLine(FormattableString.Invariant($"training {arch,-7}: {perEpoch:0.00} s/epoch for {trainImages} augmented 3×69×69 images, batch 32 ({trainImages / perEpoch:0} images/s, {threads} torch threads)"));
            }
        }

        random?.Dispose();
        Console.WriteLine($"load average at end: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
        return 0;
    }

    // One warm-up epoch and one timed epoch of augmented training on synthetic images (time of the second epoch, scaled to all images).
    private static double TrainEpochSeconds(ImageArchitecture arch, int images, int threads)
    {
        ImageDataset data = SyntheticImages.Dataset(images, 3, 69, 7);
        var options = new ImageTrainingOptions { Architecture = arch, Epochs = 2, Threads = threads, TestFraction = 0.01, ValidationFraction = 0.01 };
        using ImageTrainingResult result = new ImageTrainer(options).Train(data);
        return result.Histories[0].EpochSeconds[^1] * (double)images / result.TrainRows.Length;
    }

    private static ImagePredictions Subset(ImagePredictions all, int[] rows, int outputs)
    {
        int f = all.Features.Length / all.Count;
        var mean = new float[rows.Length * outputs];
        var std = new float[rows.Length * outputs];
        var features = new float[rows.Length * f];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(all.Mean, rows[i] * outputs, mean, i * outputs, outputs);
            Array.Copy(all.Std, rows[i] * outputs, std, i * outputs, outputs);
            Array.Copy(all.Features, rows[i] * f, features, i * f, f);
        }

        return new ImagePredictions(rows.Length, mean, std, features);
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
