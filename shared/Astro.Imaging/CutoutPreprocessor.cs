using Astro.Fits.Headers;
using Astro.Imaging.Features;
using Astro.Imaging.Models;
using Astro.Imaging.Resampling;
using Astro.Imaging.StarRemoval;
using Astro.Imaging.Stretch;

namespace Astro.Imaging;

/// <summary>The outputs of <see cref="CutoutPreprocessor.Process"/>.</summary>
public sealed class CutoutPreprocessingResult
{
    internal CutoutPreprocessingResult(Cutout source, IReadOnlyList<CutoutImage> starRemoved, IReadOnlyList<LogStretchResult> stretched,
        IReadOnlyList<CutoutImage> networkInput, StarRemovalResult? detection, IReadOnlyList<RemovedSource> removed, IReadOnlyList<LuminosityFeatures> features)
    {
        Source = source;
        StarRemoved = starRemoved;
        Stretched = stretched;
        NetworkInput = networkInput;
        Detection = detection;
        RemovedSources = removed;
        Features = features;
    }

    /// <summary>The input cutout.</summary>
    public Cutout Source { get; }

    /// <summary>Per band: the star-removed image in the input's units (NaN kept).</summary>
    public IReadOnlyList<CutoutImage> StarRemoved { get; }

    /// <summary>Per band: the stretched image and its scaling value.</summary>
    public IReadOnlyList<LogStretchResult> Stretched { get; }

    /// <summary>Per band: the stretched image resampled to the output size (the stretched image itself when no size is set).</summary>
    public IReadOnlyList<CutoutImage> NetworkInput { get; }

    /// <summary>The star removal on the detection image, or null when star removal is off.</summary>
    public StarRemovalResult? Detection { get; }

    /// <summary>The sources removed, with the flux removed from the first band (input units).</summary>
    public IReadOnlyList<RemovedSource> RemovedSources { get; }

    /// <summary>Per band: paper 003's luminosity features.</summary>
    public IReadOnlyList<LuminosityFeatures> Features { get; }

    /// <summary>Whether a central galaxy was found (null when star removal is off).</summary>
    public bool? GalaxyFound => Detection is null ? null : Detection.GalaxyCentre is not null;
}

/// <summary>
/// The cutout preprocessing of papers 002/003: star removal (detected on one band or the sum of all,
/// applied to every band), paper 003's auto log stretch per band, resampling to the network size and the
/// luminosity features.
/// </summary>
public class CutoutPreprocessor
{
    private readonly CutoutPreprocessorOptions _options;

    /// <summary>Creates a preprocessor with the default options.</summary>
    public CutoutPreprocessor()
        : this(new CutoutPreprocessorOptions())
    {
    }

    /// <summary>Creates a preprocessor.</summary>
    /// <param name="options">Options, validated here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public CutoutPreprocessor(CutoutPreprocessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>For mocking only.</summary>
    protected CutoutPreprocessor(bool mocking)
    {
        _ = mocking;
        _options = new CutoutPreprocessorOptions();
    }

    /// <summary>The options.</summary>
    public CutoutPreprocessorOptions Options => _options;

