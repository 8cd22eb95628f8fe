using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Astro.Fits.Cards;
using Astro.Fits.Headers;
using Astro.Fits.Writing;
using Astro.Imaging;
using Astro.Imaging.IO;
using Astro.Imaging.Models;
using Astro.Imaging.Rendering;
using Astro.Imaging.Synthetic;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro cutout prep|png|bench</c>: the image models' preprocessing (star removal, paper 003's log
/// stretch, resampling) on one cutout, a PNG quick-look of it, and its speed.
/// </summary>
internal static class CutoutCommands
{
    /// <summary>Header keywords copied from the input (WCS and provenance).</summary>
    private static readonly string[] s_copiedPrefixes =
    [
        "CTYPE", "CRPIX", "CRVAL", "CDELT", "CUNIT", "CROTA", "CD1_", "CD2_", "PC1_", "PC2_", "PV1_", "PV2_",
        "EQUINOX", "EPOCH", "RADESYS", "RADECSYS", "LONPOLE", "LATPOLE", "WCSAXES", "MJD-OBS", "DATE-OBS",
        "BUNIT", "OBJECT", "FILTER", "EXPTIME", "TELESCOP", "INSTRUME", "MAGZP",
    ];

    public static Command Create()
    {
        var cutout = new Command("cutout", "Preprocess galaxy cutouts for the image models (star removal, log stretch, resampling).");

        var file = new Argument<string>("file") { Description = "A FITS (one HDU per band or a cube), JPEG or PNG cutout." };
        var output = new Option<string>("--out") { Description = "Output FITS file.", Required = true };
        var stars = new Option<string?>("--stars") { Description = "CSV of known stars with columns X, Y (0-based pixels): removed even if not detected." };
        var size = new Option<int?>("--size") { Description = "Resample the stretched image (HDU 1) to SIZE x SIZE (e.g. 69); default: keep the input size." };
        var fwhm = new Option<double?>("--fwhm") { Description = "PSF FWHM in pixels (default: estimated from the image)." };
        var redshift = new Option<double?>("--redshift") { Description = "Redshift, for the luminosity features printed at the end." };
        var prep = new Command("prep", "Remove stars, stretch (F' = log(aF+1)/log(a+1), noise level 0.2) and write HDU 0 star-removed, HDU 1 stretched, HDU 2 removed sources.")
        {
            file, output, stars, size, fwhm, redshift,
        };
        prep.SetAction(parse => Prep(parse.GetRequiredValue(file), parse.GetRequiredValue(output), parse.GetValue(stars), parse.GetValue(size),
            parse.GetValue(fwhm), parse.GetValue(redshift), Console.Out));

        var pngFile = new Argument<string>("file") { Description = "A FITS, JPEG or PNG cutout." };
        var pngOut = new Option<string>("--out") { Description = "Output PNG.", Required = true };
        var pngStars = new Option<string?>("--stars") { Description = "CSV of known stars (X, Y)." };
        var pngFwhm = new Option<double?>("--fwhm") { Description = "PSF FWHM in pixels." };
        var png = new Command("png", "Write a PNG with three panels: input (removed stars circled), star-removed, stretched.") { pngFile, pngOut, pngStars, pngFwhm };
        png.SetAction(parse => Png(parse.GetRequiredValue(pngFile), parse.GetRequiredValue(pngOut), parse.GetValue(pngStars), parse.GetValue(pngFwhm), Console.Out));

        var benchSize = new Option<int>("--size") { Description = "Cutout side in pixels.", DefaultValueFactory = _ => 256 };
        var benchCount = new Option<int>("--count") { Description = "Number of synthetic cutouts timed.", DefaultValueFactory = _ => 100 };
        var bench = new Command("bench", "Milliseconds per cutout for the whole preprocessing (synthetic galaxies with stars), and star-removal scores.") { benchSize, benchCount };
        bench.SetAction(parse => Bench(parse.GetValue(benchSize), parse.GetValue(benchCount), Console.Out));

        cutout.Subcommands.Add(prep);
        cutout.Subcommands.Add(png);
        cutout.Subcommands.Add(bench);
        return cutout;
    }

