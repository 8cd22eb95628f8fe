using System.Globalization;
using Astro.Fits.Cards;
using Astro.Fits.Headers;

namespace Astro.Fits.Writing;

/// <summary>
/// Builds the cards of an HDU: the mandatory keywords in the standard's order, then the
/// descriptive keywords the data needs, then the caller's cards minus any the writer owns.
/// </summary>
internal static class HeaderBuilder
{
    private static readonly HashSet<string> s_structural = new(StringComparer.Ordinal)
    {
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "GROUPS", "TFIELDS", "THEAP", "CHECKSUM", "DATASUM", "END",
    };

    private static readonly string[] s_columnPrefixes = ["TTYPE", "TFORM", "TUNIT", "TNULL", "TSCAL", "TZERO", "TDIM", "TBCOL"];

    /// <summary>The cards of a primary array or IMAGE extension.</summary>
    public static List<Card> ForImage(FitsImage image, bool primary, Header? user)
    {
        var cards = new List<Card>();
        if (primary)
        {
            cards.Add(Card.Create("SIMPLE", CardValue.FromLogical(true), "conforms to FITS standard"));
        }
        else
        {
            cards.Add(Card.Create("XTENSION", CardValue.FromString("IMAGE"), "image extension"));
        }

        cards.Add(Integer("BITPIX", image.BitPix, BitPixComment(image.BitPix)));
        cards.Add(Integer("NAXIS", image.Axes.Count, "number of array dimensions"));
        for (int i = 0; i < image.Axes.Count; i++)
        {
            cards.Add(Integer("NAXIS" + (i + 1).ToString(CultureInfo.InvariantCulture), image.Axes[i]));
        }

        if (primary)
        {
            cards.Add(Card.Create("EXTEND", CardValue.FromLogical(true), "extensions may follow"));
        }
        else
        {
            cards.Add(Integer("PCOUNT", 0, "number of parameters"));
            cards.Add(Integer("GCOUNT", 1, "number of groups"));
        }

        var owned = new HashSet<string>(StringComparer.Ordinal);
        if (image.Scale != 1.0)
        {
            cards.Add(Number("BSCALE", image.Scale, "physical = BZERO + BSCALE * stored"));
            owned.Add("BSCALE");
        }

        if (image.Zero != 0.0)
        {
            cards.Add(Number("BZERO", image.Zero, image.IsQuantized ? "physical = BZERO + BSCALE * stored" : "offset for unsigned or signed bytes"));
            owned.Add("BZERO");
        }

        if (image.Blank is long blank)
        {
            cards.Add(Integer("BLANK", blank, "stored value of undefined pixels"));
            owned.Add("BLANK");
        }

        AppendUserCards(cards, user, keyword => owned.Contains(keyword));
        return cards;
    }

    /// <summary>The cards of a BINTABLE extension.</summary>
    public static List<Card> ForTable(EncodedTable table, Header? user)
    {
        var cards = new List<Card>
        {
            Card.Create("XTENSION", CardValue.FromString("BINTABLE"), "binary table extension"),
            Integer("BITPIX", 8, "8-bit bytes"),
            Integer("NAXIS", 2, "2-dimensional binary table"),
            Integer("NAXIS1", table.RowLength, "width of table in bytes"),
            Integer("NAXIS2", table.RowCount, "number of rows in table"),
            Integer("PCOUNT", table.Heap.Length, "size of special data area (heap)"),
            Integer("GCOUNT", 1, "one data group"),
            Integer("TFIELDS", table.Columns.Length, "number of fields in each row"),
        };

        foreach (ColumnPlan plan in table.Columns)
        {
            string n = (plan.Index + 1).ToString(CultureInfo.InvariantCulture);
            TableColumn column = plan.Column;
            if (column.Name is string name)
            {
                cards.AddRange(Card.CreateLongString("TTYPE" + n, name));
            }

            cards.Add(Card.Create("TFORM" + n, CardValue.FromString(plan.Format), FormatComment(plan)));
            if (column.Unit is string unit)
            {
                cards.AddRange(Card.CreateLongString("TUNIT" + n, unit));
            }

            if (column.NullValue is long nullValue)
            {
                cards.Add(Integer("TNULL" + n, nullValue));
            }

            if (column.Scale != 1.0)
            {
                cards.Add(Number("TSCAL" + n, column.Scale));
            }

            if (plan.Zero != 0.0)
            {
                cards.Add(Number("TZERO" + n, plan.Zero));
            }

            if (column.Dimensions is { } dims)
            {
                cards.Add(Card.Create("TDIM" + n, CardValue.FromString("(" + string.Join(",", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")")));
            }
        }

        AppendUserCards(cards, user, IsColumnKeyword);
        return cards;
    }

    /// <summary>A numeric card: an integer when the value is integral (including 2^63, the unsigned 64-bit BZERO), else a real.</summary>
    internal static Card Number(string keyword, double value, string? comment = null)
    {
        if (value == 9223372036854775808.0)
        {
            // Not a long, but the unsigned-64 convention writes it as an integer; the parser reads it as a real.
            string image = $"{keyword,-8}= {"9223372036854775808",20}" + (comment is null ? string.Empty : " / " + comment);
            return Card.Parse(image.Length > CardLayout.CardLength ? image[..CardLayout.CardLength] : image);
        }

        if (value == Math.Floor(value) && Math.Abs(value) < 9.007199254740992E15)
        {
            return Integer(keyword, (long)value, comment);
        }

        return Card.Create(keyword, CardValue.FromReal(value), comment);
    }

    private static Card Integer(string keyword, long value, string? comment = null) =>
        Card.Create(keyword, CardValue.FromInteger(value), comment);

    private static string BitPixComment(int bitPix) => bitPix switch
    {
        8 => "array data type: 8-bit unsigned integers",
        16 => "array data type: 16-bit integers",
        32 => "array data type: 32-bit integers",
        64 => "array data type: 64-bit integers",
        -32 => "array data type: IEEE single precision",
        _ => "array data type: IEEE double precision",
    };

    private static string? FormatComment(ColumnPlan plan) => plan.Type switch
    {
        _ when plan.IsVariableLength => "variable-length array in the heap",
        Tables.ColumnType.Bit => "bits",
        Tables.ColumnType.Logical => "logical",
        Tables.ColumnType.Char => "characters",
        _ => null,
    };

    /// <summary>Appends the caller's cards, leaving out keywords the writer owns (and their CONTINUE cards).</summary>
    private static void AppendUserCards(List<Card> cards, Header? user, Func<string, bool> ownedHere)
    {
        if (user is null)
        {
            return;
        }

        bool skipping = false;
        foreach (Card card in user)
        {
            if (card.IsContinue)
            {
                if (!skipping)
                {
                    cards.Add(card);
                }

                continue;
            }

            skipping = !card.IsCommentary && !card.IsHierarch && (IsStructural(card.Keyword) || ownedHere(card.Keyword));
            if (!skipping)
            {
                cards.Add(card);
            }
        }
    }

    private static bool IsStructural(string keyword) =>
        s_structural.Contains(keyword) || (keyword.StartsWith("NAXIS", StringComparison.Ordinal) && IsIndexed(keyword, "NAXIS"));

    private static bool IsColumnKeyword(string keyword)
    {
        foreach (string prefix in s_columnPrefixes)
        {
            if (keyword.StartsWith(prefix, StringComparison.Ordinal) && IsIndexed(keyword, prefix))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsIndexed(string keyword, string prefix) =>
        keyword.Length > prefix.Length && keyword.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0;
}
