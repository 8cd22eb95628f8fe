using System.Text.Json;
using System.Text.Json.Serialization;

namespace Astro.Catalogs.Models;

/// <summary>What happened while reading a catalog: rows read, rows rejected by reason, quirks tolerated.</summary>
/// <remarks>
/// Invariant: <see cref="DataLines"/> = <see cref="RowsRead"/> + <see cref="MalformedRows"/>. Comment and blank lines
/// are counted separately and never counted as rows.
/// </remarks>
public sealed class CatalogReadReport
{
    private readonly Dictionary<string, RowIssueSummary> _malformed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowIssueSummary> _tolerated = new(StringComparer.Ordinal);

    internal CatalogReadReport(string source)
    {
        Source = source;
    }

    /// <summary>The file read.</summary>
    public string Source { get; }

    /// <summary>The detected or configured layout, e.g. <c>delimiter ',' header from comment line 1 (';'-separated)</c>.</summary>
    public string Layout { get; internal set; } = "";

    /// <summary>Lines that held a row (well-formed or not).</summary>
    public long DataLines { get; internal set; }

    /// <summary>Rows returned to the caller.</summary>
    public long RowsRead { get; internal set; }

    /// <summary>Rows rejected (dropped or fatal) because they were malformed.</summary>
    public long MalformedRows => _malformed.Values.Sum(v => v.Count);

    /// <summary>Comment lines (after the header) skipped.</summary>
    public long CommentLines { get; internal set; }

    /// <summary>Blank lines skipped.</summary>
    public long BlankLines { get; internal set; }

    /// <summary>Malformed rows by reason (<c>fieldCount</c>, <c>unparsableNumber</c>).</summary>
    public IReadOnlyDictionary<string, RowIssueSummary> Malformed => _malformed;

    /// <summary>Rows kept despite a quirk, by quirk (<c>trailingDelimiter</c>, <c>joinMissing</c>, <c>duplicateJoinId</c>).</summary>
    public IReadOnlyDictionary<string, RowIssueSummary> Tolerated => _tolerated;

    /// <summary>Serialises the report as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <inheritdoc/>
    public override string ToString()
    {
        string bad = _malformed.Count == 0 ? "none" : string.Join("; ", _malformed.Select(kv => $"{kv.Key} x{kv.Value.Count} (first at line {string.Join(", ", kv.Value.FirstLineNumbers)}: {kv.Value.FirstMessage})"));
        return $"{Source}: {RowsRead} rows read of {DataLines} data lines; malformed: {bad}";
    }

    internal void AddMalformed(string reason, long line, string message) => Add(_malformed, reason, line, message);

    internal void AddTolerated(string reason, long line, string message) => Add(_tolerated, reason, line, message);

    private static void Add(Dictionary<string, RowIssueSummary> d, string reason, long line, string message)
    {
        if (!d.TryGetValue(reason, out RowIssueSummary? s))
        {
            s = new RowIssueSummary { FirstMessage = message };
            d[reason] = s;
        }

        s.Count++;
        if (s.FirstLineNumbers.Count < CatalogDefaults.ReportedLineNumbers)
        {
            s.FirstLineNumbers.Add(line);
        }
    }

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>How many rows had one kind of problem, with the first few line numbers.</summary>
public sealed class RowIssueSummary
{
    internal RowIssueSummary()
    {
    }

    /// <summary>How many rows.</summary>
    public long Count { get; internal set; }

    /// <summary>The first line numbers (1-based), at most <c>CatalogDefaults.ReportedLineNumbers</c>.</summary>
    public List<long> FirstLineNumbers { get; } = [];

    /// <summary>The message of the first occurrence.</summary>
    public string FirstMessage { get; internal set; } = "";
}
