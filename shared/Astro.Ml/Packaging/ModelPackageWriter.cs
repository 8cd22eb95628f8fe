using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Astro.Contract.Packaging;
using Astro.Evaluation;
using Astro.Ml.Onnx;
using Astro.Ml.Training;
using Google.Protobuf;

namespace Astro.Ml.Packaging;

/// <summary>What a package says about where it came from; the training result supplies everything else.</summary>
public sealed class ModelPackageInfo
{
    /// <summary>Gets the model name (e.g. <c>dustpedia-logmstar</c>; no '/').</summary>
    public required string Name { get; init; }

    /// <summary>Gets the survey profile's name.</summary>
    public required string ProfileName { get; init; }

    /// <summary>Gets the profile's JSON, written as <c>profile.json</c>; null to write none.</summary>
    public string? ProfileJson { get; init; }

    /// <summary>Gets the catalog files trained on, in order (hashed together for <see cref="TrainingDataInfo.Sha256"/>).</summary>
    public IReadOnlyList<string> CatalogFiles { get; init; } = [];

    /// <summary>Gets the SHA-256 of the training data; null to hash <see cref="CatalogFiles"/>.</summary>
    public string? TrainingDataSha256 { get; init; }

    /// <summary>Gets the creation time; null for now. The version is its UTC "yyyyMMdd.HHmmss".</summary>
    public DateTimeOffset? CreatedUtc { get; init; }

    /// <summary>Gets the code version; null for <c>git rev-parse HEAD</c>, else the assembly version.</summary>
    public string? CodeVersion { get; init; }
}

/// <summary>Options of <see cref="ModelPackageWriter"/>.</summary>
public sealed class ModelPackageWriterOptions
{
    /// <summary>Gets or sets a value indicating whether PNG plots are written to <c>plots/</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WritePlots { get; set; } = true;
}

/// <summary>
/// Writes a model package folder: <c>model.onnx</c>, <c>manifest.json</c> (<see cref="ModelManifest"/>),
/// <c>metrics.json</c>, <c>losses.csv</c>, <c>profile.json</c> and <c>plots/*.png</c>.
/// </summary>
public class ModelPackageWriter
{
    /// <summary>The ONNX file name inside a package.</summary>
    public const string ModelFileName = "model.onnx";

    private static readonly JsonSerializerOptions s_metricsJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ModelPackageWriterOptions _options;

