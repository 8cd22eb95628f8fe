using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Evaluation;
using Astro.Inference;
using Astro.Inference.Models;
using Astro.Inference.Packaging;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro evaluate --model DIR --catalog C [--out DIR]</c>: predicts a labelled catalog with a model
/// package and scores it against the labels — metrics, selection report and plots.
/// </summary>
internal static class EvaluateCommands
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model package folder.", Required = true };
        var catalog = new Option<string>("--catalog") { Description = "A labelled catalog in the package's profile (CSV-like text or FITS table).", Required = true };
        var output = new Option<string?>("--out") { Description = "Folder for metrics.json, selection.json and the plots (optional)." };
        var photoZ = new Option<bool>("--photo-z") { Description = "Score as photometric redshifts (Δz/(1+z) for NMAD, bias and outliers); on by default when the target is a redshift." };
        var evaluate = new Command("evaluate", "Score a model package on a labelled catalog: metrics of papers 000/001, NMAD, outliers, coverage, confusion matrix, plots.")
        {
            model, catalog, output, photoZ,
        };
        evaluate.SetAction(parse => Evaluate(parse.GetRequiredValue(model), parse.GetRequiredValue(catalog), parse.GetValue(output), parse.GetValue(photoZ), Console.Out));
        return evaluate;
    }

    internal static int Evaluate(string modelDir, string catalogPath, string? outDir, bool photoZ, TextWriter console)
    {
        ModelPackage package = Guard(() => ModelPackage.Load(modelDir));
        if (!File.Exists(catalogPath))
        {
            throw new CommandException($"Catalog '{catalogPath}' does not exist.");
        }

        ModelManifest manifest = package.Manifest;
        var service = new PredictionService(package);
        CatalogReader reader = service.CreateCatalogReader(includeTarget: true);
        SelectionOptions selection = service.CreateSelectionOptions();
        selection.DropRowsWithMissingLabels = true;
        var preprocessor = new CatalogPreprocessor(package.CreateServingProfile(includeTarget: true), selection);

        var truth = new List<double>();
        var predicted = new List<double>();
        var sigma = new List<double>();
        var trueClass = new List<int>();
        var predictedClass = new List<int>();
        long rows = 0;
        long flagged = 0;
        CatalogReadReport? read = null;
        Guard(() =>
        {
            using CatalogReadSession session = reader.Open(catalogPath);
            read = session.Report;
            foreach (CatalogChunk chunk in session.ReadChunks())
            {
                PreprocessedChunk input = preprocessor.Process(chunk);
                PredictionBatch batch = service.Predict(chunk, input);
                int label = manifest.Task == ModelTask.Regression ? IndexOf(input.LabelNames, manifest.Target.Name) : -1;
                int kept = 0;
                for (int r = 0; r < batch.RowCount; r++)
                {
                    rows++;
                    if (batch.Status[r] is not (RowStatus.Kept or RowStatus.KeptWithMissingBands))
                    {
                        continue;
                    }

                    int k = kept++;
                    if ((batch.Flags[r] & PredictionFlags.NotPredicted) != 0)
                    {
                        continue;
                    }

                    if ((batch.Flags[r] & (PredictionFlags.MissingBands | PredictionFlags.OutOfDistribution)) != 0)
                    {
                        flagged++;
                    }

                    if (manifest.Task == ModelTask.Regression)
                    {
                        double y = input.Labels[(k * input.LabelNames.Count) + label];
                        if (double.IsFinite(y) && float.IsFinite(batch.Values[r]))
                        {
                            truth.Add(y);
                            predicted.Add(batch.Values[r]);
                            sigma.Add(batch.Sigmas[r]);
                        }
                    }
                    else if (input.ClassIndices is { } classes && classes[k] >= 0 && batch.ClassIndices is { } predictedClasses)
                    {
                        trueClass.Add(classes[k]);
                        predictedClass.Add(predictedClasses[r]);
                    }
                }
            }

            return 0;
        });

        var report = new Dictionary<string, object>
        {
            ["model"] = manifest.Name,
            ["version"] = manifest.Version,
            ["catalog"] = Path.GetFileName(catalogPath),
            ["rows"] = rows,
            ["flagged"] = flagged,
            ["malformedLines"] = read?.MalformedRows ?? 0,
            ["selection"] = JsonDocument.Parse(preprocessor.Report.ToJson()).RootElement,
        };
        if (read is { MalformedRows: > 0 })
        {
            // Malformed lines never reach the model; say so rather than score fewer rows silently.
            console.WriteLine($"  {read.MalformedRows} malformed line(s) skipped: {read}");
        }

        if (manifest.Task == ModelTask.Regression)
        {
            if (truth.Count == 0)
            {
                throw new CommandException($"{catalogPath}: no row has both a prediction and a '{manifest.Target.Name}' label to score");
            }

            bool redshift = photoZ || IsRedshift(manifest.Target.Name);
            bool hasSigma = sigma.Any(double.IsFinite);
            var metrics = RegressionMetrics.Compute(truth.ToArray(), predicted.ToArray(), manifest.Inputs.Count, hasSigma ? sigma.ToArray() : default, redshift);
            report["metrics"] = metrics.ToDictionary();
            console.WriteLine($"{manifest.Name} {manifest.Version} on {Path.GetFileName(catalogPath)}: {truth.Count} of {rows} rows scored ({flagged} flagged)");
            foreach (var (name, value) in metrics.ToDictionary())
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-22} {value,12:G6}"));
            }

            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                string unit = manifest.Target.Unit ?? string.Empty;
                EvaluationPlots.PredictedVsTrue(Path.Combine(outDir, "predicted_vs_true.png"), truth.ToArray(), predicted.ToArray(), manifest.Target.Name, unit, hasSigma ? sigma.ToArray() : default);
                EvaluationPlots.ResidualVsTrue(Path.Combine(outDir, "residual_vs_true.png"), truth.ToArray(), predicted.ToArray(), manifest.Target.Name, unit);
                if (hasSigma)
                {
                    EvaluationPlots.Calibration(Path.Combine(outDir, "calibration.png"), truth.ToArray(), predicted.ToArray(), sigma.ToArray());
                }
            }
        }
        else
        {
            if (trueClass.Count == 0)
            {
                throw new CommandException($"{catalogPath}: no row has both a prediction and a class label to score");
            }

            var metrics = ClassificationMetrics.Compute(trueClass.ToArray(), predictedClass.ToArray(), manifest.Classes);
            report["metrics"] = metrics.ToDictionary();
            report["confusionMatrix"] = metrics.ConfusionMatrix;
            console.WriteLine($"{manifest.Name} {manifest.Version} on {Path.GetFileName(catalogPath)}: {trueClass.Count} of {rows} rows scored, accuracy {metrics.Accuracy:P2}");
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                EvaluationPlots.ConfusionMatrix(Path.Combine(outDir, "confusion_matrix.png"), metrics);
            }
        }

        if (outDir is not null)
        {
            File.WriteAllText(Path.Combine(outDir, "metrics.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            console.WriteLine($"  metrics and plots in {outDir}");
        }

        return 0;
    }

    private static bool IsRedshift(string name) =>
        name.Equals("z", StringComparison.OrdinalIgnoreCase) || name.Equals("zSpec", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("redshift", StringComparison.OrdinalIgnoreCase) || name.Equals("zspec", StringComparison.OrdinalIgnoreCase);

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new CommandException($"the catalog's profile has no label '{name}' (labels: {string.Join(", ", names)})");
    }

    private static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ModelPackageException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
        catch (CatalogException e)
        {
            throw new CommandException((e.Errors.Count > 0 ? e.Errors[0] : e.Message).ReplaceLineEndings(" "), e);
        }
        catch (Fits.FitsException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }
}
