using System.Globalization;
using Astro.Contract.Packaging;
using Astro.Imaging;
using Astro.Imaging.IO;
using Astro.Imaging.ModelInput;
using Astro.Imaging.Models;

namespace Astro.Ml.Images;

/// <summary>Which part of the data a sample belongs to.</summary>
public enum ImageSplit
{
    /// <summary>Not assigned yet (the trainer draws a seeded split).</summary>
    Unassigned = 0,

    /// <summary>Training.</summary>
    Train = 1,

    /// <summary>Validation (model selection).</summary>
    Validation = 2,

    /// <summary>Test (reported only).</summary>
    Test = 3,
}

/// <summary>What the image models learn: one or more regression columns, or answer probabilities from vote-fraction columns.</summary>
public sealed class ImageTarget
{
    private ImageTarget(string name, ImageHeadKind kind, IReadOnlyList<string> outputs, AnswerTree? tree)
    {
        Name = name;
        Kind = kind;
        Outputs = outputs;
        Tree = tree;
    }

    /// <summary>Gets the target's name (a column, or the answer tree's name).</summary>
    public string Name { get; }

    /// <summary>Gets the head kind.</summary>
    public ImageHeadKind Kind { get; }

    /// <summary>Gets the output column names.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Gets the answer tree (answer probabilities only).</summary>
    public AnswerTree? Tree { get; }

    /// <summary>Gets or initialises the column of per-row label errors (regression), or null for a constant error.</summary>
    public string? ErrorColumn { get; init; }

    /// <summary>Gets or initialises the error used for labels without one (regression; paper 003's floor of 5 % of the value still applies).</summary>
    public double ConstantError { get; init; } = 0.1;

    /// <summary>A regression on one column.</summary>
    public static ImageTarget Regression(string column, string? errorColumn = null, double constantError = 0.1) =>
        new(column, ImageHeadKind.Regression, [column], null) { ErrorColumn = errorColumn, ConstantError = constantError };

    /// <summary>
    /// Answer probabilities of the zoobot ring example data: columns <c>smooth-or-featured_featured-or-disk_fraction</c>,
    /// <c>disk-edge-on_no_fraction</c> and <c>has-spiral-arms_no_fraction</c> (volunteer vote fractions, conditional on the
    /// question being asked) become the 6 unconditional probabilities of <see cref="AnswerTree.DecalsRings"/>.
    /// </summary>
    public static ImageTarget DecalsRings() => new("gz-decals-rings", ImageHeadKind.AnswerProbabilities, AnswerTree.DecalsRings.AnswerNames, AnswerTree.DecalsRings);

    /// <summary>Parses a command-line target: <c>gz-decals-rings</c>, or a column name.</summary>
    public static ImageTarget Parse(string text, string? errorColumn = null, double constantError = 0.1)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return text.Equals("gz-decals-rings", StringComparison.OrdinalIgnoreCase) ? DecalsRings() : Regression(text, errorColumn, constantError);
    }

    internal (double[] Values, double[] Errors) Read(IReadOnlyDictionary<string, string> row, string where)
    {
        if (Kind == ImageHeadKind.Regression)
        {
            double value = Number(row, Name, where);
            double error = ErrorColumn is null ? ConstantError : Number(row, ErrorColumn, where);
            return ([value], [error]);
        }

        double featured = Fraction(row, "smooth-or-featured_featured-or-disk_fraction", where);
        double notEdgeOn = Fraction(row, "disk-edge-on_no_fraction", where);
        double noSpiral = Fraction(row, "has-spiral-arms_no_fraction", where);
        double[] conditional = [featured, 1 - featured, 1 - notEdgeOn, notEdgeOn, 1 - noSpiral, noSpiral];
        double[] unconditional = Tree!.ToUnconditional(conditional);
        return (unconditional, [.. unconditional.Select(_ => 1.0)]);
    }

    private static double Fraction(IReadOnlyDictionary<string, string> row, string column, string where)
    {
        double value = Number(row, column, where);
        if (value is < 0 or > 1)
        {
            throw new ImageDataException($"{where}: {column} = {value} is not a fraction in [0, 1]");
        }

        return value;
    }

    private static double Number(IReadOnlyDictionary<string, string> row, string column, string where)
    {
        if (!row.TryGetValue(column, out string? text))
        {
            throw new ImageDataException($"{where}: no column '{column}'");
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw new ImageDataException($"{where}: {column} = '{text}' is not a finite number");
        }

        return value;
    }
}

