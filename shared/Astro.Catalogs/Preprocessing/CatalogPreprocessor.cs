using System.Globalization;
using Astro.Catalogs.Models;

namespace Astro.Catalogs.Preprocessing;

/// <summary>
/// Turns catalog chunks into model inputs: unit conversion, sentinel handling, paper 000's sample selection or paper
/// 001's clipping, and a count of every dropped row by reason.
/// </summary>
public class CatalogPreprocessor
{
    private const double SpeedOfLightKmPerS = 299_792.458;

    private readonly SurveyProfile _profile = null!;
    private readonly SelectionOptions _options = null!;
    private readonly LabelDefinition? _massLabel;
    private readonly SentinelDefinition[][] _bandSentinels = [];
    private readonly SentinelDefinition[] _globalSentinels = [];
    private readonly string[] _bandNames = [];

    // Fast path (fluxes in linear units, no sentinels, no flags, no clipping): µJy = stored value × factor, for values and errors alike.
    private readonly double[]? _linearFactors;

    /// <summary>For mocking only.</summary>
    protected CatalogPreprocessor()
    {
    }

    /// <summary>Creates a preprocessor with paper 000's selection.</summary>
    /// <param name="profile">The profile.</param>
    /// <exception cref="CatalogException">The default selection does not fit the profile (e.g. no redshift column); all problems listed.</exception>
    public CatalogPreprocessor(SurveyProfile profile)
        : this(profile, new SelectionOptions())
    {
    }

    /// <summary>Creates a preprocessor.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="options">The selection (copied; later changes are not seen).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CatalogException">The options are inconsistent or do not fit the profile; all problems listed.</exception>
    public CatalogPreprocessor(SurveyProfile profile, SelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = options.Validate(profile);
        if (errors.Count > 0)
        {
            throw CatalogException.ForErrors("Invalid SelectionOptions", errors, profile.Name);
        }

        _profile = profile;
        _options = options.Clone();
        _massLabel = _options.MinLog10StellarMass is null ? null : profile.Labels.First(l => l.Name == _options.StellarMassLabel);
        Report = new SelectionReport();
        _bandSentinels = profile.Bands.Select(b => b.Sentinels.ToArray()).ToArray();
        _globalSentinels = profile.Sentinels.ToArray();
        _bandNames = [.. profile.Bands.Select(b => b.Name)];
        _linearFactors = LinearFactors(profile, _options, _bandSentinels, _globalSentinels);
    }

    /// <summary>The running total over every chunk processed.</summary>
    public virtual SelectionReport Report { get; } = null!;

    /// <summary>The input names: bands, then <c>z</c> when the model takes the redshift.</summary>
    public virtual IReadOnlyList<string> FeatureNames => [.. _profile.Bands.Select(b => b.Name), .. _profile.Model.IncludeRedshift ? new[] { "z" } : []];

