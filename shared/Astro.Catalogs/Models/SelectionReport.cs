using System.Text.Json;
using System.Text.Json.Serialization;

namespace Astro.Catalogs.Models;

/// <summary>The outcome of a row in <see cref="Preprocessing.CatalogPreprocessor"/>.</summary>
public enum RowStatus
{
    /// <summary>Kept with every band measured.</summary>
    Kept = 1,

    /// <summary>Kept with missing bands filled and masked (<see cref="Preprocessing.MissingBandPolicy.KeepAndFlag"/>).</summary>
    KeptWithMissingBands,

    /// <summary>Dropped: no redshift although a redshift cut or redshift input is configured.</summary>
    RedshiftMissing,

    /// <summary>Dropped: redshift outside (min, max].</summary>
    RedshiftOutOfRange,

    /// <summary>Dropped: stellar mass label missing.</summary>
    StellarMassMissing,

    /// <summary>Dropped: stellar mass below the minimum.</summary>
    StellarMassBelowMinimum,

    /// <summary>Dropped: a label is missing or undefined in model space (e.g. log of 0).</summary>
    LabelMissing,

    /// <summary>Dropped: class label not among the profile's classes.</summary>
    UnknownClass,

    /// <summary>Dropped: at least one band missing (not observed, not detected, saturated, NaN).</summary>
    MissingFlux,

    /// <summary>Dropped: at least one negative flux.</summary>
    NegativeFlux,

    /// <summary>Dropped: fewer bands with SNR ≥ the minimum than required.</summary>
    TooFewHighSnrBands,
}

/// <summary>Counts of kept and dropped rows by reason. Invariant: <see cref="RowsIn"/> = <see cref="RowsKept"/> + <see cref="RowsDropped"/>.</summary>
public sealed class SelectionReport
{
    private readonly Dictionary<string, long> _dropped;
    private readonly Dictionary<string, long> _missingByBand = new(StringComparer.Ordinal);

    internal SelectionReport()
    {
        _dropped = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (RowStatus s in Enum.GetValues<RowStatus>())
        {
            if (s is not (RowStatus.Kept or RowStatus.KeptWithMissingBands))
            {
                _dropped[ReasonName(s)] = 0;
            }
        }
    }

    /// <summary>Rows examined.</summary>
    public long RowsIn { get; private set; }

    /// <summary>Rows kept (including those kept with missing bands).</summary>
    public long RowsKept { get; private set; }

    /// <summary>Rows kept with missing bands filled and masked.</summary>
    public long RowsKeptWithMissingBands { get; private set; }

    /// <summary>Rows dropped, all reasons.</summary>
    public long RowsDropped => _dropped.Values.Sum();

    /// <summary>Dropped rows by reason (camelCase names of <see cref="RowStatus"/>; every reason listed, zeros included).</summary>
    public IReadOnlyDictionary<string, long> DroppedByReason => _dropped;

    /// <summary>Rows examined in which each band was missing (any cause), by band name.</summary>
    public IReadOnlyDictionary<string, long> MissingByBand => _missingByBand;

    /// <summary>The JSON name of a drop reason.</summary>
    /// <param name="status">The status.</param>
    /// <returns>E.g. <c>missingFlux</c>.</returns>
    public static string ReasonName(RowStatus status) => JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    /// <summary>Serialises the report as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Adds another report's counts to this one.</summary>
    /// <param name="other">The other report.</param>
    public void Add(SelectionReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RowsIn += other.RowsIn;
        RowsKept += other.RowsKept;
        RowsKeptWithMissingBands += other.RowsKeptWithMissingBands;
        foreach (KeyValuePair<string, long> kv in other._dropped)
        {
            _dropped[kv.Key] = _dropped.GetValueOrDefault(kv.Key) + kv.Value;
        }

        foreach (KeyValuePair<string, long> kv in other._missingByBand)
        {
            _missingByBand[kv.Key] = _missingByBand.GetValueOrDefault(kv.Key) + kv.Value;
        }
    }

    internal void Count(RowStatus status)
    {
        RowsIn++;
        switch (status)
        {
            case RowStatus.Kept:
                RowsKept++;
                break;
            case RowStatus.KeptWithMissingBands:
                RowsKept++;
                RowsKeptWithMissingBands++;
                break;
            default:
                _dropped[ReasonName(status)]++;
                break;
        }
    }

    internal void CountMissingBand(string band) => _missingByBand[band] = _missingByBand.GetValueOrDefault(band) + 1;

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };
}