/// <summary>A problem with image training data or a cutout; the message names the file.</summary>
public sealed class ImageDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One labelled cutout.</summary>
/// <param name="Id">The object's identifier.</param>
/// <param name="Path">The image file.</param>
/// <param name="Targets">The target values (model space).</param>
/// <param name="Errors">The label errors.</param>
/// <param name="Redshift">The redshift, or NaN.</param>
/// <param name="Split">The given split, or <see cref="ImageSplit.Unassigned"/>.</param>
public sealed record ImageSample(string Id, string Path, double[] Targets, double[] Errors, double Redshift, ImageSplit Split)
{
    /// <summary>Gets the catalogue row as read (column → text), for extra columns such as a second-stage target.</summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Labelled cutouts preprocessed into network inputs (<c>[bands, size, size]</c> floats) and paper 003's luminosity
/// features, ready for <see cref="ImageTrainer"/>.
/// </summary>
public sealed class ImageDataset
{
    private ImageDataset(IReadOnlyList<ImageSample> samples, ImageTarget target, ImageInputInfo input, float[] pixels, float[] luminosity, IReadOnlyList<string> luminosityNames, IReadOnlyList<string> files)
    {
        Samples = samples;
        Target = target;
        Input = input;
        Pixels = pixels;
        Luminosity = luminosity;
        LuminosityNames = luminosityNames;
        Files = files;
    }

    /// <summary>Gets the samples.</summary>
    public IReadOnlyList<ImageSample> Samples { get; }

    /// <summary>Creates a dataset from arrays already prepared (synthetic data, tests).</summary>
    /// <exception cref="ArgumentException">The arrays do not match the samples.</exception>
    public static ImageDataset Create(IReadOnlyList<ImageSample> samples, ImageTarget target, ImageInputInfo input, float[] pixels, float[] luminosity, IReadOnlyList<string> luminosityNames)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(luminosity);
        ArgumentNullException.ThrowIfNull(luminosityNames);
        if (pixels.Length != samples.Count * input.Bands.Count * input.Size * input.Size || luminosity.Length != samples.Count * luminosityNames.Count)
        {
            throw new ArgumentException("The pixel or luminosity arrays do not match the samples.");
        }

        return new ImageDataset(samples, target, input, pixels, luminosity, luminosityNames, []);
    }

    /// <summary>Gets the target.</summary>
    public ImageTarget Target { get; }

    /// <summary>Gets the preprocessing.</summary>
    public ImageInputInfo Input { get; }

    /// <summary>Gets the network inputs, <c>Count × bands × size × size</c>.</summary>
    public float[] Pixels { get; }

    /// <summary>Gets the luminosity features, <c>Count × LuminosityNames.Count</c> (NaN where undefined).</summary>
    public float[] Luminosity { get; }

    /// <summary>Gets the luminosity features' names (<c>BAND:name</c>, then <c>redshift</c>, <c>kpc_per_pixel</c>).</summary>
    public IReadOnlyList<string> LuminosityNames { get; }

    /// <summary>Gets the catalogue files read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the number of samples.</summary>
    public int Count => Samples.Count;

    /// <summary>Gets the floats per sample.</summary>
    public int SampleSize => Input.Bands.Count * Input.Size * Input.Size;

