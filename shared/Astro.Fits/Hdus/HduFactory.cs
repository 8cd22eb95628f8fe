using Astro.Fits.Compression;
using Astro.Fits.Headers;
using Astro.Fits.Images;
using Astro.Fits.Tables;

namespace Astro.Fits.Hdus;

/// <summary>Decides an HDU's kind from its header and computes the size of its data unit.</summary>
internal static class HduFactory
{
    private const int MaxAxes = 999;

    /// <summary>Builds the HDU object for a framed header.</summary>
    public static Hdu Create(HduFrame frame)
    {
        Header header = frame.Header;
        if (frame.Index == 0)
        {
            if (!header.GetBoolean("SIMPLE", false))
            {
                return new UnknownHdu(frame);
            }

            return IsRandomGroups(header) ? new RandomGroupsHdu(frame) : new ImageHdu(frame);
        }

        string xtension = header.Find("XTENSION")?.Value.AsString?.Trim() ?? string.Empty;
        switch (xtension)
        {
            case "IMAGE":
            case "IUEIMAGE":
                return new ImageHdu(frame);
            case "BINTABLE":
            case "A3DTABLE":
                if (header.GetBoolean("ZIMAGE", false))
                {
                    return new CompressedImageHdu(frame);
                }

                return new BinaryTableHdu(frame);
            case "TABLE":
                return new AsciiTableHdu(frame);
            default:
                return new UnknownHdu(frame);
        }
    }

    /// <summary>
    /// Size of the data unit in bytes: |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn), with
    /// NAXIS1 left out of the product for random groups. Validates every keyword it uses.
    /// </summary>
    public static long DataLength(Header header, int index)
    {
        long bitPix = header.RequireInt64("BITPIX");
        bool primaryNonStandard = index == 0 && !header.GetBoolean("SIMPLE", false);
        if (!PixelConverter.IsValidBitPix(bitPix))
        {
            throw header.Error(header.IndexOf("BITPIX"), $"unknown BITPIX {bitPix} (the standard allows 8, 16, 32, 64, -32, -64)");
        }

        long[] axes = ReadAxes(header, "NAXIS");
        if (axes.Length == 0)
        {
            return 0;
        }

        bool groups = index == 0 && !primaryNonStandard && IsRandomGroups(header);
        long gcount = header.GetInt64("GCOUNT", 1);
        long pcount = header.GetInt64("PCOUNT", 0);
        if (gcount < 0 || pcount < 0)
        {
            throw header.Error(header.IndexOf(gcount < 0 ? "GCOUNT" : "PCOUNT"), $"negative {(gcount < 0 ? "GCOUNT" : "PCOUNT")}");
        }

        try
        {
            checked
            {
                long product = 1;
                for (int i = groups ? 1 : 0; i < axes.Length; i++)
                {
                    product *= axes[i];
                }

                return Math.Abs(bitPix) / 8 * gcount * (pcount + product);
            }
        }
        catch (OverflowException)
        {
            throw header.Error(null, "the data size declared by NAXISn, PCOUNT and GCOUNT overflows 64 bits");
        }
    }

    /// <summary>Reads <c>{prefix}</c> and <c>{prefix}1..n</c>, validating count and sizes.</summary>
    public static long[] ReadAxes(Header header, string prefix)
    {
        long naxis = header.RequireInt64(prefix);
        if (naxis < 0 || naxis > MaxAxes)
        {
            throw header.Error(header.IndexOf(prefix), $"{prefix} = {naxis} is outside 0..{MaxAxes}");
        }

        long[] axes = new long[naxis];
        for (int i = 0; i < naxis; i++)
        {
            string keyword = prefix + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            axes[i] = header.RequireInt64(keyword);
            if (axes[i] < 0)
            {
                throw header.Error(header.IndexOf(keyword), $"negative axis length {keyword} = {axes[i]}");
            }
        }

        return axes;
    }

    // NAXIS = 0 with GROUPS = T is malformed, but astropy and cfitsio still treat it as random groups (of nothing).
    private static bool IsRandomGroups(Header header) =>
        header.GetBoolean("GROUPS", false) && (header.GetInt64("NAXIS", 0) == 0 || header.GetInt64("NAXIS1", -1) == 0);
}
