namespace Astro.Fits.Writing;

/// <summary>Choices for writing FITS files with <see cref="FitsWriter"/>.</summary>
public sealed class FitsWriterOptions
{
    /// <summary>
    /// Whether every HDU gets DATASUM and CHECKSUM keywords (FITS checksum convention, v2.0): DATASUM
    /// over the data unit, CHECKSUM over header and data, so that the whole HDU sums to negative zero.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WriteChecksums { get; set; } = FitsWriterDefaults.WriteChecksums;

    /// <summary>
    /// Whether the stream stays open when the writer is disposed.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: disposing the writer disposes the stream.</value>
    public bool LeaveOpen { get; set; } = FitsWriterDefaults.LeaveOpen;
}