    /// <summary>
    /// Reads samples from a folder laid out like jwuphysics/convnet-demo (<c>catalogs/train.csv</c>, <c>catalogs/test.csv</c>,
    /// <c>train/&lt;id&gt;.jpg</c>, <c>test/&lt;id&gt;.jpg</c>; the split is taken from the layout) or from one CSV with an image
    /// column (<c>local_png_loc</c>, <c>path</c>, <c>file</c> or <c>image</c>, relative to the CSV) or an id column
    /// (<c>objID</c>, <c>id</c>, <c>iauname</c>) whose images are <c>&lt;id&gt;.jpg/.png/.fits</c> next to the CSV or in
    /// <c>images/</c>. An optional <c>split</c> column (train/validation/test) fixes the split.
    /// </summary>
    /// <exception cref="ImageDataException">Missing files or columns, or unreadable values; the message names the file.</exception>
    public static (IReadOnlyList<ImageSample> Samples, IReadOnlyList<string> Files) ReadSamples(string dataPath, ImageTarget target, string? redshiftColumn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataPath);
        ArgumentNullException.ThrowIfNull(target);
        var samples = new List<ImageSample>();
        var files = new List<string>();
        if (Directory.Exists(dataPath))
        {
            string catalogs = Path.Combine(dataPath, "catalogs");
            string[] splits = ["train", "validation", "test"];
            foreach (string split in splits)
            {
                string csv = Path.Combine(catalogs, split + ".csv");
                if (File.Exists(csv))
                {
                    files.Add(csv);
                    ReadCsv(csv, target, redshiftColumn, Path.Combine(dataPath, split), ParseSplit(split, csv), samples);
                }
            }

            if (files.Count == 0)
            {
                throw new ImageDataException($"{dataPath}: no catalogs/train.csv or catalogs/test.csv (pass a CSV instead)");
            }
        }
        else if (File.Exists(dataPath))
        {
            files.Add(dataPath);
            ReadCsv(dataPath, target, redshiftColumn, null, ImageSplit.Unassigned, samples);
        }
        else
        {
            throw new ImageDataException($"{dataPath}: no such file or folder");
        }

        if (samples.Count == 0)
        {
            throw new ImageDataException($"{dataPath}: no samples");
        }