    /// <summary>Initializes a new instance of the <see cref="ModelPackageWriter"/> class with default options.</summary>
    public ModelPackageWriter()
        : this(new ModelPackageWriterOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelPackageWriter"/> class.</summary>
    public ModelPackageWriter(ModelPackageWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = new ModelPackageWriterOptions { WritePlots = options.WritePlots };
    }

    /// <summary>Writes the package into <paramref name="directory"/> (created if needed; files there are replaced).</summary>
    /// <returns>The manifest written (already validated).</returns>
    /// <exception cref="ModelPackageException">The manifest does not validate.</exception>
    public virtual ModelManifest Write(TrainingResult result, ModelPackageInfo info, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        DateTimeOffset created = (info.CreatedUtc ?? DateTimeOffset.UtcNow).ToUniversalTime();
        string version = created.ToString("yyyyMMdd.HHmmss", CultureInfo.InvariantCulture);
        string codeVersion = info.CodeVersion ?? GetCodeVersion();
        string sha = info.TrainingDataSha256 ?? ComputeSha256(info.CatalogFiles);

        var exportOptions = new OnnxExportOptions();
        exportOptions.Metadata["name"] = info.Name;
        exportOptions.Metadata["version"] = version;
        exportOptions.Metadata["codeVersion"] = codeVersion;
        byte[] onnx = result.ExportOnnx(exportOptions).ToByteArray();
        File.WriteAllBytes(Path.Combine(directory, ModelFileName), onnx);

        var headline = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach ((string key, double value) in result.TestMetricsDictionary)
        {
            if (double.IsFinite(value))
            {
                headline[key] = value;
            }
        }

        if (result.CrossValidation is CrossValidationSummary cv)
        {
            foreach ((string key, double value) in cv.Mean)
            {
                if (double.IsFinite(value) && double.IsFinite(cv.Std[key]))
                {
                    headline[$"cvMean_{key}"] = value;
                    headline[$"cvStd_{key}"] = cv.Std[key];
                }
            }
        }

        if (result.Baseline is BaselineResult baseline)
        {
            foreach ((string key, double value) in baseline.TestMetricsDictionary)
            {
                if (double.IsFinite(value))
                {
                    headline[$"lgbm_{key}"] = value;
                }
            }

            if (result.BaselineCrossValidation is CrossValidationSummary baselineCv)
            {
                foreach ((string key, double value) in baselineCv.Mean)
                {
                    if (double.IsFinite(value) && double.IsFinite(baselineCv.Std[key]))
                    {
                        headline[$"lgbm_cvMean_{key}"] = value;
                        headline[$"lgbm_cvStd_{key}"] = baselineCv.Std[key];
                    }
                }
            }
        }

        bool masks = result.Encoder.MaskInputs;
        var manifest = new ModelManifest
        {
            Name = info.Name,
            Version = version,
            Task = result.Task,
            Target = result.Target,
            Classes = result.Classes,
            Profile = info.ProfileName,
            Inputs = result.Encoder.Inputs,
            FeatureTransform = result.Encoder.Transform,
            Standardization = result.Standardization,
            MissingBands = new MissingBandsInfo(masks ? "keepAndFlag" : "drop", result.Encoder.FillValue, masks),
            Onnx = new OnnxInfo(ModelFileName, result.Members[0].Spec.InputName, result.OutputRoles, OnnxExporter.OpsetVersion),
            Uncertainty = result.Uncertainty,
            SlopeCorrection = result.SlopeCorrection,
            OutOfDistribution = result.OutOfDistribution,
            TrainingData = new TrainingDataInfo([.. info.CatalogFiles.Select(Path.GetFileName).OfType<string>()], sha, result.Rows, result.Split),
            Metrics = headline,
            Training = result.Configuration,
            CreatedUtc = created,
            CodeVersion = codeVersion,
        };
        manifest.Validate(Path.Combine(directory, "manifest.json"));
        File.WriteAllText(Path.Combine(directory, "manifest.json"), manifest.ToJson());
        if (info.ProfileJson is not null)
        {
            File.WriteAllText(Path.Combine(directory, "profile.json"), info.ProfileJson);
        }

        File.WriteAllText(Path.Combine(directory, "metrics.json"), MetricsJson(result));
        File.WriteAllText(Path.Combine(directory, "losses.csv"), LossesCsv(result));
        if (_options.WritePlots)
        {
            WritePlots(result, Path.Combine(directory, "plots"));
        }

        return manifest;
    }

    /// <summary>SHA-256 (lower-case hex) of the files' bytes, concatenated in order.</summary>
    public static string ComputeSha256(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 16];
        foreach (string file in files)
        {
            using FileStream stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The git commit of the working directory (<c>git rev-parse HEAD</c>), else the assembly's version.</summary>
    public static string GetCodeVersion()
    {
        try
        {
            var start = new ProcessStartInfo("git", "rev-parse HEAD")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Environment.CurrentDirectory,
            };
            using Process? process = Process.Start(start);
            if (process is not null)
            {
                string output = process.StandardOutput.ReadToEnd().Trim();
                if (process.WaitForExit(5000) && process.ExitCode == 0 && output.Length >= 7)
                {
                    return output;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed: fall back to the assembly version.
        }

        Assembly assembly = typeof(ModelPackageWriter).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }

    private static string MetricsJson(TrainingResult result)
    {
        var document = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["task"] = result.Task.ToString(),
            ["target"] = result.Target.Name,
            ["split"] = result.Split,
            ["test"] = result.TestMetricsDictionary,
            ["trainingSeconds"] = result.TrainingSeconds,
            ["members"] = result.History.Select(h => new { h.Fold, h.Member, h.Epochs, h.BestEpoch, h.Seconds, h.SecondsPerEpoch }).ToArray(),
        };
        if (result.TestMetricsBeforeCorrection is RegressionMetrics before)
        {
            document["testBeforeSlopeCorrection"] = before.ToDictionary();
            document["slopeCorrection"] = result.SlopeCorrection;
        }

        if (result.ValidationMetrics is RegressionMetrics validation)
        {
            document["validation"] = validation.ToDictionary();
        }

        if (result.Uncertainty is UncertaintyInfo u)
        {
            document["uncertainty"] = u;
        }

        if (result.TestClassification is ClassificationMetrics c)
        {
            document["classes"] = c.Classes;
            document["confusionMatrix"] = c.ConfusionMatrix;
        }

        if (result.CrossValidation is CrossValidationSummary cv)
        {
            document["crossValidation"] = new { cv.Folds, cv.Mean, cv.Std, cv.PerFold };
        }

        if (result.Baseline is BaselineResult b)
        {
            var baseline = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["model"] = b.Model,
                ["objective"] = b.Objective,
                ["bestIteration"] = b.BestIteration,
                ["seconds"] = b.Seconds,
                ["trainRows"] = b.TrainRows.Count,
                ["validationRows"] = b.ValidationRows.Count,
                ["testRows"] = b.TestRows.Count,
                ["test"] = b.TestMetricsDictionary,
            };
            if (b.TestClassification is ClassificationMetrics bc)
            {
                baseline["confusionMatrix"] = bc.ConfusionMatrix;
            }

            if (result.BaselineCrossValidation is CrossValidationSummary bcv)
            {
                baseline["crossValidation"] = new { bcv.Folds, bcv.Mean, bcv.Std, bcv.PerFold };
            }

            document["baseline"] = baseline;
        }

        document["outOfDistribution"] = new { result.OutOfDistribution.Threshold, result.OutOfDistribution.Quantile };
        return JsonSerializer.Serialize(document, s_metricsJson);
    }

    private static string LossesCsv(TrainingResult result)
    {
        var text = new StringBuilder("fold,member,epoch,train_loss,validation_loss,train_primary_loss,validation_primary_loss,best_epoch\n");
        foreach (TrainingHistory h in result.History)
        {
            for (int e = 0; e < h.Epochs; e++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{h.Fold},{h.Member},{e + 1},{h.TrainLoss[e]:R},{h.ValidationLoss[e]:R},{h.TrainPrimaryLoss[e]:R},{h.ValidationPrimaryLoss[e]:R},{h.BestEpoch}\n");
            }
        }

        return text.ToString();
    }

    private static void WritePlots(TrainingResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        TrainingHistory first = result.History[0];
        string lossName = result.Loss switch
        {
            TrainingLoss.MeanSquaredError => "MSE",
            TrainingLoss.CrossEntropy => "cross-entropy",
            _ => "MAE",
        };
        EvaluationPlots.LossCurves(Path.Combine(folder, "loss_curves.png"), first.TrainPrimaryLoss, first.ValidationPrimaryLoss, lossName, first.BestEpoch);
        if (result.TestClassification is ClassificationMetrics classification)
        {
            EvaluationPlots.ConfusionMatrix(Path.Combine(folder, "confusion_matrix.png"), classification);
            return;
        }

        double[] truth = [.. result.TestTruth];
        double[] predicted = [.. result.TestPredicted];
        double[] sigma = [.. result.TestSigma];
        string quantity = result.Target.Name;
        string? unit = result.Target.Unit;
        EvaluationPlots.PredictedVsTrue(Path.Combine(folder, "predicted_vs_true.png"), truth, predicted, quantity, unit, sigma);
        EvaluationPlots.ResidualVsTrue(Path.Combine(folder, "residual_vs_true.png"), truth, predicted, quantity, unit);
        if (sigma.Length > 0)
        {
            EvaluationPlots.Calibration(Path.Combine(folder, "calibration.png"), truth, predicted, sigma);
        }
    }
}
