namespace Astro.Fits.Statistics;

/// <summary>Statistics of one HDU, in the shape <c>fits stats</c> prints.</summary>
public sealed record HduStatistics
{
    /// <summary>0-based HDU index.</summary>
    public required int Index { get; init; }

    /// <summary>image, empty, bintable, table, groups or other.</summary>
    public required string Kind { get; init; }

    /// <summary>NAXIS1, NAXIS2, … of images (ZNAXISn for compressed images).</summary>
    public IReadOnlyList<long>? Axes { get; init; }

    /// <summary>Pixel values of an image (undefined ones included).</summary>
    public ValueAccumulator? Values { get; init; }

    /// <summary>Rows of a table (ZNAXIS2 for compressed tables).</summary>
    public long? Rows { get; init; }

    /// <summary>True for a tile-compressed table.</summary>
    public bool Compressed { get; init; }

    /// <summary>Numeric columns of a table.</summary>
    public IReadOnlyList<ColumnStatistics>? Columns { get; init; }

    /// <summary>GCOUNT of a random-groups HDU.</summary>
    public long? Groups { get; init; }

    /// <summary>XTENSION of an unrecognised HDU ("" for a non-standard primary).</summary>
    public string? Extension { get; init; }
}

/// <summary>Statistics of one numeric table column.</summary>
/// <param name="Name">TTYPE, or null for an unnamed column.</param>
/// <param name="Values">Count, undefined, min, max and sum of its values, flattened.</param>
public sealed record ColumnStatistics(string? Name, ValueAccumulator Values);