    /// <summary>Processes one chunk.</summary>
    /// <param name="chunk">Rows read with the same profile.</param>
    /// <returns>The kept rows as model inputs and every row's status.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chunk"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">The chunk lacks a column of the profile.</exception>
    public virtual PreprocessedChunk Process(CatalogChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        SurveyProfile p = _profile;
        SelectionOptions o = _options;
        int n = chunk.RowCount;
        int nb = p.Bands.Count;
        bool magnitudes = p.Model.Representation == ModelInputRepresentation.ABMagnitude;
        int nf = nb + (p.Model.IncludeRedshift ? 1 : 0);
        int nl = p.Labels.Count;

        double[][] values = p.Bands.Select(b => chunk.GetColumn(b.Column)).ToArray();
        double[]?[] errors = p.Bands.Select(b => b.ErrorColumn is null ? null : chunk.GetColumn(b.ErrorColumn)).ToArray();
        string[]?[] flags = p.Bands.Select(b => b.Flag is null ? null : chunk.GetTextColumn(b.Flag.Column)).ToArray();
        double[]? z = p.Redshift is null ? null : chunk.GetColumn(p.Redshift.Column);
        double[][] labels = p.Labels.Select(l => chunk.GetColumn(l.Column)).ToArray();
        double[]? mass = _massLabel is null ? null : chunk.GetColumn(_massLabel.Column);
        string[]? classes = p.ClassLabel is null ? null : chunk.GetTextColumn(p.ClassLabel.Column);
        bool needZ = o.MinRedshiftExclusive is not null || o.MaxRedshift is not null || p.Model.IncludeRedshift;

        var features = new float[n * nf];
        var mask = new byte[n * nb];
        var outLabels = new float[n * nl];
        int[]? classIdx = classes is null ? null : new int[n];
        var ids = new string[n];
        var lines = new long[n];
        var status = new RowStatus[n];
        var report = new SelectionReport();
        double[]? linear = _linearFactors;
        float fill = o.MissingFillValue;
        double minSnr = o.MinSignalToNoise;
        int kept = 0;

        for (int r = 0; r < n; r++)
        {
            RowStatus s = RowStatus.Kept;
            double zr = z is null ? double.NaN : ToRedshift(z[r]);

            // 1. Redshift.
            if (needZ && !double.IsFinite(zr))
            {
                s = RowStatus.RedshiftMissing;
            }
            else if ((o.MinRedshiftExclusive is double zmin && !(zr > zmin)) || (o.MaxRedshift is double zmax && !(zr <= zmax)))
            {
                s = RowStatus.RedshiftOutOfRange;
            }

            // 2. Stellar mass.
            if (s == RowStatus.Kept && mass is not null)
            {
                double logM = _massLabel!.ToLog10(mass[r]);
                if (!double.IsFinite(logM))
                {
                    s = RowStatus.StellarMassMissing;
                }
                else if (logM < o.MinLog10StellarMass!.Value)
                {
                    s = RowStatus.StellarMassBelowMinimum;
                }
            }

            // 3. Labels and class.
            if (s == RowStatus.Kept && o.DropRowsWithMissingLabels)
            {
                for (int l = 0; l < nl; l++)
                {
                    if (!double.IsFinite(p.Labels[l].ToModelSpace(labels[l][r])))
                    {
                        s = RowStatus.LabelMissing;
                        break;
                    }
                }

                if (s == RowStatus.Kept && classes is not null && ClassIndex(classes[r]) < 0)
                {
                    s = RowStatus.UnknownClass;
                }
            }

            // 4-6. Bands, written straight into the next output slot (overwritten by the next row when this one is dropped).
            int missing = 0;
            bool negative = false;
            int highSnr = 0;
            int fo = kept * nf;
            int mo = kept * nb;
            if (linear is not null)
            {
                for (int b = 0; b < nb; b++)
                {
                    double raw = values[b][r];
                    if (double.IsFinite(raw))
                    {
                        double factor = linear[b];
                        double flux = raw * factor;
                        negative |= flux < 0;
                        if (flux > 0 && errors[b] is double[] err)
                        {
                            double e = err[r] * factor;
                            if (e > 0 && flux / e >= minSnr)
                            {
                                highSnr++;
                            }
                        }

                        if (double.IsFinite(flux))
                        {
                            features[fo + b] = (float)flux;
                            mask[mo + b] = 1;
                            continue;
                        }
                    }

                    missing++;
                    report.CountMissingBand(_bandNames[b]);
                    features[fo + b] = fill;
                    mask[mo + b] = 0;
                }
            }
            else
            {
                for (int b = 0; b < nb; b++)
                {
                    BandDefinition band = p.Bands[b];
                    double raw = values[b][r];
                    SentinelMeaning? meaning = Classify(b, band, raw, flags[b]?[r]);
                    double v = double.NaN;
                    bool isMissing = false;
                    if (meaning is SentinelMeaning.NotObserved || (meaning is not null && o.SentinelHandling == SentinelHandling.TreatAsMissing))
                    {
                        isMissing = true;
                    }
                    else if (meaning is not null)
                    {
                        // ClipToRange: saturated -> bright end, not detected -> faint end (in AB mag).
                        double mag = meaning == SentinelMeaning.Saturated ? o.MagnitudeClipMin : o.MagnitudeClipMax;
                        v = magnitudes ? mag : Photometry.ABMagnitudeToMicroJansky(mag);
                    }
                    else
                    {
                        double flux = Photometry.ToMicroJansky(raw, band);
                        if (flux < 0 || (flux == 0 && magnitudes))
                        {
                            negative |= flux < 0;
                            if (!o.DropNegativeFlux && magnitudes)
                            {
                                isMissing = true;
                            }
                        }

                        if (!isMissing)
                        {
                            v = magnitudes ? Photometry.ToABMagnitude(raw, band) : flux;
                            if (o.SentinelHandling == SentinelHandling.ClipToRange)
                            {
                                double mag = magnitudes ? v : Photometry.MicroJanskyToABMagnitude(v);
                                if (double.IsFinite(mag))
                                {
                                    double clipped = Math.Clamp(mag, o.MagnitudeClipMin, o.MagnitudeClipMax);
                                    if (clipped != mag)
                                    {
                                        v = magnitudes ? clipped : Photometry.ABMagnitudeToMicroJansky(clipped);
                                    }
                                }
                            }

                            if (errors[b] is double[] err && flux > 0)
                            {
                                double e = Photometry.ErrorToMicroJansky(err[r], raw, band);
                                if (e > 0 && flux / e >= o.MinSignalToNoise)
                                {
                                    highSnr++;
                                }
                            }
                        }
                    }

                    if (isMissing || !double.IsFinite(v))
                    {
                        missing++;
                        report.CountMissingBand(band.Name);
                        features[fo + b] = fill;
                        mask[mo + b] = 0;
                    }
                    else
                    {
                        features[fo + b] = (float)v;
                        mask[mo + b] = 1;
                    }
                }
            }

            if (s == RowStatus.Kept)
            {
                if (missing > 0 && o.MissingBandPolicy == MissingBandPolicy.Drop)
                {
                    s = RowStatus.MissingFlux;
                }
                else if (negative && o.DropNegativeFlux)
                {
                    s = RowStatus.NegativeFlux;
                }
                else if (o.MinHighSnrBands is int k && highSnr < k)
                {
                    s = RowStatus.TooFewHighSnrBands;
                }
                else if (missing > 0)
                {
                    s = RowStatus.KeptWithMissingBands;
                }
            }

            status[r] = s;
            report.Count(s);
            if (s is not (RowStatus.Kept or RowStatus.KeptWithMissingBands))
            {
                continue;
            }

            if (p.Model.IncludeRedshift)
            {
                features[fo + nb] = (float)zr;
            }

            for (int l = 0; l < nl; l++)
            {
                outLabels[(kept * nl) + l] = (float)p.Labels[l].ToModelSpace(labels[l][r]);
            }

            if (classIdx is not null)
            {
                classIdx[kept] = ClassIndex(classes![r]);
            }

            ids[kept] = chunk.Ids?[r] ?? chunk.LineNumbers[r].ToString(CultureInfo.InvariantCulture);
            lines[kept] = chunk.LineNumbers[r];
            kept++;
        }

        Report.Add(report);
        return new PreprocessedChunk
        {
            RowCount = kept,
            FeatureNames = FeatureNames,
            Features = kept == n ? features : features[..(kept * nf)],
            BandMask = mask[..(kept * nb)],
            LabelNames = [.. p.Labels.Select(l => l.Name)],
            Labels = outLabels[..(kept * nl)],
            ClassIndices = classIdx?[..kept],
            Ids = ids[..kept],
            LineNumbers = lines[..kept],
            Status = status,
            Report = report,
        };
    }

