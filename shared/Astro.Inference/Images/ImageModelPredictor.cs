using Astro.Contract.Packaging;
using Astro.Imaging;
using Astro.Imaging.IO;
using Astro.Imaging.ModelInput;
using Astro.Inference.Images.Models;

namespace Astro.Inference.Images;

/// <summary>One prediction of <see cref="ImageModelPredictor"/>.</summary>
/// <param name="Source">The file.</param>
/// <param name="Outputs">The ensemble's mean outputs.</param>
/// <param name="Std">The ensemble spread.</param>
/// <param name="SecondStage">The LightGBM stage's prediction, or NaN.</param>
/// <param name="Error">Why the file could not be predicted, or null.</param>
public sealed record ImagePrediction(string Source, float[] Outputs, float[] Std, double SecondStage, string? Error);

/// <summary>
/// Loads an image model package and predicts cutout files with ONNX Runtime (no TorchSharp): a thin wrapper over the
/// serving side's <see cref="ImageInputPreprocessor"/> and <see cref="ImagePredictionService"/>. As before, any cutout
/// whose band count fits is predicted (no format, minimum-size beyond 16 pixels or galaxy checks, which the function app
/// applies); ONNX sessions are shared per file.
/// </summary>
public sealed class ImageModelPredictor : IDisposable
{
    private readonly ImagePredictionService _service;

    /// <summary>Opens a package.</summary>
    /// <exception cref="ModelPackageException">The manifest is missing, invalid or not an image model's, or a graph does not match it.</exception>
    public ImageModelPredictor(string directory, int threads = 2)
    {
        ImagePackage package = ImagePackage.Load(directory);
        _service = new ImagePredictionService(package, new ImagePredictionServiceOptions { IntraOpThreads = threads, MinimumSizeFraction = 0, RequireGalaxy = false });
        Manifest = package.Manifest;
        Image = package.Image;
    }

    /// <summary>Gets the manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the image section.</summary>
    public ImageInputInfo Image { get; }

    /// <summary>Gets the serving-side service this wraps.</summary>
    public ImagePredictionService Service => _service;

    /// <summary>Predicts files; unusable files get an error instead of a prediction.</summary>
    public IReadOnlyList<ImagePrediction> Predict(IReadOnlyList<string> files, double redshift = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(files);
        var results = new List<ImagePrediction>();
        foreach (string file in files)
        {
            try
            {
                // As in training: any format whose band count fits (the service's serving checks of format and galaxy are skipped).
                PreparedImageInput prepared = ImageInputPreprocessor.Prepare(CutoutReader.Read(file), Image, redshift);
                ImagePredictionResult r = _service.Predict(prepared, double.IsFinite(redshift));
                results.Add(new ImagePrediction(file, [.. r.Outputs.Select(o => (float)o.Value)], [.. r.Outputs.Select(o => (float)o.Std)], r.SecondStage?.Value ?? double.NaN, null));
            }
            catch (Exception e) when (e is ImagingException or ImageInputException or IOException)
            {
                string message = e.Message.ReplaceLineEndings(" ");
                string name = Path.GetFileName(file) + ":";
                message = message.Contains(file, StringComparison.Ordinal) ? message
                    : message.StartsWith(name, StringComparison.Ordinal) ? file + message[(name.Length - 1)..]
                    : $"{file}: {message}";
                results.Add(new ImagePrediction(file, [], [], double.NaN, message));
            }
        }

        return results;
    }

    /// <summary>Releases nothing: the ONNX sessions are shared by the process.</summary>
    public void Dispose()
    {
    }
}
