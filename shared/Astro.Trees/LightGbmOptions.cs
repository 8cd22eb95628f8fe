using System.Globalization;

namespace Astro.Trees;

/// <summary>Hyper-parameters of a LightGBM gradient-boosted tree model (names follow LightGBM's parameters).</summary>
/// <remarks>
/// Training is always deterministic (<c>deterministic=true</c>, <c>force_row_wise=true</c>, fixed <see cref="Seed"/> and
/// <see cref="Threads"/>): the same data and options give the same model string. Validated when training starts.
/// </remarks>
public sealed class LightGbmOptions
{
    /// <summary>Gets or sets the maximum number of leaves per tree (<c>num_leaves</c>, 2–131072).</summary>
    /// <value>The default value is 31.</value>
    public int NumLeaves { get; set; } = LightGbmDefaults.NumLeaves;

    /// <summary>Gets or sets the shrinkage (<c>learning_rate</c>, &gt; 0).</summary>
    /// <value>The default value is 0.05.</value>
    public double LearningRate { get; set; } = LightGbmDefaults.LearningRate;

    /// <summary>Gets or sets the maximum number of boosting iterations (<c>num_iterations</c>, ≥ 1).</summary>
    /// <value>The default value is 1000.</value>
    public int NumIterations { get; set; } = LightGbmDefaults.NumIterations;

    /// <summary>Gets or sets the minimum number of rows in a leaf (<c>min_data_in_leaf</c>, ≥ 1).</summary>
    /// <value>The default value is 20.</value>
    public int MinDataInLeaf { get; set; } = LightGbmDefaults.MinDataInLeaf;

    /// <summary>Gets or sets the fraction of features sampled per tree (<c>feature_fraction</c>, (0, 1]).</summary>
    /// <value>The default value is 1.0.</value>
    public double FeatureFraction { get; set; } = LightGbmDefaults.FeatureFraction;

    /// <summary>Gets or sets the fraction of rows sampled for bagging (<c>bagging_fraction</c>, (0, 1]); needs <see cref="BaggingFrequency"/> &gt; 0.</summary>
    /// <value>The default value is 1.0.</value>
    public double BaggingFraction { get; set; } = LightGbmDefaults.BaggingFraction;

    /// <summary>Gets or sets how often (in iterations) bagging re-samples (<c>bagging_freq</c>); 0 disables bagging.</summary>
    /// <value>The default value is 0.</value>
    public int BaggingFrequency { get; set; } = LightGbmDefaults.BaggingFrequency;

    /// <summary>
    /// Gets or sets how many iterations without improvement of the validation metric stop training; 0 disables early
    /// stopping. Ignored without validation data. The metric follows the objective (l1, l2 or multi_logloss).
    /// </summary>
    /// <value>The default value is 50.</value>
    public int EarlyStoppingRounds { get; set; } = LightGbmDefaults.EarlyStoppingRounds;

    /// <summary>Gets or sets the objective: <c>regression_l1</c> (mean absolute error), <c>regression</c> (squared error) or <c>multiclass</c> (softmax).</summary>
    /// <value>The default value is <c>regression_l1</c>.</value>
    public string Objective { get; set; } = LightGbmDefaults.Objective;

    /// <summary>Gets or sets the number of classes for <c>multiclass</c> (≥ 2; labels are 0 … NumClasses − 1); must be 1 for regression.</summary>
    /// <value>The default value is 1.</value>
    public int NumClasses { get; set; } = LightGbmDefaults.NumClasses;

    /// <summary>Gets or sets the random seed (<c>seed</c>, from which LightGBM derives its other seeds).</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = LightGbmDefaults.Seed;

    /// <summary>Gets or sets the number of OpenMP threads (<c>num_threads</c>, ≥ 1) for training and prediction.</summary>
    /// <value>The default value is 2.</value>
    public int Threads { get; set; } = LightGbmDefaults.Threads;

    internal bool IsMulticlass => Objective == "multiclass";

