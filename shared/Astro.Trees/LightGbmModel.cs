using System.Runtime.InteropServices;
using System.Text;
using Astro.Trees.Native;
using Astro.Trees.Onnx;

namespace Astro.Trees;

/// <summary>
/// A trained LightGBM 4.7.0 gradient-boosted tree model (native <c>lib_lightgbm</c> through its C API): training with early
/// stopping on a validation set, prediction, the text model, feature importance and export to ONNX.
/// </summary>
/// <remarks>
/// After early stopping the model holds exactly <see cref="BestIteration"/> iterations: prediction, the saved string,
/// feature importance and the ONNX export all use the best iteration. Instances are not thread-safe for concurrent
/// <see cref="Dispose"/>; prediction from several threads is safe.
/// </remarks>
public sealed class LightGbmModel : IDisposable
{
    private readonly BoosterSafeHandle _booster;
    private readonly int _threads;

    private LightGbmModel(BoosterSafeHandle booster, int bestIteration, int threads)
    {
        _booster = booster;
        _threads = threads;
        BestIteration = bestIteration;
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetNumFeature(_booster, out int columns), "GetNumFeature");
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetNumClasses(_booster, out int classes), "GetNumClasses");
        Columns = columns;
        Classes = classes;
    }

    /// <summary>Gets the number of boosting iterations the model holds: the best validation iteration after early stopping, else all that ran.</summary>
    public int BestIteration { get; }

    /// <summary>Gets the number of input features per row.</summary>
    internal int Columns { get; }

    /// <summary>Gets the number of outputs per row (1 for regression, the class count for multiclass).</summary>
    internal int Classes { get; }

    /// <summary>Trains a model.</summary>
    /// <param name="features">Training features, row-major <c>rows × columns</c>; NaN marks a missing value.</param>
    /// <param name="rows">The number of training rows (≥ 1).</param>
    /// <param name="columns">The number of features (≥ 1).</param>
    /// <param name="labels">One finite label per row (class indices 0 … NumClasses − 1 for multiclass).</param>
    /// <param name="options">The hyper-parameters.</param>
    /// <param name="validationFeatures">Optional validation features (row-major, same columns) for early stopping.</param>
    /// <param name="validationRows">The number of validation rows.</param>
    /// <param name="validationLabels">The validation labels.</param>
    /// <param name="featureNames">Optional feature names (stored in the model; spaces become underscores).</param>
    /// <returns>The trained model, truncated to its best iteration.</returns>
    /// <exception cref="ArgumentException">Mismatched lengths, zero rows, a non-finite label, a class index out of range, or invalid options.</exception>
    /// <exception cref="LightGbmException">LightGBM rejected the data or parameters.</exception>
    public static LightGbmModel Train(float[] features, int rows, int columns, float[] labels, LightGbmOptions options,
        float[]? validationFeatures = null, int validationRows = 0, float[]? validationLabels = null, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckMatrix(features, rows, columns, labels, options, "training");
        bool hasValidation = validationFeatures is not null || validationLabels is not null || validationRows != 0;
        if (hasValidation)
        {
            if (validationFeatures is null || validationLabels is null)
            {
                throw new ArgumentException("Validation data need both validationFeatures and validationLabels.", nameof(validationFeatures));
            }

            CheckMatrix(validationFeatures, validationRows, columns, validationLabels, options, "validation");
        }

        if (featureNames is not null && featureNames.Count != columns)
        {
            throw new ArgumentException($"There are {featureNames.Count} feature names for {columns} columns.", nameof(featureNames));
        }

        string datasetParameters = options.ToDatasetParameterString();
        using DatasetSafeHandle train = CreateDataset(features, rows, columns, labels, datasetParameters, reference: null);
        if (featureNames is not null)
        {
            SetFeatureNames(train, featureNames);
        }

        using DatasetSafeHandle? validation = hasValidation
            ? CreateDataset(validationFeatures!, validationRows, columns, validationLabels!, datasetParameters, train)
            : null;

        LightGbmNative.Check(LightGbmNative.LGBM_BoosterCreate(train, options.ToParameterString(), out BoosterSafeHandle booster), "BoosterCreate");
        using (booster)
        {
            bool earlyStopping = validation is not null && options.EarlyStoppingRounds > 0;
            if (validation is not null)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterAddValidData(booster, validation), "BoosterAddValidData");
            }

            int bestIteration = 0;
            double bestScore = double.PositiveInfinity;
            for (int iteration = 1; iteration <= options.NumIterations; iteration++)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterUpdateOneIter(booster, out int finished), "BoosterUpdateOneIter");
                if (finished != 0)
                {
                    // No further split is possible; the iteration that reported this added no tree.
                    break;
                }

                if (validation is null)
                {
                    bestIteration = iteration;
                    continue;
                }

                double score = ValidationScore(booster);
                if (score < bestScore)
                {
                    bestScore = score;
                    bestIteration = iteration;
                }
                else if (earlyStopping && iteration - bestIteration >= options.EarlyStoppingRounds)
                {
                    break;
                }
            }

            if (!earlyStopping)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetCurrentIteration(booster, out int current), "GetCurrentIteration");
                bestIteration = current;
            }

            // Keep exactly the best iterations: save them and load the truncated model back.
            string text = SaveBoosterToString(booster, Math.Max(bestIteration, 1));
            return LoadFromString(text, options.Threads);
        }
    }

    /// <summary>Loads a model saved by <see cref="SaveToString"/> (or LightGBM's own text format).</summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is empty.</exception>
    /// <exception cref="LightGbmException">
    /// The text is not a LightGBM model, its tree_sizes do not match its trees, or LightGBM cannot parse it. (LightGBM
    /// parses trees on OpenMP threads, where an error inside a tree's body still aborts the process: load only model
    /// strings this class or LightGBM wrote.)
    /// </exception>
    public static LightGbmModel LoadFromString(string model) => LoadFromString(model, LightGbmDefaults.Threads);

    /// <summary>Predicts.</summary>
    /// <param name="features">Row-major <c>rows × columns</c> features; NaN marks a missing value.</param>
    /// <param name="rows">The number of rows.</param>
    /// <returns>For regression one value per row; for multiclass <c>rows × classes</c> probabilities, row-major.</returns>
    /// <exception cref="ArgumentException">The length of <paramref name="features"/> is not <c>rows × columns</c>.</exception>
    public double[] Predict(float[] features, int rows)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if ((long)rows * Columns != features.Length)
        {
            throw new ArgumentException($"The features hold {features.Length} values, not {rows} rows × {Columns} columns.", nameof(features));
        }

        double[] result = new double[(long)rows * Classes];
        if (rows == 0)
        {
            return result;
        }

        unsafe
        {
            fixed (float* data = features)
            fixed (double* output = result)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(_booster, data, LightGbmNative.DTypeFloat32, rows, Columns, 1,
                    LightGbmNative.PredictNormal, 0, -1, $"num_threads={_threads}", out long length, output), "BoosterPredictForMat");
                if (length != result.Length)
                {
                    throw new LightGbmException($"LightGBM returned {length} predictions for {rows} rows × {Classes} outputs.");
                }
            }
        }

        return result;
    }

    /// <summary>Returns the model in LightGBM's text format (all iterations the model holds).</summary>
    public string SaveToString() => SaveBoosterToString(_booster, -1);

    /// <summary>Exports the model to ONNX (IR 8, opset 17 + ai.onnx.ml 3).</summary>
    /// <param name="inputName">The float32 input of shape <c>[batch, columns]</c>.</param>
    /// <param name="outputName">The float32 output: <c>[batch, 1]</c> for regression, <c>[batch, classes]</c> probabilities for multiclass.</param>
    /// <returns>The serialized ModelProto.</returns>
    /// <exception cref="LightGbmException">The model uses a feature the export does not support (categorical splits, linear trees, zero-as-missing).</exception>
    public byte[] ExportOnnx(string inputName = "input", string outputName = "output")
    {
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        return ExportOnnx(inputName, outputName, TreeEnsemblePrecision.Double);
    }

    internal byte[] ExportOnnx(string inputName, string outputName, TreeEnsemblePrecision precision) =>
        TreeEnsembleOnnxExporter.Export(LightGbmTextModel.Parse(SaveToString()), inputName, outputName, precision);

    /// <summary>Returns the importance of each feature: total gain of its splits (<paramref name="gain"/>) or the number of splits.</summary>
    public double[] FeatureImportance(bool gain = true)
    {
        double[] result = new double[Columns];
        unsafe
        {
            fixed (double* output = result)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterFeatureImportance(_booster, 0,
                    gain ? LightGbmNative.ImportanceGain : LightGbmNative.ImportanceSplit, output), "BoosterFeatureImportance");
            }
        }

        return result;
    }

    /// <summary>Frees the native booster.</summary>
    public void Dispose() => _booster.Dispose();

    private static LightGbmModel LoadFromString(string model, int threads)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        LightGbmTextModel.CheckLoadable(model);
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterLoadModelFromString(model, out int iterations, out BoosterSafeHandle booster), "BoosterLoadModelFromString");
        return new LightGbmModel(booster, iterations, threads);
    }

    private static string SaveBoosterToString(BoosterSafeHandle booster, int numIteration)
    {
        unsafe
        {
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterSaveModelToString(booster, 0, numIteration, 0, 0, out long length, null), "BoosterSaveModelToString");
            byte[] buffer = new byte[length];
            fixed (byte* p = buffer)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterSaveModelToString(booster, 0, numIteration, 0, length, out length, p), "BoosterSaveModelToString");
            }

            // The length includes the terminating NUL.
            return Encoding.UTF8.GetString(buffer, 0, (int)Math.Max(0, length - 1));
        }
    }

    private static double ValidationScore(BoosterSafeHandle booster)
    {
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEvalCounts(booster, out int count), "BoosterGetEvalCounts");
        double[] results = new double[Math.Max(count, 1)];
        unsafe
        {
            fixed (double* p = results)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEval(booster, 1, out _, p), "BoosterGetEval");
            }
        }

        return results[0];
    }

    private static DatasetSafeHandle CreateDataset(float[] features, int rows, int columns, float[] labels, string parameters, DatasetSafeHandle? reference)
    {
        DatasetSafeHandle dataset;
        bool addedReference = false;
        unsafe
        {
            try
            {
                // The validation set bins its features like the training set it references.
                reference?.DangerousAddRef(ref addedReference);
                fixed (float* data = features)
                {
                    LightGbmNative.Check(LightGbmNative.LGBM_DatasetCreateFromMat(data, LightGbmNative.DTypeFloat32, rows, columns, 1, parameters,
                        reference?.DangerousGetHandle() ?? IntPtr.Zero, out dataset), "DatasetCreateFromMat");
                }
            }
            finally
            {
                if (addedReference)
                {
                    reference!.DangerousRelease();
                }
            }

            fixed (float* label = labels)
            {
                int result = LightGbmNative.LGBM_DatasetSetField(dataset, "label", label, rows, LightGbmNative.DTypeFloat32);
                if (result != 0)
                {
                    dataset.Dispose();
                    LightGbmNative.Check(result, "DatasetSetField(label)");
                }
            }
        }

        return dataset;
    }

    private static void SetFeatureNames(DatasetSafeHandle dataset, IReadOnlyList<string> names)
    {
        IntPtr[] pointers = new IntPtr[names.Count];
        try
        {
            for (int i = 0; i < names.Count; i++)
            {
                string name = string.IsNullOrWhiteSpace(names[i]) ? $"Column_{i}" : names[i].Replace(' ', '_');
                pointers[i] = Marshal.StringToCoTaskMemUTF8(name);
            }

            unsafe
            {
                fixed (IntPtr* p = pointers)
                {
                    LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetFeatureNames(dataset, p, names.Count), "DatasetSetFeatureNames");
                }
            }
        }
        finally
        {
            foreach (IntPtr pointer in pointers)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    private static void CheckMatrix(float[] features, int rows, int columns, float[] labels, LightGbmOptions options, string what)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows <= 0)
        {
            throw new ArgumentException($"The {what} data have {rows} rows; LightGBM needs at least one.", nameof(rows));
        }

        if (columns <= 0)
        {
            throw new ArgumentException($"The {what} data have {columns} columns; LightGBM needs at least one.", nameof(columns));
        }

        if ((long)rows * columns != features.Length)
        {
            throw new ArgumentException($"The {what} features hold {features.Length} values, not {rows} rows × {columns} columns.", nameof(features));
        }

        if (labels.Length != rows)
        {
            throw new ArgumentException($"There are {labels.Length} {what} labels for {rows} rows.", nameof(labels));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            float label = labels[i];
            if (!float.IsFinite(label))
            {
                throw new ArgumentException($"The {what} label of row {i} is {label}; drop rows with missing labels before training.", nameof(labels));
            }

            if (options.IsMulticlass && (label != MathF.Floor(label) || label < 0 || label >= options.NumClasses))
            {
                throw new ArgumentException($"The {what} label of row {i} is {label}, not a class index in [0, {options.NumClasses}).", nameof(labels));
            }
        }
    }
}