        return (samples, files);
    }

    /// <summary>Preprocesses the samples' images (in parallel; the result does not depend on the thread count).</summary>
    /// <exception cref="ImageDataException">An image cannot be read or preprocessed; the message names it.</exception>
    public static ImageDataset Load(IReadOnlyList<ImageSample> samples, IReadOnlyList<string> files, ImageTarget target, ImageInputInfo input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(input);
        int sampleSize = input.Bands.Count * input.Size * input.Size;
        var pixels = new float[samples.Count * sampleSize];
        IReadOnlyList<string> names = ImagePreprocessing.LuminosityNames(input);
        var luminosity = new float[samples.Count * names.Count];
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) };
        Parallel.For(0, samples.Count, options, i =>
        {
            (float[] x, float[] f) = ImagePreprocessing.Prepare(samples[i].Path, input, samples[i].Redshift);
            x.CopyTo(pixels, i * sampleSize);
            f.CopyTo(luminosity, i * names.Count);
        });

        return new ImageDataset(samples, target, input, pixels, luminosity, names, files);
    }

    private static ImageSplit ParseSplit(string text, string where) => text.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => ImageSplit.Train,
        "validation" or "valid" or "val" => ImageSplit.Validation,
        "test" => ImageSplit.Test,
        "" => ImageSplit.Unassigned,
        _ => throw new ImageDataException($"{where}: split '{text}' is not train, validation or test"),
    };

    private static void ReadCsv(string csv, ImageTarget target, string? redshiftColumn, string? imageFolder, ImageSplit split, List<ImageSample> samples)
    {
        string[] lines = File.ReadAllLines(csv);
        if (lines.Length < 2)
        {
            throw new ImageDataException($"{csv}: no rows");
        }

        string[] header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        string? pathColumn = new[] { "local_png_loc", "path", "file", "image" }.FirstOrDefault(c => header.Contains(c));
        string? idColumn = new[] { "objID", "objid", "id", "iauname" }.FirstOrDefault(c => header.Contains(c));
        if (pathColumn is null && idColumn is null)
        {
            throw new ImageDataException($"{csv}: no image column (local_png_loc, path, file, image) and no id column (objID, id, iauname)");
        }

        string baseDir = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        for (int l = 1; l < lines.Length; l++)
        {
            if (string.IsNullOrWhiteSpace(lines[l]))
            {
                continue;
            }

            string where = $"{csv} line {l + 1}";
            string[] cells = lines[l].Split(',');
            if (cells.Length != header.Length)
            {
                throw new ImageDataException($"{where}: {cells.Length} fields, the header has {header.Length}");
            }

            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < header.Length; c++)
            {
                row[header[c]] = cells[c].Trim();
            }

            string id = idColumn is not null ? row[idColumn] : Path.GetFileNameWithoutExtension(row[pathColumn!]);
            string path = pathColumn is not null ? Path.Combine(baseDir, row[pathColumn]) : FindImage(id, imageFolder is null ? [baseDir, Path.Combine(baseDir, "images")] : [imageFolder], where);
            if (!File.Exists(path))
            {
                throw new ImageDataException($"{where}: image {path} not found");
            }

            (double[] values, double[] errors) = target.Read(row, where);
            double z = double.NaN;
            if (redshiftColumn is not null)
            {
                if (!row.TryGetValue(redshiftColumn, out string? zText))
                {
                    throw new ImageDataException($"{where}: no column '{redshiftColumn}'");
                }

                z = double.TryParse(zText, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : double.NaN;
            }

            ImageSplit rowSplit = row.TryGetValue("split", out string? s) ? ParseSplit(s, where) : split;
            samples.Add(new ImageSample(id, path, values, errors, z, rowSplit) { Columns = row });
        }
    }

    private static string FindImage(string id, string[] folders, string where)
    {
        foreach (string folder in folders)
        {
            foreach (string ext in new[] { ".jpg", ".jpeg", ".png", ".fits", ".fits.gz", ".fit" })
            {
                string candidate = Path.Combine(folder, id + ext);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new ImageDataException($"{where}: no image {id}.jpg/.png/.fits in {string.Join(" or ", folders)}");
    }
}

/// <summary>
/// Turns a cutout into a network input and paper 003's luminosity features, as <see cref="ImageInputInfo"/> says. A thin
/// wrapper over the serving side's <see cref="ImageInputPreprocessor"/> (one implementation for training and serving) that
/// reports problems as <see cref="ImageDataException"/>.
/// </summary>
public static class ImagePreprocessing
{
    /// <summary>The stretch of 8-bit colour composites: values divided by 255.</summary>
    public const string Rgb8 = ImageInputPreprocessor.Rgb8;

    /// <summary>Paper 003's per-band log stretch.</summary>
    public const string Log003 = ImageInputPreprocessor.Log003;

    /// <summary>The resampling mode written into manifests.</summary>
    public const string Resampling = ImageInputPreprocessor.Resampling;

    /// <summary>The luminosity feature names for an input description.</summary>
    public static IReadOnlyList<string> LuminosityNames(ImageInputInfo input) => ImageInputPreprocessor.LuminosityNames(input);

    /// <summary>Reads and prepares one file.</summary>
    /// <exception cref="ImageDataException">The file cannot be read or used; the message names it.</exception>
    public static (float[] Input, float[] Luminosity) Prepare(string path, ImageInputInfo input, double redshift) =>
        Prepare(Read(path), input, redshift);

    /// <summary>Reads a cutout file.</summary>
    /// <exception cref="ImageDataException">The file cannot be read; the message names it.</exception>
    public static Cutout Read(string path)
    {
        try
        {
            return CutoutReader.Read(path);
        }
        catch (Exception e) when (e is ImagingException or IOException)
        {
            throw new ImageDataException(e.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}", e);
        }
    }

    /// <summary>Prepares one cutout.</summary>
    /// <exception cref="ImageDataException">The cutout cannot be used (wrong band count, all NaN, constant …).</exception>
    public static (float[] Input, float[] Luminosity) Prepare(Cutout cutout, ImageInputInfo input, double redshift)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            PreparedImageInput prepared = ImageInputPreprocessor.Prepare(cutout, input, redshift);
            return (prepared.Pixels, prepared.Luminosity);
        }
        catch (ImageInputException e)
        {
            throw new ImageDataException(e.Message, e);
        }
    }
}