    internal string EvaluationMetric => Objective switch
    {
        "regression_l1" => "l1",
        "regression" => "l2",
        _ => "multi_logloss",
    };

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    internal void Validate()
    {
        var problems = new List<string>();
        if (NumLeaves is < 2 or > 131072)
        {
            problems.Add($"NumLeaves = {NumLeaves} (must be 2–131072)");
        }

        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            problems.Add($"LearningRate = {LearningRate} (must be > 0)");
        }

        if (NumIterations < 1)
        {
            problems.Add($"NumIterations = {NumIterations} (must be ≥ 1)");
        }

        if (MinDataInLeaf < 1)
        {
            problems.Add($"MinDataInLeaf = {MinDataInLeaf} (must be ≥ 1)");
        }

        if (!(FeatureFraction > 0 && FeatureFraction <= 1))
        {
            problems.Add($"FeatureFraction = {FeatureFraction} (must be in (0, 1])");
        }

        if (!(BaggingFraction > 0 && BaggingFraction <= 1))
        {
            problems.Add($"BaggingFraction = {BaggingFraction} (must be in (0, 1])");
        }

        if (BaggingFrequency < 0)
        {
            problems.Add($"BaggingFrequency = {BaggingFrequency} (must be ≥ 0)");
        }

        if (EarlyStoppingRounds < 0)
        {
            problems.Add($"EarlyStoppingRounds = {EarlyStoppingRounds} (must be ≥ 0)");
        }

        if (Objective is not ("regression_l1" or "regression" or "multiclass"))
        {
            problems.Add($"Objective = '{Objective}' (must be regression_l1, regression or multiclass)");
        }
        else if (IsMulticlass ? NumClasses < 2 : NumClasses != 1)
        {
            problems.Add($"NumClasses = {NumClasses} (must be ≥ 2 for multiclass, 1 for regression)");
        }

        if (Threads < 1)
        {
            problems.Add($"Threads = {Threads} (must be ≥ 1)");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid LightGBM options: {string.Join("; ", problems)}.");
        }
    }

    /// <summary>The LightGBM parameter string for <c>LGBM_BoosterCreate</c>.</summary>
    internal string ToParameterString()
    {
        var p = new List<string>
        {
            $"objective={Objective}",
            $"metric={EvaluationMetric}",
            $"num_leaves={NumLeaves}",
            string.Create(CultureInfo.InvariantCulture, $"learning_rate={LearningRate:R}"),
            $"min_data_in_leaf={MinDataInLeaf}",
            string.Create(CultureInfo.InvariantCulture, $"feature_fraction={FeatureFraction:R}"),
            string.Create(CultureInfo.InvariantCulture, $"bagging_fraction={BaggingFraction:R}"),
            $"bagging_freq={BaggingFrequency}",
            $"seed={Seed}",
            $"num_threads={Threads}",
            "deterministic=true",
            "force_row_wise=true",
            "verbosity=-1",
        };
        if (IsMulticlass)
        {
            p.Add($"num_class={NumClasses}");
        }

        return string.Join(' ', p);
    }

    /// <summary>The LightGBM parameter string for dataset construction (binning must agree between training and validation data).</summary>
    internal string ToDatasetParameterString() =>
        $"min_data_in_leaf={MinDataInLeaf} num_threads={Threads} seed={Seed} verbosity=-1";
}

/// <summary>The documented defaults of <see cref="LightGbmOptions"/>.</summary>
internal static class LightGbmDefaults
{
    public const int NumLeaves = 31;
    public const double LearningRate = 0.05;
    public const int NumIterations = 1000;
    public const int MinDataInLeaf = 20;
    public const double FeatureFraction = 1.0;
    public const double BaggingFraction = 1.0;
    public const int BaggingFrequency = 0;
    public const int EarlyStoppingRounds = 50;
    public const string Objective = "regression_l1";
    public const int NumClasses = 1;
    public const int Seed = 42;
    public const int Threads = 2;
}
