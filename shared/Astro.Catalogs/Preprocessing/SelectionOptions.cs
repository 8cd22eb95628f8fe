namespace Astro.Catalogs.Preprocessing;

/// <summary>What happens to a row with one or more missing bands.</summary>
public enum MissingBandPolicy
{
    /// <summary>Drop the row (paper 000: "drop galaxies with any missing flux").</summary>
    Drop = 1,

    /// <summary>Keep the row, write <see cref="SelectionOptions.MissingFillValue"/> for the missing bands, mark them in the mask and flag the row, so a model trained with band dropout can predict it.</summary>
    KeepAndFlag,
}

/// <summary>How saturated and not-detected sentinels (and limit flags) are used.</summary>
public enum SentinelHandling
{
    /// <summary>They make the band missing (paper 000 style).</summary>
    TreatAsMissing = 1,

    /// <summary>Paper 001: saturated becomes the bright end of the magnitude range, not detected the faint end, and every magnitude is clipped to [<see cref="SelectionOptions.MagnitudeClipMin"/>, <see cref="SelectionOptions.MagnitudeClipMax"/>].</summary>
    ClipToRange,
}

/// <summary>The documented defaults of <see cref="SelectionOptions"/>: paper 000's selection (Surana et al. 2020).</summary>
public static class SelectionDefaults
{
    /// <summary>Redshift lower bound, exclusive: 0.</summary>
    public const double MinRedshiftExclusive = 0.0;

    /// <summary>Redshift upper bound, inclusive: 0.5.</summary>
    public const double MaxRedshift = 0.5;

    /// <summary>The label holding the stellar mass: <c>logMstar</c>.</summary>
    public const string StellarMassLabel = "logMstar";

    /// <summary>Minimum log10 stellar mass (M* ≥ 1e9 Msun): 9.</summary>
    public const double MinLog10StellarMass = 9.0;

    /// <summary>Minimum signal-to-noise for a band to count as well measured: 3.</summary>
    public const double MinSignalToNoise = 3.0;

    /// <summary>Minimum number of bands with SNR ≥ <see cref="MinSignalToNoise"/>: 6.</summary>
    public const int MinHighSnrBands = 6;

    /// <summary>Missing bands drop the row.</summary>
    public const MissingBandPolicy MissingBands = MissingBandPolicy.Drop;

    /// <summary>Fill value for missing bands under <see cref="MissingBandPolicy.KeepAndFlag"/>: 0.</summary>
    public const float MissingFillValue = 0f;

    /// <summary>Paper 001's magnitude range: 0 to 27.</summary>
    public const double MagnitudeClipMin = 0.0;

    /// <summary>Paper 001's magnitude range: 0 to 27.</summary>
    public const double MagnitudeClipMax = 27.0;
}

/// <summary>
/// The sample selection and input preparation of <see cref="CatalogPreprocessor"/>. <c>new SelectionOptions()</c> is paper
/// 000's selection; <see cref="CreatePaper001"/> is paper 001's sentinel clipping. A <see langword="null"/> threshold disables its cut.
/// </summary>
/// <remarks>Cuts are applied in this order and a dropped row is counted under the first cut it fails: redshift, stellar mass, labels, class, missing bands, negative flux, SNR.</remarks>
public sealed class SelectionOptions
{
    /// <summary>Rows need z greater than this.</summary>
    /// <value>The default value is 0 (<see cref="SelectionDefaults.MinRedshiftExclusive"/>); <see langword="null"/> disables the lower bound.</value>
    public double? MinRedshiftExclusive { get; set; } = SelectionDefaults.MinRedshiftExclusive;

    /// <summary>Rows need z at most this.</summary>
    /// <value>The default value is 0.5 (<see cref="SelectionDefaults.MaxRedshift"/>); <see langword="null"/> disables the upper bound.</value>
    public double? MaxRedshift { get; set; } = SelectionDefaults.MaxRedshift;

    /// <summary>The profile label holding the stellar mass.</summary>
    /// <value>The default value is <c>logMstar</c>. Ignored when <see cref="MinLog10StellarMass"/> is <see langword="null"/>.</value>
    public string StellarMassLabel { get; set; } = SelectionDefaults.StellarMassLabel;

