using System.Globalization;
using System.Text;

namespace Astro.Fits.Cards;

public sealed partial class Card
{
    /// <summary>Longest string value one card holds in fixed format (columns 12–79 between quotes).</summary>
    internal const int MaxStringLength = 68;

    /// <summary>Creates a valued card, formatted as the standard's fixed format where the value allows.</summary>
    /// <exception cref="ArgumentException">The keyword is not a valid FITS keyword, or the card does not fit in 80 characters.</exception>
    public static Card Create(string keyword, CardValue value, string? comment = null)
    {
        ValidateKeyword(keyword);
        if (value.Kind == CardValueKind.None)
        {
            throw new ArgumentException("A valued card needs a value; use CreateCommentary for commentary cards.", nameof(value));
        }

        string valueText = FormatValue(value);
        var builder = new StringBuilder(CardLayout.CardLength);
        builder.Append(keyword.PadRight(CardLayout.KeywordLength)).Append("= ");
        if (value.Kind == CardValueKind.Undefined)
        {
            builder.Append(valueText);
        }
        else if (value.Kind == CardValueKind.String)
        {
            // Fixed format, as astropy and cfitsio write it: the quoted string padded to column 30, so a
            // comment starts at column 32. astropy re-renders CHECKSUM and DATASUM this way when it
            // verifies them, so any other layout fails its CHECKSUM check.
            builder.Append(valueText.PadRight(CardLayout.FixedValueEnd - CardLayout.ValueOffset));
        }
        else
        {
            // Fixed format: numbers and logicals right-justified to column 30.
            builder.Append(valueText.PadLeft(CardLayout.FixedValueEnd - CardLayout.ValueOffset));
        }

        if (builder.Length > CardLayout.CardLength)
        {
            throw new ArgumentException($"The value of {keyword} does not fit in one card.", nameof(value));
        }

        AppendComment(builder, comment);
        string image = builder.ToString().PadRight(CardLayout.CardLength);
        return new Card(keyword, value, comment, false, null, image);
    }

    /// <summary>Creates a commentary card (COMMENT, HISTORY or blank keyword); text longer than 72 characters is cut.</summary>
    public static Card CreateCommentary(string keyword, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsCommentaryKeyword(keyword) || keyword == "END")
        {
            throw new ArgumentException("Commentary cards use COMMENT, HISTORY or a blank keyword.", nameof(keyword));
        }

        ValidateText(text);
        string body = text.Length > CardLayout.CardLength - CardLayout.KeywordLength
            ? text[..(CardLayout.CardLength - CardLayout.KeywordLength)]
            : text;
        string image = (keyword.PadRight(CardLayout.KeywordLength) + body).PadRight(CardLayout.CardLength);
        return new Card(keyword, CardValue.None, body.TrimEnd(), false, null, image);
    }

    /// <summary>
    /// Creates the cards for a string value of any length: one card when it fits, otherwise the
    /// long-string convention (each part ends with '&amp;' and continues on a CONTINUE card).
    /// </summary>
    public static IReadOnlyList<Card> CreateLongString(string keyword, string value, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ValidateText(value);
        if (EscapedLength(value) <= MaxStringLength)
        {
            return [Create(keyword, CardValue.FromString(value), comment)];
        }

        // Each part holds up to 67 escaped characters plus '&'; quotes are never split from their escape.
        var parts = new List<string>();
        int i = 0;
        while (i < value.Length)
        {
            int room = MaxStringLength - 1;
            var part = new StringBuilder();
            while (i < value.Length)
            {
                int cost = value[i] == '\'' ? 2 : 1;
                if (room < cost)
                {
                    break;
                }

                part.Append(value[i]);
                room -= cost;
                i++;
            }

            parts.Add(part.ToString());
        }

        var cards = new List<Card>(parts.Count);
        for (int p = 0; p < parts.Count; p++)
        {
            bool last = p == parts.Count - 1;
            string text = last ? parts[p] : parts[p] + "&";
            if (p == 0)
            {
                cards.Add(Create(keyword, CardValue.FromString(text), last ? comment : null));
            }
            else
            {
                var builder = new StringBuilder(CardLayout.CardLength);
                builder.Append(ContinueKeyword).Append("  ").Append('\'').Append(text.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                if (last)
                {
                    AppendComment(builder, comment);
                }

                string image = builder.ToString().PadRight(CardLayout.CardLength);
                cards.Add(new Card(ContinueKeyword, CardValue.FromString(text), last ? comment : null, false, null, image));
            }
        }

        return cards;
    }

    /// <summary>Writes the 80-character image as ASCII bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < CardLayout.CardLength)
        {
            throw new ArgumentException("The destination is shorter than a card.", nameof(destination));
        }

        Encoding.Latin1.GetBytes(Image, destination);
    }

    /// <summary>Formats a value as it appears after the value indicator.</summary>
    internal static string FormatValue(CardValue value) => value.Kind switch
    {
        CardValueKind.Undefined => string.Empty,
        CardValueKind.Logical => value.AsLogical ? "T" : "F",
        CardValueKind.Integer => value.AsInteger.ToString(CultureInfo.InvariantCulture),
        CardValueKind.Real => FormatReal(value.AsReal),
        CardValueKind.Complex => $"({FormatReal(value.AsReal)}, {FormatReal(value.Imaginary)})",
        CardValueKind.String => FormatString(value.AsString!),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>Formats a double so that it reads back bit-for-bit and is never mistaken for an integer.</summary>
    internal static string FormatReal(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("FITS header values cannot be NaN or infinite.", nameof(value));
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int exponent = text.IndexOf('E', StringComparison.Ordinal);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            return text;
        }

        return exponent < 0 ? text + ".0" : text.Insert(exponent, ".0");
    }

    private static string FormatString(string value)
    {
        ValidateText(value);
        string escaped = value.Replace("'", "''", StringComparison.Ordinal);
        if (escaped.Length > MaxStringLength)
        {
            throw new ArgumentException($"String values longer than {MaxStringLength} characters need CreateLongString.", nameof(value));
        }

        // Strings are at least 8 characters between the quotes (FITS 4.0, 4.2.1.1).
        return "'" + escaped.PadRight(8) + "'";
    }

    private static int EscapedLength(string value)
    {
        int length = value.Length;
        foreach (char c in value)
        {
            if (c == '\'')
            {
                length++;
            }
        }

        return length;
    }

    private static void AppendComment(StringBuilder builder, string? comment)
    {
        if (string.IsNullOrEmpty(comment))
        {
            return;
        }

        ValidateText(comment);
        int room = CardLayout.CardLength - builder.Length - 3;
        if (room > 0)
        {
            builder.Append(" / ").Append(comment.Length > room ? comment[..room] : comment);
        }
    }

    private static void ValidateKeyword(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        if (keyword.Length == 0 || keyword.Length > CardLayout.KeywordLength)
        {
            throw new ArgumentException($"Keyword '{keyword}' must be 1 to 8 characters.", nameof(keyword));
        }

        foreach (char c in keyword)
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-' || c == '_'))
            {
                throw new ArgumentException($"Keyword '{keyword}' may hold only A-Z, 0-9, '-' and '_'.", nameof(keyword));
            }
        }
    }

    private static void ValidateText(string text)
    {
        foreach (char c in text)
        {
            if (c < ' ' || c > '~')
            {
                throw new ArgumentException("Header text must be printable ASCII (32–126).", nameof(text));
            }
        }
    }
}
