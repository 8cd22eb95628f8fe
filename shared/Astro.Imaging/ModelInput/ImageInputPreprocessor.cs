using Astro.Contract.Packaging;
using Astro.Imaging;
using Astro.Imaging.Features;
using Astro.Imaging.IO;
using Astro.Imaging.Models;
using Astro.Imaging.Resampling;

namespace Astro.Imaging.ModelInput;

/// <summary>A cutout made into an image model's input.</summary>
/// <param name="Pixels">The graph input of one sample, <c>bands × size × size</c> floats.</param>
/// <param name="Luminosity">Paper 003's luminosity features (<see cref="ImageInputPreprocessor.LuminosityNames"/> order; NaN where undefined).</param>
/// <param name="Preprocessing">The cutout preprocessing's result (star removal, stretch, features).</param>
/// <param name="UndefinedPixels">Non-finite input pixels (replaced by 0 for "rgb8"; ignored by the statistics for "log003").</param>
public sealed record PreparedImageInput(float[] Pixels, float[] Luminosity, CutoutPreprocessingResult Preprocessing, long UndefinedPixels)
{
    /// <summary>Gets whether the star removal found a central galaxy (null when the model does not remove stars).</summary>
    public bool? GalaxyFound => Preprocessing.GalaxyFound;
}

/// <summary>
/// Turns a cutout into an image model's graph input and paper 003's luminosity features, as the manifest's
/// <see cref="ImageInputInfo"/> says: "rgb8" (8-bit composites / 255, resampled to the network size) or "log003" (star
/// removal when asked, paper 003's auto log stretch, resampling). The one implementation used by training
/// (Astro.Ml's <c>ImagePreprocessing</c>) and serving (Astro.Inference's <c>ImagePredictionService</c>).
/// </summary>
public static class ImageInputPreprocessor
{
    /// <summary>The stretch of 8-bit colour composites: values divided by 255.</summary>
    public const string Rgb8 = "rgb8";

    /// <summary>Paper 003's per-band log stretch.</summary>
    public const string Log003 = "log003";

    /// <summary>The resampling mode written into manifests.</summary>
    public const string Resampling = "areaShrinkBicubicEnlarge";

    /// <summary>Smallest cutout side the preprocessing accepts at all (the star finder and the sigma clipping need it): 16.</summary>
    public const int AbsoluteMinSize = 16;

    private static readonly string[] s_perBand = [.. LuminosityFeatures.Names.Where(n => n is not "redshift" and not "kpc_per_pixel")];

    /// <summary>The luminosity feature names for an input description: <c>BAND:name</c> per band, then <c>redshift</c>, <c>kpc_per_pixel</c>.</summary>
    /// <param name="input">The image section of a manifest.</param>
    /// <returns>The names.</returns>
    public static IReadOnlyList<string> LuminosityNames(ImageInputInfo input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return [.. input.Bands.SelectMany(b => s_perBand.Select(n => $"{b}:{n}")), "redshift", "kpc_per_pixel"];
    }