    internal static int Prep(string path, string outPath, string? starsPath, int? size, double? fwhm, double? redshift, TextWriter console)
    {
        if (size is <= 0)
        {
            throw new CommandException($"--size must be positive, not {size}");
        }

        Cutout cutout = ReadCutout(path);
        CutoutPreprocessingResult result = Run(cutout, starsPath, size, fwhm, redshift);
        var stretched = result.NetworkInput;
        int w = cutout.Width;
        int h = cutout.Height;

        Header primary = CopyHeader(cutout.Header, wcs: true);
        primary.Add(Card.CreateCommentary("HISTORY", $"astro cutout prep: {result.RemovedSources.Count} point sources replaced by the local background"));
        Header second = CopyHeader(cutout.Header, wcs: size is null || (size == w && size == h));
        second.Add("EXTNAME", "STRETCHED", "F' = log(aF+1)/log(a+1), F rescaled to [0,1]");
        for (int b = 0; b < result.Stretched.Count; b++)
        {
            string suffix = b == 0 ? string.Empty : (b + 1).ToString(CultureInfo.InvariantCulture);
            second.Add("SCALEA" + suffix, result.Stretched[b].ScaleA, $"log stretch scaling value a ({cutout.BandNames[b]})");
            second.Add("NOISE" + suffix, result.Stretched[b].NoiseLevel, "noise level (clipped mean+2sig) in [0,1] before stretch");
        }

        second.Add("NOISETGT", result.Stretched[0].StretchedNoiseLevel, "noise level after the stretch");
        Header table = new();
        table.Add("EXTNAME", "SOURCES", "point sources replaced by the local background");
        table.Add("FWHM", result.Detection?.Fwhm ?? double.NaN, "PSF FWHM used for detection [pixel]");
        table.Add(Card.CreateCommentary("COMMENT", "X, Y: 0-based pixel coordinates; FLUX: flux removed (input units)"));

        var removed = result.RemovedSources;
        string? directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using (var writer = new FitsWriter(File.Create(outPath)))
        {
            long[] axes = cutout.Bands.Count == 1 ? [w, h] : [w, h, cutout.Bands.Count];
            bool single = cutout.Header?.GetInt64("BITPIX", -64) is -32 or 8 or 16;
            double[] cleaned = Concatenate(result.StarRemoved);
            writer.WriteImage(single ? FitsImage.FromPixels(Array.ConvertAll(cleaned, v => (float)v), axes) : FitsImage.FromPixels(cleaned, axes), primary);
            int sw = stretched[0].Width;
            int sh = stretched[0].Height;
            long[] stretchedAxes = stretched.Count == 1 ? [sw, sh] : [sw, sh, stretched.Count];
            writer.WriteImage(FitsImage.FromPixels(Array.ConvertAll(Concatenate(stretched), v => (float)v), stretchedAxes), second);
            writer.WriteTable(
            [
                new TableColumn<double>("X", removed.Select(s => s.X).ToArray()) { Unit = "pixel" },
                new TableColumn<double>("Y", removed.Select(s => s.Y).ToArray()) { Unit = "pixel" },
                new TableColumn<double>("FLUX", removed.Select(s => s.Flux).ToArray()),
                new TableColumn<double>("RADIUS", removed.Select(s => s.Radius).ToArray()) { Unit = "pixel" },
                new TableColumn<bool>("CATALOG", removed.Select(s => s.FromCatalog).ToArray()),
            ], table);
        }

        var stretch = result.Stretched[0];
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cutout.Source}: {w}x{h}, {cutout.Bands.Count} band(s); FWHM {result.Detection?.Fwhm:F2} px; {removed.Count} sources removed " +
            $"({result.Detection?.ProtectedCount ?? 0} kept on the galaxy); a = {stretch.ScaleA:G6}, noise level {stretch.NoiseLevel:G6} -> {stretch.StretchedNoiseLevel:F6}; " +
            $"galaxy {(result.GalaxyFound == true ? "found" : "NOT found")}; wrote {outPath}"));
        var features = result.Features[0].ToArray();
        console.WriteLine("features: " + string.Join(", ", LuminosityFeaturesNames().Zip(features, (n, v) => string.Create(CultureInfo.InvariantCulture, $"{n}={v:G5}"))));
        return 0;
    }

    internal static int Png(string path, string outPath, string? starsPath, double? fwhm, TextWriter console)
    {
        Cutout cutout = ReadCutout(path);
        CutoutPreprocessingResult result = Run(cutout, starsPath, null, fwhm, null);
        bool rgb = cutout.Bands.Count == 3;
        IReadOnlyList<CutoutImage> Pick(IReadOnlyList<CutoutImage> bands) => rgb ? bands : [bands[0]];
        PanelScaling linear = cutout.Format == CutoutFormat.Fits ? PanelScaling.Asinh : PanelScaling.Bytes;
        byte[] png = QuickLook.Render(
        [
            new Panel(Pick(cutout.Bands), linear, result.RemovedSources),
            new Panel(Pick(result.StarRemoved), linear),
            new Panel(Pick(result.Stretched.Select(s => s.Image).ToList()), PanelScaling.Unit),
        ]);
        File.WriteAllBytes(outPath, png);
        console.WriteLine($"{cutout.Source}: {result.RemovedSources.Count} sources removed; wrote {outPath} (input | star-removed | stretched)");
        return 0;
    }

    internal static int Bench(int size, int count, TextWriter console)
    {
        if (size < 32 || count < 1)
        {
            throw new CommandException("--size must be at least 32 and --count at least 1");
        }

        var cutouts = Enumerable.Range(1, count).Select(seed => SyntheticGalaxyGenerator.Generate(SyntheticGalaxyGenerator.RandomScene(seed, size), seed)).ToList();
        var withSize = new CutoutPreprocessor(new CutoutPreprocessorOptions { OutputSize = 69 });
        var knownFwhm = cutouts.Select(c => new CutoutPreprocessor(new CutoutPreprocessorOptions { OutputSize = 69, StarRemoval = { Finder = { Fwhm = c.Options.PsfFwhm } } })).ToList();
        Cutout Wrap(SyntheticCutout c) => new("synthetic", CutoutFormat.Fits, [c.Image], ["band 1"]);

        // Warm-up (JIT), then timed passes.
        for (int i = 0; i < Math.Min(5, count); i++)
        {
            withSize.Process(Wrap(cutouts[i]));
        }

        double Time(Func<int, object> run)
        {
            var times = new List<double>();
            for (int pass = 0; pass < 3; pass++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < count; i++)
                {
                    run(i);
                }

                times.Add(watch.Elapsed.TotalMilliseconds / count);
            }

            times.Sort();
            return times[1];
        }

        double estimated = Time(i => withSize.Process(Wrap(cutouts[i])));
        double given = Time(i => knownFwhm[i].Process(Wrap(cutouts[i])));
        double starFlux = 0, replaced = 0, galaxy = 0, change = 0;
        foreach (var c in cutouts)
        {
            var r = withSize.Process(Wrap(c));
            var score = StarRemovalScore.Measure(c, r.StarRemoved[0], r.RemovedSources);
            starFlux += score.StarFlux;
            replaced += score.StarFluxReplaced;
            galaxy += score.GalaxyFlux;
            change += score.GalaxyChange;
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} synthetic {size}x{size} cutouts (Sérsic galaxy + 1-6 stars), whole preprocessing to 69x69 on one thread:"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  FWHM estimated: {estimated:F2} ms per cutout"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  FWHM given:     {given:F2} ms per cutout"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  star flux removed {replaced / starFlux:P2}; galaxy flux change {change / galaxy:P3}"));
        return 0;
    }

    private static IReadOnlyList<string> LuminosityFeaturesNames() => Astro.Imaging.Features.LuminosityFeatures.Names;

    private static Cutout ReadCutout(string path)
    {
        if (!File.Exists(path))
        {
            throw new CommandException($"{path}: no such file");
        }

        try
        {
            return CutoutReader.Read(path);
        }
        catch (ImagingException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
    }

    private static CutoutPreprocessingResult Run(Cutout cutout, string? starsPath, int? size, double? fwhm, double? redshift)
    {
        var options = new CutoutPreprocessorOptions { OutputSize = size, Redshift = redshift };
        options.StarRemoval.Finder.Fwhm = fwhm;
        if (starsPath is not null)
        {
            options.StarRemoval.KnownStars = ReadStars(starsPath);
        }

        try
        {
            return new CutoutPreprocessor(options).Process(cutout);
        }
        catch (ImagingException e)
        {
            throw new CommandException(e.Message.ReplaceLineEndings(" "), e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CommandException($"{cutout.Source}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>Reads X, Y columns (0-based pixels) from a CSV with a header line.</summary>
    internal static IReadOnlyList<PixelPosition> ReadStars(string path)
    {
        if (!File.Exists(path))
        {
            throw new CommandException($"{path}: no such file");
        }

        string[] lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToArray();
        if (lines.Length == 0)
        {
            throw new CommandException($"{path}: empty star catalogue (expected a header line with X and Y)");
        }

        string[] header = lines[0].Split(',').Select(c => c.Trim().Trim('"').ToUpperInvariant()).ToArray();
        int xi = Array.IndexOf(header, "X");
        int yi = Array.IndexOf(header, "Y");
        if (xi < 0 || yi < 0)
        {
            throw new CommandException($"{path}: the star catalogue needs columns X and Y (0-based pixels); found {string.Join(", ", header)}");
        }

        var result = new List<PixelPosition>();
        for (int i = 1; i < lines.Length; i++)
        {
            string[] cells = lines[i].Split(',');
            if (cells.Length <= Math.Max(xi, yi)
                || !double.TryParse(cells[xi], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(cells[yi], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
            {
                throw new CommandException($"{path}: line {i + 1}: X and Y must be numbers");
            }

            result.Add(new PixelPosition(x, y));
        }

        return result;
    }

    private static Header CopyHeader(Header? source, bool wcs)
    {
        var header = new Header();
        if (source is null)
        {
            return header;
        }

        foreach (Card card in source)
        {
            if (card.IsCommentary || card.Keyword.Length == 0 || card.ParseError is not null)
            {
                continue;
            }

            bool isWcs = s_copiedPrefixes.Take(22).Any(p => card.Keyword.StartsWith(p, StringComparison.Ordinal));
            bool isOther = s_copiedPrefixes.Skip(22).Any(p => card.Keyword == p);
            if ((isWcs && wcs) || isOther)
            {
                header.Add(card);
            }
        }

        return header;
    }

    private static double[] Concatenate(IReadOnlyList<CutoutImage> images)
    {
        if (images.Count == 1)
        {
            return images[0].Pixels;
        }

        double[] all = new double[images.Sum(i => i.Pixels.Length)];
        int offset = 0;
        foreach (CutoutImage image in images)
        {
            image.Pixels.CopyTo(all, offset);
            offset += image.Pixels.Length;
        }

        return all;
    }
}
