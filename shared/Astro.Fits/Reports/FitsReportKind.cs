namespace Astro.Fits.Reports;

/// <summary>The reports <c>astro fits</c> prints about a file.</summary>
public enum FitsReportKind
{
    /// <summary>Per-HDU statistics of physical values as one JSON object (<c>fits stats</c>).</summary>
    Statistics = 1,

    /// <summary>The HDU listing, like astropy's fitsinfo (<c>fits info</c>).</summary>
    Listing,

    /// <summary>DATASUM and CHECKSUM of every HDU (<c>fits verify</c>).</summary>
    Checksums,
}
