using System.Text;

namespace Astro.Fits.Tests.Malformed;

/// <summary>Builds (bad) FITS files in memory from card texts.</summary>
internal static class MalformedFiles
{
    /// <summary>A header from card texts, with END unless told otherwise, padded to whole blocks.</summary>
    public static byte[] Header(IEnumerable<string> cards, bool end = true)
    {
        var text = new StringBuilder();
        foreach (string card in cards)
        {
            text.Append(card.PadRight(80));
        }

        if (end)
        {
            text.Append("END".PadRight(80));
        }

        while (text.Length % 2880 != 0)
        {
            text.Append(' ');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>An HDU: the header plus <paramref name="dataBytes"/> of zeros padded to a block (or not padded).</summary>
    public static byte[] Hdu(IEnumerable<string> cards, long dataBytes = 0, bool pad = true)
    {
        byte[] header = Header(cards);
        long length = pad ? (dataBytes + 2879) / 2880 * 2880 : dataBytes;
        return [.. header, .. new byte[length]];
    }

    public static string[] Primary(int bitPix, params long[] axes) =>
    [
        "SIMPLE  =                    T",
        $"BITPIX  = {bitPix,20}",
        $"NAXIS   = {axes.Length,20}",
        .. axes.Select((a, i) => $"NAXIS{i + 1,-3}= {a,20}"),
        "EXTEND  =                    T",
    ];

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
