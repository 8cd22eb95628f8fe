using System.ComponentModel.DataAnnotations;

namespace Astro.Fits.IO;

/// <summary>Limits and choices for reading FITS files.</summary>
public sealed class FitsReaderOptions
{
    /// <summary>Most header cards one HDU may have before the header is refused as runaway.</summary>
    /// <value>The default value is 1,000,000 (about 80 MB of header).</value>
    [Range(36, int.MaxValue)]
    public int MaxHeaderCards { get; set; } = FitsDefaults.MaxHeaderCards;

    /// <summary>Most HDUs read from one file; later HDUs are not framed and a warning says so.</summary>
    /// <value>The default value is 100,000.</value>
    [Range(1, int.MaxValue)]
    public int MaxHdus { get; set; } = FitsDefaults.MaxHdus;

    /// <summary>Largest size a gzip, bzip2 or unix-compressed file may expand to in memory.</summary>
    /// <value>The default value is <see cref="Array.MaxLength"/> bytes (just under 2 GiB).</value>
    [Range(2880, int.MaxValue)]
    public long MaxDecompressedLength { get; set; } = FitsDefaults.MaxDecompressedLength;

    /// <summary>Largest non-seekable stream buffered in memory (seekable streams are read in place).</summary>
    /// <value>The default value is <see cref="Array.MaxLength"/> bytes.</value>
    [Range(2880, int.MaxValue)]
    public long MaxBufferedStreamLength { get; set; } = FitsDefaults.MaxDecompressedLength;

    /// <summary>Validates the options once, listing every bad field.</summary>
    internal void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new ArgumentException("Invalid FitsReaderOptions: " + string.Join("; ", results.Select(r => r.ErrorMessage)));
        }
    }
}