    /// <summary>Rows need log10(M*/Msun) at least this (compared in log10 whatever the label's storage).</summary>
    /// <value>The default value is 9 (<see cref="SelectionDefaults.MinLog10StellarMass"/>); <see langword="null"/> disables the cut.</value>
    public double? MinLog10StellarMass { get; set; } = SelectionDefaults.MinLog10StellarMass;

    /// <summary>Drop rows whose labels (or class) are missing, so every kept row can be trained on.</summary>
    /// <value>The default value is <see langword="true"/>. Set <see langword="false"/> for prediction-only catalogs.</value>
    public bool DropRowsWithMissingLabels { get; set; } = true;

    /// <summary>What to do with rows with missing bands.</summary>
    /// <value>The default value is <see cref="MissingBandPolicy.Drop"/>.</value>
    public MissingBandPolicy MissingBandPolicy { get; set; } = SelectionDefaults.MissingBands;

    /// <summary>The input written for a missing band under <see cref="MissingBandPolicy.KeepAndFlag"/>.</summary>
    /// <value>The default value is 0.</value>
    public float MissingFillValue { get; set; } = SelectionDefaults.MissingFillValue;

    /// <summary>Drop rows with any negative flux (paper 000). When <see langword="false"/>, negative fluxes are kept in flux representation and count as missing in magnitude representation.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool DropNegativeFlux { get; set; } = true;

    /// <summary>The SNR (flux / error) a band needs to count towards <see cref="MinHighSnrBands"/>.</summary>
    /// <value>The default value is 3.</value>
    public double MinSignalToNoise { get; set; } = SelectionDefaults.MinSignalToNoise;

    /// <summary>Rows need at least this many bands with SNR ≥ <see cref="MinSignalToNoise"/>; bands without an error column never count.</summary>
    /// <value>The default value is 6; <see langword="null"/> disables the cut.</value>
    public int? MinHighSnrBands { get; set; } = SelectionDefaults.MinHighSnrBands;

    /// <summary>How saturated / not-detected sentinels and flags are used.</summary>
    /// <value>The default value is <see cref="SentinelHandling.TreatAsMissing"/>.</value>
    public SentinelHandling SentinelHandling { get; set; } = SentinelHandling.TreatAsMissing;

    /// <summary>Bright end of the magnitude range under <see cref="SentinelHandling.ClipToRange"/>.</summary>
    /// <value>The default value is 0. Ignored with <see cref="SentinelHandling.TreatAsMissing"/>.</value>
    public double MagnitudeClipMin { get; set; } = SelectionDefaults.MagnitudeClipMin;

    /// <summary>Faint end of the magnitude range under <see cref="SentinelHandling.ClipToRange"/>.</summary>
    /// <value>The default value is 27. Ignored with <see cref="SentinelHandling.TreatAsMissing"/>.</value>
    public double MagnitudeClipMax { get; set; } = SelectionDefaults.MagnitudeClipMax;

    /// <summary>Paper 001's preparation: no redshift, mass or SNR cuts; -99 (saturated) and 99 (not detected) clipped into [0, 27].</summary>
    /// <returns>New options.</returns>
    public static SelectionOptions CreatePaper001() => new()
    {
        MinRedshiftExclusive = null,
        MaxRedshift = null,
        MinLog10StellarMass = null,
        MinHighSnrBands = null,
        DropNegativeFlux = false,
        SentinelHandling = SentinelHandling.ClipToRange,
    };

    /// <summary>Options with every cut disabled: nothing is dropped except rows whose bands are missing under <see cref="MissingBandPolicy.Drop"/>.</summary>
    /// <returns>New options.</returns>
    public static SelectionOptions CreateNoCuts() => new()
    {
        MinRedshiftExclusive = null,
        MaxRedshift = null,
        MinLog10StellarMass = null,
        MinHighSnrBands = null,
        DropNegativeFlux = false,
        DropRowsWithMissingLabels = false,
    };