    /// <summary>Preprocesses one cutout.</summary>
    /// <param name="cutout">The cutout.</param>
    /// <param name="cancellationToken">Checked between steps and sources.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cutout"/> is null.</exception>
    /// <exception cref="ImagingException">The cutout cannot be used (too small, all NaN, constant, bad detection band); the message names its source.</exception>
    public virtual CutoutPreprocessingResult Process(Cutout cutout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        string name = cutout.Source;
        if (cutout.Width < _options.MinSize || cutout.Height < _options.MinSize)
        {
            throw new ImagingException($"{name}: the image is {cutout.Width} x {cutout.Height} pixels; at least {_options.MinSize} x {_options.MinSize} is needed");
        }

        for (int b = 0; b < cutout.Bands.Count; b++)
        {
            if (!Array.Exists(cutout.Bands[b].Pixels, double.IsFinite))
            {
                throw new ImagingException($"{name}: band {cutout.BandNames[b]} has no finite pixel (all NaN)");
            }
        }

        if (_options.DetectionBand is int db && db >= cutout.Bands.Count)
        {
            throw new ImagingException($"{name}: detection band {db} does not exist (the cutout has {cutout.Bands.Count})");
        }

        try
        {
            StarRemovalResult? detection = null;
            IReadOnlyList<CutoutImage> cleaned = cutout.Bands;
            IReadOnlyList<RemovedSource> removed = [];
            if (_options.RemoveStars)
            {
                CutoutImage detectionImage = _options.DetectionBand is int band ? cutout.Bands[band]
                    : cutout.Bands.Count == 1 ? cutout.Bands[0]
                    : Sum(cutout.Bands);
                detection = StarRemover.Remove(detectionImage, _options.StarRemoval, cancellationToken);
                if (cutout.Bands.Count == 1)
                {
                    cleaned = [detection.Image];
                    removed = detection.Removed;
                }
                else
                {
                    double annulus = Math.Max(ImagingDefaults.MinAnnulusWidth, _options.StarRemoval.AnnulusWidthFwhm * detection.Fwhm);
                    var images = new List<CutoutImage>();
                    for (int b = 0; b < cutout.Bands.Count; b++)
                    {
                        var (image, sources) = StarRemover.Replace(cutout.Bands[b], detection.Removed, annulus, cancellationToken);
                        images.Add(image);
                        if (b == 0)
                        {
                            removed = sources;
                        }
                    }

                    cleaned = images;
                }
            }

            double? scale = _options.ArcsecondsPerPixel ?? PixelScale(cutout.Header);
            var stretched = new List<LogStretchResult>();
            var network = new List<CutoutImage>();
            var features = new List<LuminosityFeatures>();
            foreach (CutoutImage image in cleaned)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // One clipping of the star-removed image serves both the stretch's noise level and the
                // features' sky level (it was computed twice, and clipping dominated the time).
                var sky = Statistics.SigmaClip.Compute(image.Pixels, _options.Stretch.Clip);
                LogStretchResult stretch = LogStretch.Apply(image, _options.Stretch, sky);
                stretched.Add(stretch);
                network.Add(_options.OutputSize is int size ? Resampler.Resize(stretch.Image, size, size) : stretch.Image);
                features.Add(LuminosityFeatures.Compute(image, sky.Median, stretch, _options.Redshift, scale));
            }

            return new CutoutPreprocessingResult(cutout, cleaned, stretched, network, detection, removed, features);
        }
        catch (ImagingException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            throw new ImagingException($"{name}: {e.Message}", e);
        }
    }

    /// <summary>Pixel scale in arcseconds from CD1_1/CD2_1 or CDELT1 (degrees), or null.</summary>
    internal static double? PixelScale(Header? header)
    {
        if (header is null)
        {
            return null;
        }

        if (header.TryGetDouble("CD1_1", out double cd11))
        {
            double cd21 = header.GetDouble("CD2_1", 0);
            double s = Math.Sqrt((cd11 * cd11) + (cd21 * cd21)) * 3600;
            return s > 0 ? s : null;
        }

        if (header.TryGetDouble("CDELT1", out double cdelt) && cdelt != 0 && header.GetString("CTYPE1")?.Contains("--", StringComparison.Ordinal) == true)
        {
            return Math.Abs(cdelt) * 3600;
        }

        return null;
    }

    private static CutoutImage Sum(IReadOnlyList<CutoutImage> bands)
    {
        double[] sum = new double[bands[0].Pixels.Length];
        foreach (CutoutImage band in bands)
        {
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += band.Pixels[i];
            }
        }

        return new CutoutImage(bands[0].Width, bands[0].Height, sum);
    }
}