    /// <summary>The µJy factor of every band when all of them take the fast path (linear flux units, no sentinels or flags, flux inputs, no clipping); otherwise null.</summary>
    private static double[]? LinearFactors(SurveyProfile profile, SelectionOptions options, SentinelDefinition[][] bandSentinels, SentinelDefinition[] globalSentinels)
    {
        if (profile.Model.Representation == ModelInputRepresentation.ABMagnitude || options.SentinelHandling != SentinelHandling.TreatAsMissing || globalSentinels.Length > 0)
        {
            return null;
        }

        var factors = new double[profile.Bands.Count];
        for (int b = 0; b < factors.Length; b++)
        {
            BandDefinition band = profile.Bands[b];
            if (band.Flag is not null || bandSentinels[b].Length > 0)
            {
                return null;
            }

            // The same constants as Photometry.ToMicroJansky / ErrorToMicroJansky (× 1 is exact for µJy).
            factors[b] = band.Unit switch
            {
                PhotometryUnit.Jansky => 1e6,
                PhotometryUnit.MilliJansky => 1e3,
                PhotometryUnit.MicroJansky => 1.0,
                PhotometryUnit.Nanomaggies => 3.631,
                _ => double.NaN,
            };
            if (double.IsNaN(factors[b]))
            {
                return null;
            }
        }

        return factors;
    }

    private double ToRedshift(double raw) => _profile.Redshift!.Kind == RedshiftKind.VelocityKmPerSecond ? raw / SpeedOfLightKmPerS : raw;

    private int ClassIndex(string? value)
    {
        if (value is null)
        {
            return -1;
        }

        IReadOnlyList<string> classes = _profile.ClassLabel!.Classes;
        for (int i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], value.Trim(), StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private SentinelMeaning? Classify(int bandIndex, BandDefinition band, double raw, string? flag)
    {
        // Arrays cached at construction: this runs for every band of every row, and enumerating the
        // profile's IReadOnlyList would allocate an enumerator each time.
        foreach (SentinelDefinition s in _bandSentinels[bandIndex])
        {
            if (s.Matches(raw))
            {
                return s.Meaning;
            }
        }

        foreach (SentinelDefinition s in _globalSentinels)
        {
            if (s.Matches(raw))
            {
                return s.Meaning;
            }
        }

        if (!double.IsFinite(raw))
        {
            return SentinelMeaning.NotObserved;
        }

        if (flag is not null && band.Flag!.Values.TryGetValue(flag.Trim(), out SentinelMeaning m))
        {
            return m;
        }

        return null;
    }
}
