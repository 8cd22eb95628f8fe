namespace Astro.Catalogs;

/// <summary>
/// Per-survey conventions for a photometric catalog: which columns hold the ID, the band fluxes or magnitudes and their
/// errors, in which units, which values are sentinels, where the redshift and the labels are, and how the text file is laid out.
/// </summary>
/// <remarks>
/// Profiles are JSON files (see <c>profiles/*.json</c>) loaded with <see cref="Load(string)"/> or <see cref="Parse(string, string?)"/>.
/// Loading validates the whole document and throws one <see cref="CatalogException"/> that lists every problem found.
/// Instances are immutable once loaded.
/// </remarks>
public sealed class SurveyProfile
{
    internal SurveyProfile()
    {
    }

    /// <summary>The profile format version (always <see cref="SurveyProfileVersion.V1"/> today).</summary>
    public SurveyProfileVersion FormatVersion { get; internal init; } = SurveyProfileVersion.V1;

    /// <summary>Short machine name, e.g. <c>dustpedia</c>.</summary>
    public string Name { get; internal init; } = "";

    /// <summary>Free text: where the catalog comes from and what its quirks are.</summary>
    public string Description { get; internal init; } = "";

    /// <summary>The column holding a source identifier, or <see langword="null"/> when the file has none (rows are then identified by line number).</summary>
    public string? IdColumn { get; internal init; }

    /// <summary>The photometric bands, in the order the models take them.</summary>
    public IReadOnlyList<BandDefinition> Bands { get; internal init; } = [];

    /// <summary>Sentinel values that apply to every band value column (a band may add its own).</summary>
    public IReadOnlyList<SentinelDefinition> Sentinels { get; internal init; } = [];

    /// <summary>The redshift column, or <see langword="null"/> when the catalog has none.</summary>
    public RedshiftDefinition? Redshift { get; internal init; }

    /// <summary>Regression labels (e.g. stellar mass, SFR, dust luminosity), in model output order.</summary>
    public IReadOnlyList<LabelDefinition> Labels { get; internal init; } = [];

    /// <summary>The classification label (e.g. STAR / GALAXY / QSO), or <see langword="null"/>.</summary>
    public ClassLabelDefinition? ClassLabel { get; internal init; }

    /// <summary>What the models of this profile take as input.</summary>
    public ModelInputDefinition Model { get; internal init; } = new();

    /// <summary>Text layout hints for what cannot be auto-detected.</summary>
    public CsvDialect Dialect { get; internal init; } = new();

    /// <summary>Secondary files joined to the main file on the ID, for columns the main file lacks (e.g. labels in another table).</summary>
    public IReadOnlyList<JoinDefinition> Joins { get; internal init; } = [];

    /// <summary>Loads and validates a profile from a JSON file.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The validated profile.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CatalogException">The document is not valid JSON or breaks one or more rules; the message lists all of them.</exception>
    public static SurveyProfile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates a profile from JSON text.</summary>
    /// <param name="json">The JSON document.</param>
    /// <param name="sourceName">A name for messages (usually the file path).</param>
    /// <returns>The validated profile.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="CatalogException">The document is not valid JSON or breaks one or more rules; the message lists all of them.</exception>
    public static SurveyProfile Parse(string json, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return SurveyProfileParser.Parse(json, sourceName ?? "survey profile");
    }

