using System.Diagnostics;
using Astro.Evaluation;
using Astro.Trees;

namespace Astro.Ml.Training;

/// <summary>
/// The LightGBM baseline of one fold: trained on exactly the network's training rows, early-stopped on its validation
/// rows and evaluated on its test rows, with the same encoded features (before standardisation; a missing band is NaN,
/// which LightGBM treats as missing, instead of the network's fill value and mask inputs).
/// </summary>
/// <param name="Model">The baseline's name and version, e.g. <c>LightGBM 4.7.0</c>.</param>
/// <param name="Objective">The LightGBM objective: <c>regression_l1</c> (MAE), <c>regression</c> (MSE) or <c>multiclass</c>.</param>
/// <param name="BestIteration">The number of boosting iterations kept after early stopping.</param>
/// <param name="Seconds">Wall time of training and prediction.</param>
/// <param name="TrainRows">Dataset row indices trained on (the network's training rows).</param>
/// <param name="ValidationRows">Dataset row indices of early stopping (the network's validation rows).</param>
/// <param name="TestRows">Dataset row indices evaluated on (the network's test rows, in the same order).</param>
/// <param name="TestPredicted">The test predictions (classification: the predicted class index).</param>
/// <param name="TestMetrics">Regression test metrics (no σ: the baseline has no uncertainty), or null.</param>
/// <param name="TestClassification">Classification test metrics, or null.</param>
public sealed record BaselineResult(
    string Model,
    string Objective,
    int BestIteration,
    double Seconds,
    IReadOnlyList<int> TrainRows,
    IReadOnlyList<int> ValidationRows,
    IReadOnlyList<int> TestRows,
    IReadOnlyList<double> TestPredicted,
    RegressionMetrics? TestMetrics,
    ClassificationMetrics? TestClassification)
{
    /// <summary>The baseline's name in reports.</summary>
    public const string ModelName = "LightGBM 4.7.0";

    /// <summary>Gets the headline test metrics by name (regression or classification).</summary>
    public IReadOnlyDictionary<string, double> TestMetricsDictionary =>
        TestMetrics?.ToDictionary() ?? TestClassification?.ToDictionary() ?? new Dictionary<string, double>();
}

/// <summary>Trains the LightGBM baseline of a fold.</summary>
internal static class LightGbmBaseline
{
    public static BaselineResult Train(TrainingDataset data, FeatureEncoder encoder, float[] inputs, SplitIndices split, PhotometricTrainer.Setup setup, int seed, int threads)
    {
        var watch = Stopwatch.StartNew();
        int f = encoder.FeatureCount;
        float[] features = TreeFeatures(encoder, inputs, data.Rows);
        float[] trainX = PhotometricTrainer.Gather(features, f, split.Train);
        float[] validX = PhotometricTrainer.Gather(features, f, split.Validation);
        float[] testX = PhotometricTrainer.Gather(features, f, split.Test);
        string objective = setup.Classification ? "multiclass" : setup.Loss == TrainingLoss.MeanSquaredError ? "regression" : "regression_l1";
        var options = new LightGbmOptions
        {
            Objective = objective,
            NumClasses = setup.Classification ? data.Classes.Count : 1,
            Seed = seed,
            Threads = threads,

            // Small catalogs (DustPedia: ~500 rows) need smaller leaves than LightGBM's default of 20 rows.
            MinDataInLeaf = Math.Clamp(split.Train.Length / 50, 5, 20),
        };

        float[] trainY = Labels(data, split.Train);
        float[] validY = Labels(data, split.Validation);
        using LightGbmModel model = LightGbmModel.Train(trainX, split.Train.Length, f, trainY, options, validX, split.Validation.Length, validY, UniqueNames(encoder.FeatureNames));
        double[] raw = model.Predict(testX, split.Test.Length);
        RegressionMetrics? regression = null;
        ClassificationMetrics? classification = null;
        double[] predicted;
        if (setup.Classification)
        {
            int k = data.Classes.Count;
            int[] classes = new int[split.Test.Length];
            for (int r = 0; r < classes.Length; r++)
            {
                int best = 0;
                for (int c = 1; c < k; c++)
                {
                    if (raw[(r * k) + c] > raw[(r * k) + best])
                    {
                        best = c;
                    }
                }

                classes[r] = best;
            }

            int[] truth = [.. split.Test.Select(r => data.ClassIndices![r])];
            classification = ClassificationMetrics.Compute(truth, classes, data.Classes);
            predicted = [.. classes.Select(c => (double)c)];
        }
        else
        {
            double[] truth = [.. split.Test.Select(r => (double)data.Targets![r])];
            predicted = raw;
            regression = RegressionMetrics.Compute(truth, predicted, f, default, FoldRun.IsRedshift(data.Target.Name));
        }

        return new BaselineResult(BaselineResult.ModelName, objective, model.BestIteration, watch.Elapsed.TotalSeconds, split.Train, split.Validation, split.Test, predicted, regression, classification);
    }

    /// <summary>The encoded features without mask inputs; a missing band becomes NaN (LightGBM's missing value).</summary>
    internal static float[] TreeFeatures(FeatureEncoder encoder, float[] inputs, int rows)
    {
        int f = encoder.FeatureCount;
        int nb = encoder.BandCount;
        int width = encoder.InputCount;
        var output = new float[rows * f];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < f; j++)
            {
                bool missing = encoder.MaskInputs && j < nb && inputs[(r * width) + f + j] == 0f;
                output[(r * f) + j] = missing ? float.NaN : inputs[(r * width) + j];
            }
        }

        return output;
    }

    /// <summary>Feature names LightGBM accepts: no spaces, and unique (DustPedia has an SDSS band <c>z</c> and the redshift <c>z</c>).</summary>
    internal static string[] UniqueNames(IReadOnlyList<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var output = new string[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i].Replace(' ', '_');
            string unique = name;
            for (int k = 2; !seen.Add(unique); k++)
            {
                unique = $"{name}_{k}";
            }

            output[i] = unique;
        }

        return output;
    }

    private static float[] Labels(TrainingDataset data, int[] rows) =>
        data.ClassIndices is int[] classes ? [.. rows.Select(r => (float)classes[r])] : [.. rows.Select(r => data.Targets![r])];
}
