namespace Astro.Fits.Checksums;

/// <summary>The outcome of checking one checksum keyword.</summary>
public enum ChecksumStatus
{
    /// <summary>The keyword is absent.</summary>
    Missing = 0,

    /// <summary>The keyword matches the bytes.</summary>
    Valid,

    /// <summary>The keyword does not match the bytes.</summary>
    Invalid,
}

/// <summary>The DATASUM and CHECKSUM verdicts for one HDU (FITS checksum convention, v2.0).</summary>
public readonly record struct ChecksumVerification(ChecksumStatus DataSum, ChecksumStatus Checksum)
{
    /// <summary>True when no present keyword is invalid.</summary>
    public bool IsValid => DataSum != ChecksumStatus.Invalid && Checksum != ChecksumStatus.Invalid;
}