    /// <summary>Reads a cutout file (FITS, JPEG or PNG).</summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="source">The name used in messages.</param>
    /// <returns>The cutout.</returns>
    /// <exception cref="ImageInputException">The bytes are not a usable image (<see cref="ImageInputProblem.Unreadable"/>, or <see cref="ImageInputProblem.WrongSize"/> when not 2-D).</exception>
    public static Cutout Read(ReadOnlyMemory<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return CutoutReader.Read(bytes, source);
        }
        catch (ImagingException e)
        {
            string message = e.Message.ReplaceLineEndings(" ");
            bool dims = message.Contains("dimension", StringComparison.Ordinal) || message.Contains("at most 16384", StringComparison.Ordinal);
            throw new ImageInputException(dims ? ImageInputProblem.WrongSize : ImageInputProblem.Unreadable, message.StartsWith(source, StringComparison.Ordinal) ? message : $"{source}: {message}", e);
        }
    }

    /// <summary>Why a cutout does not fit an input description (band count, format), or null when it fits.</summary>
    /// <param name="cutout">The cutout.</param>
    /// <param name="input">The image section of a manifest.</param>
    /// <returns>A one-line reason, or null.</returns>
    public static string? Mismatch(Cutout cutout, ImageInputInfo input)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        ArgumentNullException.ThrowIfNull(input);
        if (cutout.Bands.Count != input.Bands.Count)
        {
            return $"{cutout.Bands.Count} band(s), the model needs {input.Bands.Count} ({string.Join(", ", input.Bands)})";
        }

        if (input.Stretch == Rgb8 && cutout.Format == CutoutFormat.Fits)
        {
            return "a FITS cutout, the model takes 8-bit JPEG/PNG composites (stretch rgb8)";
        }

        if (input.Stretch is not (Rgb8 or Log003))
        {
            return $"the model's stretch '{input.Stretch}' is not rgb8 or log003";
        }

        return null;
    }

    /// <summary>Prepares one cutout.</summary>
    /// <param name="cutout">The cutout.</param>
    /// <param name="input">The image section of the model's manifest.</param>
    /// <param name="redshift">The redshift for the luminosity features, or NaN.</param>
    /// <param name="minSize">Smallest accepted side in pixels (at least <see cref="AbsoluteMinSize"/>).</param>
    /// <param name="cancellationToken">Checked between preprocessing steps.</param>
    /// <returns>The graph input and features.</returns>
    /// <exception cref="ImageInputException">The cutout cannot be used; the message names it.</exception>
    public static PreparedImageInput Prepare(Cutout cutout, ImageInputInfo input, double redshift, int minSize = AbsoluteMinSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        ArgumentNullException.ThrowIfNull(input);
        string name = cutout.Source;
        if (input.Stretch is not (Rgb8 or Log003))
        {
            throw new ImageInputException(ImageInputProblem.NotApplicable, $"{name}: unknown stretch '{input.Stretch}' (rgb8 or log003)");
        }

        if (cutout.Bands.Count != input.Bands.Count)
        {
            throw new ImageInputException(ImageInputProblem.NotApplicable, $"{name}: {cutout.Bands.Count} band(s), the model needs {input.Bands.Count} ({string.Join(", ", input.Bands)})");
        }

        minSize = Math.Max(AbsoluteMinSize, minSize);
        if (cutout.Width < minSize || cutout.Height < minSize)
        {
            throw new ImageInputException(ImageInputProblem.WrongSize, $"{name}: the image is {cutout.Width} x {cutout.Height} pixels; the model needs at least {minSize} x {minSize}");
        }

        long undefined = 0;
        for (int b = 0; b < cutout.Bands.Count; b++)
        {
            double[] p = cutout.Bands[b].Pixels;
            int finite = 0;
            for (int i = 0; i < p.Length; i++)
            {
                if (double.IsFinite(p[i]))
                {
                    finite++;
                }
            }

            if (finite == 0)
            {
                throw new ImageInputException(ImageInputProblem.AllNaN, $"{name}: band {cutout.BandNames[b]} has no finite pixel (all NaN)");
            }

            undefined += p.Length - finite;
        }

        int size = input.Size;
        int plane = size * size;
        var pixels = new float[input.Bands.Count * plane];
        var options = new CutoutPreprocessorOptions
        {
            RemoveStars = input.RemoveStars,
            OutputSize = input.Stretch == Log003 ? size : null,
            Redshift = double.IsFinite(redshift) ? redshift : null,
            MinSize = minSize,
        };
        options.Stretch.TargetNoiseLevel = input.TargetNoiseLevel;
        options.Stretch.NoiseSigmas = input.NoiseSigmas;
        CutoutPreprocessingResult result;
        try
        {
            result = new CutoutPreprocessor(options).Process(cutout, cancellationToken);
        }
        catch (ImagingException e)
        {
            string message = e.Message.ReplaceLineEndings(" ");
            throw new ImageInputException(ImageInputProblem.Unusable, message.StartsWith(name, StringComparison.Ordinal) ? message : $"{name}: {message}", e);
        }

        for (int b = 0; b < input.Bands.Count; b++)
        {
            CutoutImage network = input.Stretch == Log003
                ? result.NetworkInput[b]
                : Resampler.Resize(new CutoutImage(cutout.Width, cutout.Height, Array.ConvertAll(cutout.Bands[b].Pixels, v => double.IsFinite(v) ? v / 255.0 : 0)), size, size);
            for (int i = 0; i < plane; i++)
            {
                pixels[(b * plane) + i] = (float)network.Pixels[i];
            }
        }

        var features = new List<float>((input.Bands.Count * s_perBand.Length) + 2);
        foreach (LuminosityFeatures f in result.Features)
        {
            double[] all = f.ToArray();
            features.AddRange(all.Take(s_perBand.Length).Select(v => (float)v));
        }

        double[] first = result.Features[0].ToArray();
        features.Add((float)first[^2]);
        features.Add((float)first[^1]);
        return new PreparedImageInput(pixels, [.. features], result, undefined);
    }

    /// <summary>
    /// Whether star detection finds a central galaxy in a cutout (on the sum of its bands), for models that do not remove
    /// stars themselves.
    /// </summary>
    /// <param name="cutout">The cutout (at least <see cref="AbsoluteMinSize"/> on a side).</param>
    /// <param name="cancellationToken">Checked between sources.</param>
    /// <returns>True when a central galaxy was found.</returns>
    /// <exception cref="ImageInputException">The detection cannot run on the cutout.</exception>
    public static bool FindsGalaxy(Cutout cutout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        CutoutImage image = cutout.Bands[0];
        if (cutout.Bands.Count > 1)
        {
            var sum = new double[image.Pixels.Length];
            foreach (CutoutImage band in cutout.Bands)
            {
                for (int i = 0; i < sum.Length; i++)
                {
                    sum[i] += band.Pixels[i];
                }
            }

            image = new CutoutImage(image.Width, image.Height, sum);
        }

        try
        {
            return Astro.Imaging.StarRemoval.StarRemover.Remove(image, null, cancellationToken).GalaxyCentre is not null;
        }
        catch (ImagingException e)
        {
            throw new ImageInputException(ImageInputProblem.Unusable, $"{cutout.Source}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
