namespace Astro.Catalogs;

/// <summary>The version of the survey profile file format. Values start at 1 so that a missing or zero version is rejected.</summary>
public enum SurveyProfileVersion
{
    /// <summary>The first profile format.</summary>
    V1 = 1,
}

/// <summary>The unit a band's value column is stored in.</summary>
public enum PhotometryUnit
{
    /// <summary>Flux density in jansky.</summary>
    Jansky = 1,

    /// <summary>Flux density in millijansky.</summary>
    MilliJansky,

    /// <summary>Flux density in microjansky (also accepted as "µJy").</summary>
    MicroJansky,

    /// <summary>SDSS nanomaggies: 1 nmgy = 3.631 µJy (AB).</summary>
    Nanomaggies,

    /// <summary>Pogson magnitude; AB when <see cref="BandDefinition.ZeroPointJy"/> is absent (3631 Jy).</summary>
    ABMagnitude,

    /// <summary>SDSS asinh magnitude ("luptitude"); needs <see cref="BandDefinition.Softening"/> (b).</summary>
    AsinhMagnitude,
}

/// <summary>What a sentinel value (or a flag) says about a measurement.</summary>
public enum SentinelMeaning
{
    /// <summary>The source was not observed in the band (no data).</summary>
    NotObserved = 1,

    /// <summary>Observed but not detected (an upper limit at best).</summary>
    NotDetected,

    /// <summary>Saturated: brighter than the detector can measure.</summary>
    Saturated,
}

/// <summary>The representation the models of a profile take their band inputs in.</summary>
public enum ModelInputRepresentation
{
    /// <summary>Flux density in microjansky (paper 000 feeds fluxes).</summary>
    FluxMicroJansky = 1,

    /// <summary>AB magnitudes (paper 001 feeds magnitudes).</summary>
    ABMagnitude,
}

/// <summary>The space a label is stored in, or the space a model is trained in.</summary>
public enum LabelTransform
{
    /// <summary>Linear values.</summary>
    None = 1,

    /// <summary>Base-10 logarithm.</summary>
    Log10,
}

/// <summary>How the redshift column is stored.</summary>
public enum RedshiftKind
{
    /// <summary>Dimensionless redshift z.</summary>
    Redshift = 1,

    /// <summary>Recession velocity cz in km/s; z = v / c.</summary>
    VelocityKmPerSecond,
}

/// <summary>Where the column names of a text catalog come from.</summary>
public enum HeaderMode
{
    /// <summary>Detect: the last comment line right above the data whose field count matches the rows, else the first line if it is not numeric.</summary>
    Auto = 1,

    /// <summary>The first non-blank, non-comment line.</summary>
    FirstLine,

    /// <summary>The last comment line before the first data line (comment prefix removed).</summary>
    LastCommentLine,

    /// <summary>No header: <see cref="CsvDialect.ColumnNames"/> gives the names.</summary>
    None,
}
