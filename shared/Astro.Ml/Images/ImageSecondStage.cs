using Astro.Trees;

namespace Astro.Ml.Images;

/// <summary>The result of <see cref="ImageSecondStage.Train"/>. Dispose to release the booster.</summary>
public sealed class ImageSecondStageResult : IDisposable
{
    internal ImageSecondStageResult(LightGbmModel model, IReadOnlyList<string> featureNames, string target, double[] testTruth, double[] testPredicted, PermutationImportanceResult importance, double seconds)
    {
        Model = model;
        FeatureNames = featureNames;
        Target = target;
        TestTruth = testTruth;
        TestPredicted = testPredicted;
        Importance = importance;
        Seconds = seconds;
    }

    /// <summary>Gets the booster.</summary>
    public LightGbmModel Model { get; }

    /// <summary>Gets the input columns in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Gets the target's name.</summary>
    public string Target { get; }

    /// <summary>Gets the test rows' true values.</summary>
    public double[] TestTruth { get; }

    /// <summary>Gets the test rows' predictions.</summary>
    public double[] TestPredicted { get; }

    /// <summary>Gets the permutation importance on the test rows (increase of the RMSE).</summary>
    public PermutationImportanceResult Importance { get; }

    /// <summary>Gets the training time in seconds.</summary>
    public double Seconds { get; }

    /// <summary>The <paramref name="count"/> most important features (name, mean RMSE increase, its std).</summary>
    public IReadOnlyList<(string Name, double Mean, double Std)> Top(int count) =>
        [.. Enumerable.Range(0, FeatureNames.Count).OrderByDescending(i => Importance.Mean[i]).Take(count).Select(i => (FeatureNames[i], Importance.Mean[i], Importance.StandardDeviation[i]))];

    /// <summary>Releases the booster.</summary>
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Paper 003's second stage: LightGBM on the CNN features (penultimate activations and outputs, from the exported graph),
/// the luminosity features and the redshift. Exported to ONNX with <see cref="LightGbmModel.ExportOnnx"/>.
/// </summary>
public static class ImageSecondStage
{
    /// <summary>The second stage's ONNX input name.</summary>
    public const string InputName = "features";

    /// <summary>The second stage's ONNX output name.</summary>
    public const string OutputName = "prediction";

    /// <summary>
    /// Builds the second stage's feature matrix: <c>cnn:f…</c> (features), <c>cnn:out:…</c> (outputs), then the luminosity
    /// features (which end with redshift and kpc per pixel).
    /// </summary>
    public static (float[] Matrix, int Columns, IReadOnlyList<string> Names) Features(ImagePredictions cnn, IReadOnlyList<string> outputNames, float[] luminosity, IReadOnlyList<string> luminosityNames)
    {
        ArgumentNullException.ThrowIfNull(cnn);
        ArgumentNullException.ThrowIfNull(outputNames);
        ArgumentNullException.ThrowIfNull(luminosity);
        ArgumentNullException.ThrowIfNull(luminosityNames);
        int n = cnn.Count;
        int f = cnn.Features.Length / n;
        int o = outputNames.Count;
        int l = luminosityNames.Count;
        int columns = f + o + l;
        var matrix = new float[n * columns];
        for (int r = 0; r < n; r++)
        {
            Array.Copy(cnn.Features, r * f, matrix, r * columns, f);
            Array.Copy(cnn.Mean, r * o, matrix, (r * columns) + f, o);
            Array.Copy(luminosity, r * l, matrix, (r * columns) + f + o, l);
        }

        var names = new List<string>(columns);
        names.AddRange(Enumerable.Range(0, f).Select(j => $"cnn:f{j}"));
        names.AddRange(outputNames.Select(name => $"cnn:out:{name}"));
        names.AddRange(luminosityNames.Select(name => name is "redshift" or "kpc_per_pixel" ? name : $"lum:{name}"));
        return (matrix, columns, names);
    }

    /// <summary>Trains the stage on the training rows (early stopping on the validation rows) and evaluates it on the test rows.</summary>
    /// <param name="result">The trained CNN ensemble.</param>
    /// <param name="cnn">CNN predictions for every row of the dataset (e.g. from the exported graph).</param>
    /// <param name="target">One value per dataset row (NaN rows are dropped).</param>
    /// <param name="targetName">The target's name.</param>
    /// <param name="objective">LightGBM objective: "regression_l1" (paper 003's L1) or "regression".</param>
    /// <param name="seed">The seed of LightGBM and of the permutations.</param>
    /// <param name="importanceRepeats">Shuffles per column for the permutation importance (0 skips it: it costs one prediction per column and repeat).</param>
    public static ImageSecondStageResult Train(ImageTrainingResult result, ImagePredictions cnn, double[] target, string targetName, string objective, int seed, int importanceRepeats = 3)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cnn);
        ArgumentNullException.ThrowIfNull(target);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ImageDataset data = result.Data;
        (float[] all, int columns, IReadOnlyList<string> names) = Features(cnn, data.Target.Outputs, data.Luminosity, data.LuminosityNames);
        (float[] trainX, float[] trainY, int nTrain) = Rows(all, columns, target, result.TrainRows);
        (float[] validX, float[] validY, int nValid) = Rows(all, columns, target, result.ValidationRows);
        (float[] testX, float[] testY, int nTest) = Rows(all, columns, target, result.TestRows);
        if (nTrain < 10 || nValid < 2 || nTest < 2)
        {
            throw new ImageDataException($"the second stage needs labelled rows: {nTrain} train, {nValid} validation, {nTest} test");
        }

        // Paper 003: 40 leaves, ≥150 rows per leaf, 40 % of the features and 80 % of the rows per tree, early stopping;
        // the leaf minimum is scaled down for small samples.
        var options = new LightGbmOptions
        {
            NumLeaves = 40,
            MinDataInLeaf = Math.Clamp(nTrain / 20, 5, 150),
            FeatureFraction = 0.4,
            BaggingFraction = 0.8,
            BaggingFrequency = 1,
            LearningRate = 0.05,
            NumIterations = 1000,
            EarlyStoppingRounds = 50,
            Objective = objective,
            Seed = seed,
            Threads = 2,
        };
        LightGbmModel model = LightGbmModel.Train(trainX, nTrain, columns, trainY, options, validX, nValid, validY, [.. names.Select(n => n.Replace(':', '_'))]);
        try
        {
            double[] predicted = model.Predict(testX, nTest);
            double[] truth = [.. testY.Select(v => (double)v)];
            PermutationImportanceResult importance = importanceRepeats > 0
                ? PermutationImportance.Compute(model.Predict, testX, nTest, columns, truth, Rmse, importanceRepeats, seed)
                : new PermutationImportanceResult(Rmse(truth, predicted), new double[columns], new double[columns]);
            return new ImageSecondStageResult(model, names, targetName, truth, predicted, importance, watch.Elapsed.TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Root mean square error.</summary>
    public static double Rmse(double[] truth, double[] predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        double s = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            s += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
        }

        return Math.Sqrt(s / truth.Length);
    }

    private static (float[] X, float[] Y, int Rows) Rows(float[] all, int columns, double[] target, int[] rows)
    {
        int[] kept = [.. rows.Where(r => double.IsFinite(target[r]))];
        var x = new float[kept.Length * columns];
        var y = new float[kept.Length];
        for (int i = 0; i < kept.Length; i++)
        {
            Array.Copy(all, kept[i] * columns, x, i * columns, columns);
            y[i] = (float)target[kept[i]];
        }

        return (x, y, kept.Length);
    }
}