    /// <summary>True when a training target names the class label (its column, or "class") rather than a regression label.</summary>
    /// <param name="target">The target name given to training.</param>
    /// <returns>Whether the target is the classification label.</returns>
    public bool IsClassTarget(string target) =>
        ClassLabel is not null && Labels.All(l => !string.Equals(l.Name, target, StringComparison.OrdinalIgnoreCase)) &&
        (string.Equals(ClassLabel.Column, target, StringComparison.OrdinalIgnoreCase) || string.Equals(target, "class", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every column of the main file (or of a join) the profile needs, without duplicates.</summary>
    /// <returns>The column names, ID first.</returns>
    public IReadOnlyList<string> GetRequiredNumericColumns()
    {
        var list = new List<string>();
        void Add(string? c)
        {
            if (c is not null && !list.Contains(c, StringComparer.Ordinal))
            {
                list.Add(c);
            }
        }

        foreach (BandDefinition b in Bands)
        {
            Add(b.Column);
            Add(b.ErrorColumn);
        }

        Add(Redshift?.Column);
        foreach (LabelDefinition l in Labels)
        {
            Add(l.Column);
        }

        return list;
    }

    /// <summary>Every text (non-numeric) column the profile needs: the class label and band flag columns (the ID is separate).</summary>
    /// <returns>The column names.</returns>
    public IReadOnlyList<string> GetRequiredTextColumns()
    {
        var list = new List<string>();
        if (ClassLabel is not null)
        {
            list.Add(ClassLabel.Column);
        }

        foreach (BandDefinition b in Bands)
        {
            if (b.Flag is not null && !list.Contains(b.Flag.Column, StringComparer.Ordinal))
            {
                list.Add(b.Flag.Column);
            }
        }

        return list;
    }
}

/// <summary>One photometric band of a survey profile.</summary>
public sealed class BandDefinition
{
    internal BandDefinition()
    {
    }

    /// <summary>The band's name in the model (e.g. <c>FUV</c>, <c>W1</c>).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The column with the flux or magnitude.</summary>
    public string Column { get; internal init; } = "";

    /// <summary>The column with the 1-sigma error (same unit system), or <see langword="null"/>.</summary>
    public string? ErrorColumn { get; internal init; }

    /// <summary>The unit of <see cref="Column"/>.</summary>
    public PhotometryUnit Unit { get; internal init; }

    /// <summary>Zero point in Jy for magnitudes (<see langword="null"/> = AB, 3631 Jy).</summary>
    public double? ZeroPointJy { get; internal init; }

    /// <summary>The asinh softening parameter b (required for <see cref="PhotometryUnit.AsinhMagnitude"/>).</summary>
    public double? Softening { get; internal init; }

    /// <summary>Effective wavelength in µm, if known.</summary>
    public double? WavelengthMicrons { get; internal init; }

    /// <summary>Sentinels specific to this band (checked before the profile-wide ones).</summary>
    public IReadOnlyList<SentinelDefinition> Sentinels { get; internal init; } = [];

    /// <summary>A text flag column that marks limits (e.g. ALHAMBRA <c>l_F365W</c> = "&lt;"), or <see langword="null"/>.</summary>
    public FlagDefinition? Flag { get; internal init; }

    /// <summary>Whether the band is stored as a magnitude.</summary>
    public bool IsMagnitude => Unit is PhotometryUnit.ABMagnitude or PhotometryUnit.AsinhMagnitude;
}

/// <summary>A value that does not measure anything but encodes a condition.</summary>
public sealed class SentinelDefinition
{
    internal SentinelDefinition()
    {
    }

    /// <summary>The value (may be NaN or ±infinity; NaN matches any NaN).</summary>
    public double Value { get; internal init; }

    /// <summary>What the value means.</summary>
    public SentinelMeaning Meaning { get; internal init; }

    /// <summary>Whether <paramref name="x"/> is this sentinel.</summary>
    /// <param name="x">The raw value.</param>
    /// <returns><see langword="true"/> on a match.</returns>
    public bool Matches(double x) => double.IsNaN(Value) ? double.IsNaN(x) : x == Value;
}

/// <summary>A text column whose values flag a band's measurement.</summary>
public sealed class FlagDefinition
{
    internal FlagDefinition()
    {
    }

    /// <summary>The flag column.</summary>
    public string Column { get; internal init; } = "";

    /// <summary>Flag value (trimmed) → meaning. Values not listed mean "no condition".</summary>
    public IReadOnlyDictionary<string, SentinelMeaning> Values { get; internal init; } = new Dictionary<string, SentinelMeaning>();
}

/// <summary>The redshift column.</summary>
public sealed class RedshiftDefinition
{
    internal RedshiftDefinition()
    {
    }

    /// <summary>The column.</summary>
    public string Column { get; internal init; } = "";

    /// <summary>How it is stored.</summary>
    public RedshiftKind Kind { get; internal init; } = RedshiftKind.Redshift;
}

/// <summary>A regression label.</summary>
public sealed class LabelDefinition
{
    internal LabelDefinition()
    {
    }

    /// <summary>The label's name in the model (e.g. <c>logMstar</c>).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The column.</summary>
    public string Column { get; internal init; } = "";

    /// <summary>The physical unit of the linear quantity (e.g. <c>Msun</c>, <c>Msun/yr</c>, <c>Lsun</c>).</summary>
    public string? Unit { get; internal init; }

    /// <summary>The space the models are trained in (paper 000: <see cref="LabelTransform.Log10"/>).</summary>
    public LabelTransform Transform { get; internal init; } = LabelTransform.None;

    /// <summary>Whether the file already stores log10 of the quantity.</summary>
    public bool StoredAsLog10 { get; internal init; }

    /// <summary>Converts a stored value to the model space given by <see cref="Transform"/>.</summary>
    /// <param name="stored">The file's value.</param>
    /// <returns>The model-space value (NaN when undefined, e.g. log of a non-positive number).</returns>
    public double ToModelSpace(double stored)
    {
        bool wantLog = Transform == LabelTransform.Log10;
        if (wantLog == StoredAsLog10)
        {
            return stored;
        }

        if (wantLog)
        {
            return stored > 0 ? Math.Log10(stored) : double.NaN;
        }

        return Math.Pow(10, stored);
    }

    /// <summary>Converts a stored value to log10 of the linear quantity.</summary>
    /// <param name="stored">The file's value.</param>
    /// <returns>log10 of the quantity, NaN when undefined.</returns>
    public double ToLog10(double stored) => StoredAsLog10 ? stored : stored > 0 ? Math.Log10(stored) : double.NaN;
}

/// <summary>A classification label.</summary>
public sealed class ClassLabelDefinition
{
    internal ClassLabelDefinition()
    {
    }

    /// <summary>The text column.</summary>
    public string Column { get; internal init; } = "";

    /// <summary>The class names; a row's class index is the position of its (trimmed) value in this list.</summary>
    public IReadOnlyList<string> Classes { get; internal init; } = [];
}

/// <summary>What the models of a profile take as input.</summary>
public sealed class ModelInputDefinition
{
    internal ModelInputDefinition()
    {
    }

    /// <summary>The band representation. JSON: <c>"fluxMicroJansky"</c> or <c>"abMagnitude"</c>.</summary>
    public ModelInputRepresentation Representation { get; internal init; } = ModelInputRepresentation.FluxMicroJansky;

    /// <summary>Whether the redshift is appended as the last input (paper 000: 21 fluxes + z).</summary>
    public bool IncludeRedshift { get; internal init; }
}

/// <summary>Text layout hints. Everything is optional: <see langword="null"/> means auto-detect.</summary>
public sealed class CsvDialect
{
    /// <summary>The field delimiter: a single character, or <c>"whitespace"</c> for runs of blanks; <see langword="null"/> = detect.</summary>
    public string? Delimiter { get; init; }

    /// <summary>The delimiter of the header line when it differs from the rows (ANNZ: ';' over ','); <see langword="null"/> = detect.</summary>
    public string? HeaderDelimiter { get; init; }

    /// <summary>The comment prefix. Default <c>#</c>.</summary>
    public string CommentPrefix { get; init; } = "#";

    /// <summary>Where the header comes from. Default <see cref="HeaderMode.Auto"/>.</summary>
    public HeaderMode Header { get; init; } = HeaderMode.Auto;

    /// <summary>Column names for <see cref="HeaderMode.None"/>.</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Strip ROOT/ANNZ type prefixes such as <c>F:</c> or <c>D:</c> from header names. Default <see langword="false"/>.</summary>
    public bool StripTypePrefixes { get; init; }
}

/// <summary>A secondary file joined to the main file on the source ID.</summary>
public sealed class JoinDefinition
{
    internal JoinDefinition()
    {
    }

    /// <summary>The file, relative to the main file's folder.</summary>
    public string Path { get; internal init; } = "";

    /// <summary>The ID column in the joined file.</summary>
    public string IdColumn { get; internal init; } = "";

    /// <summary>The columns taken from the joined file.</summary>
    public IReadOnlyList<string> Columns { get; internal init; } = [];

    /// <summary>Layout hints for the joined file.</summary>
    public CsvDialect Dialect { get; internal init; } = new();
}