    /// <summary>
    /// The selection a training run uses, by preset name (<c>paper000</c>, <c>paper001</c> or <c>none</c>), adapted to
    /// what the profile has: no redshift cut without a redshift, no mass cut without a stellar-mass label, no S/N band
    /// count above the bands that have errors; for a class target no redshift or mass cut (they select galaxies and would
    /// decide the class before the classifier does); rows with missing bands kept when <paramref name="keepMissingBands"/>.
    /// </summary>
    /// <param name="profile">The survey profile.</param>
    /// <param name="preset">paper000, paper001 or none (case-insensitive).</param>
    /// <param name="keepMissingBands">True when the model is trained with band dropout.</param>
    /// <param name="classTarget">True when the target is the profile's class label.</param>
    /// <returns>New options.</returns>
    /// <exception cref="ArgumentException">The preset is unknown.</exception>
    public static SelectionOptions ForTraining(SurveyProfile profile, string preset, bool keepMissingBands, bool classTarget)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(preset);
        SelectionOptions s = preset.ToLowerInvariant() switch
        {
            "paper000" => new SelectionOptions(),
            "paper001" => CreatePaper001(),
            "none" => CreateNoCuts(),
            _ => throw new ArgumentException($"unknown selection '{preset}' (use paper000, paper001 or none)", nameof(preset)),
        };

        if (profile.Redshift is null || classTarget)
        {
            s.MinRedshiftExclusive = null;
            s.MaxRedshift = null;
        }

        if (s.MinLog10StellarMass is not null && (classTarget || profile.Labels.All(l => l.Name != s.StellarMassLabel)))
        {
            s.MinLog10StellarMass = null;
        }

        if (s.MinHighSnrBands is int k && k > profile.Bands.Count(b => b.ErrorColumn is not null))
        {
            s.MinHighSnrBands = null;
        }

        if (keepMissingBands)
        {
            s.MissingBandPolicy = MissingBandPolicy.KeepAndFlag;
        }

        return s;
    }

    internal SelectionOptions Clone() => (SelectionOptions)MemberwiseClone();

    internal List<string> Validate(SurveyProfile profile)
    {
        var e = new List<string>();
        if (MinRedshiftExclusive is double zmin && MaxRedshift is double zmax && zmin >= zmax)
        {
            e.Add($"MinRedshiftExclusive ({zmin}) must be below MaxRedshift ({zmax})");
        }

        if ((MinRedshiftExclusive is not null || MaxRedshift is not null) && profile.Redshift is null)
        {
            e.Add($"a redshift cut is set but profile '{profile.Name}' has no redshift column (set MinRedshiftExclusive and MaxRedshift to null)");
        }

        if (MinLog10StellarMass is not null && profile.Labels.All(l => l.Name != StellarMassLabel))
        {
            e.Add($"MinLog10StellarMass is set but profile '{profile.Name}' has no label '{StellarMassLabel}' (labels: {string.Join(", ", profile.Labels.Select(l => l.Name))}; set MinLog10StellarMass to null to disable the cut)");
        }

        if (MinHighSnrBands is int k)
        {
            int withErrors = profile.Bands.Count(b => b.ErrorColumn is not null);
            if (k < 0)
            {
                e.Add($"MinHighSnrBands ({k}) must not be negative");
            }
            else if (k > withErrors)
            {
                e.Add($"MinHighSnrBands ({k}) exceeds the {withErrors} bands of profile '{profile.Name}' that have an error column (set it to null to disable the SNR cut)");
            }
        }

        if (!double.IsFinite(MinSignalToNoise) || MinSignalToNoise < 0)
        {
            e.Add($"MinSignalToNoise ({MinSignalToNoise}) must be a finite non-negative number");
        }

        if (!Enum.IsDefined(MissingBandPolicy))
        {
            e.Add($"MissingBandPolicy ({(int)MissingBandPolicy}) is not defined");
        }

        if (!Enum.IsDefined(SentinelHandling))
        {
            e.Add($"SentinelHandling ({(int)SentinelHandling}) is not defined");
        }

        if (SentinelHandling == SentinelHandling.ClipToRange && !(MagnitudeClipMin < MagnitudeClipMax))
        {
            e.Add($"MagnitudeClipMin ({MagnitudeClipMin}) must be below MagnitudeClipMax ({MagnitudeClipMax})");
        }

        if (!float.IsFinite(MissingFillValue))
        {
            e.Add("MissingFillValue must be finite");
        }

        return e;
    }
}
