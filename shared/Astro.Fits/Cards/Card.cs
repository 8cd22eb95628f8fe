using System.Globalization;
using System.Text;

namespace Astro.Fits.Cards;

/// <summary>
/// One 80-character header record: a keyword, an optional typed value and an optional comment.
/// </summary>
/// <remarks>
/// Parsing is tolerant (astropy's "relaxed" grammar): a card whose value cannot be understood
/// keeps its text and reports the problem in <see cref="ParseError"/>; the error surfaces as a
/// <see cref="FitsException"/> only when somebody asks for that value.
/// </remarks>
public sealed partial class Card
{
    private const string HierarchPrefix = "HIERARCH";
    private const string ContinueKeyword = "CONTINUE";

    private Card(string keyword, CardValue value, string? comment, bool isHierarch, string? parseError, string image)
    {
        Keyword = keyword;
        Value = value;
        Comment = comment;
        IsHierarch = isHierarch;
        ParseError = parseError;
        Image = image;
    }

    /// <summary>The keyword, without trailing blanks; for HIERARCH cards the words after HIERARCH, single-spaced.</summary>
    public string Keyword { get; }

    /// <summary>The typed value; <see cref="CardValueKind.None"/> for commentary cards.</summary>
    public CardValue Value { get; }

    /// <summary>The comment after the value's '/', or the text of a commentary card.</summary>
    public string? Comment { get; }

    /// <summary>True when the card used the ESO HIERARCH convention.</summary>
    public bool IsHierarch { get; }

    /// <summary>Why the value could not be parsed, or null when it parsed.</summary>
    public string? ParseError { get; }

    /// <summary>The 80 characters as they were read (or will be written).</summary>
    public string Image { get; }

    /// <summary>True for cards without a value indicator (COMMENT, HISTORY, blank keyword, END, …).</summary>
    public bool IsCommentary => Value.Kind == CardValueKind.None && ParseError is null;

    /// <summary>True for a CONTINUE card of the long-string convention.</summary>
    public bool IsContinue => Keyword == ContinueKeyword;

    /// <summary>Parses one 80-byte record (latin-1; bytes outside printable ASCII survive for verification).</summary>
    public static Card Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length != CardLayout.CardLength)
        {
            throw new ArgumentException($"A card is {CardLayout.CardLength} bytes, not {record.Length}.", nameof(record));
        }

        string image = Encoding.Latin1.GetString(record);
        return Parse(image);
    }

    /// <summary>Parses one card image (80 characters; shorter text is padded with blanks).</summary>
    public static Card Parse(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length < CardLayout.CardLength)
        {
            image = image.PadRight(CardLayout.CardLength);
        }
        else if (image.Length > CardLayout.CardLength)
        {
            throw new ArgumentException($"A card is at most {CardLayout.CardLength} characters.", nameof(image));
        }

        ReadOnlySpan<char> text = image;
        string keyword = text[..CardLayout.KeywordLength].TrimEnd().ToString();

        if (keyword == HierarchPrefix)
        {
            return ParseHierarch(image);
        }

        if (keyword == ContinueKeyword)
        {
            // CONTINUE carries a string value from column 9 on, without a value indicator.
            var field = text[CardLayout.KeywordLength..];
            if (field.TrimStart().StartsWith("'"))
            {
                var (value, comment, error) = ParseValueField(field);
                return new Card(keyword, value, comment, false, error, image);
            }

            return new Card(keyword, CardValue.None, field.TrimEnd().ToString(), false, null, image);
        }

        bool hasIndicator = text[CardLayout.ValueIndicatorOffset] == '=' &&
            (text[CardLayout.ValueIndicatorOffset + 1] == ' ' || !IsCommentaryKeyword(keyword));
        if (!hasIndicator || IsCommentaryKeyword(keyword))
        {
            string commentary = text[CardLayout.KeywordLength..].TrimEnd().ToString();
            return new Card(keyword, CardValue.None, commentary, false, null, image);
        }

        var (parsed, parsedComment, parseError) = ParseValueField(text[CardLayout.ValueOffset..]);
        return new Card(keyword, parsed, parsedComment, false, parseError, image);
    }

    /// <summary>True for keywords whose cards never carry a value (COMMENT, HISTORY, blank).</summary>
    public static bool IsCommentaryKeyword(string keyword) =>
        keyword.Length == 0 || keyword == "COMMENT" || keyword == "HISTORY" || keyword == "END";

    private static Card ParseHierarch(string image)
    {
        ReadOnlySpan<char> rest = image.AsSpan(HierarchPrefix.Length);
        int equals = rest.IndexOf('=');
        if (equals < 0)
        {
            return new Card(HierarchPrefix, CardValue.None, rest.Trim().ToString(), false, null, image);
        }

        string name = string.Join(' ', rest[..equals].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var (value, comment, error) = ParseValueField(rest[(equals + 1)..]);
        return new Card(name, value, comment, true, error, image);
    }

    /// <summary>Parses the text after the value indicator: a value, then optionally "/ comment".</summary>
    internal static (CardValue Value, string? Comment, string? Error) ParseValueField(ReadOnlySpan<char> field)
    {
        int start = 0;
        while (start < field.Length && field[start] == ' ')
        {
            start++;
        }

        if (start == field.Length)
        {
            return (CardValue.Undefined, null, null);
        }

        if (field[start] == '\'')
        {
            return ParseString(field, start);
        }

        int slash = field[start..].IndexOf('/');
        ReadOnlySpan<char> token = (slash < 0 ? field[start..] : field.Slice(start, slash)).Trim();
        string? comment = slash < 0 ? null : TrimComment(field[(start + slash + 1)..]);

        if (token.Length == 0)
        {
            return (CardValue.Undefined, comment, null);
        }

        if (token.Length == 1 && (token[0] == 'T' || token[0] == 'F'))
        {
            return (CardValue.FromLogical(token[0] == 'T'), comment, null);
        }

        if (token[0] == '(')
        {
            return ParseComplex(token, comment);
        }

        if (TryParseNumber(token, out CardValue number))
        {
            return (number, comment, null);
        }

        return (CardValue.Undefined, comment, $"unparsable value '{token.ToString()}'");
    }

    private static (CardValue, string?, string?) ParseString(ReadOnlySpan<char> field, int quote)
    {
        var builder = new StringBuilder();
        int i = quote + 1;
        while (true)
        {
            int next = field[i..].IndexOf('\'');
            if (next < 0)
            {
                return (CardValue.Undefined, null, "unterminated string value");
            }

            builder.Append(field.Slice(i, next));
            i += next + 1;
            if (i < field.Length && field[i] == '\'')
            {
                builder.Append('\'');
                i++;
                continue;
            }

            break;
        }

        // Trailing blanks in a string are not significant; leading blanks are (FITS 4.0, 4.2.1.1).
        string value = builder.ToString().TrimEnd(' ');
        ReadOnlySpan<char> after = field[i..];
        int slash = after.IndexOf('/');
        string? comment = slash < 0 ? null : TrimComment(after[(slash + 1)..]);
        return (CardValue.FromString(value), comment, null);
    }

    private static (CardValue, string?, string?) ParseComplex(ReadOnlySpan<char> token, string? comment)
    {
        int close = token.IndexOf(')');
        int comma = token.IndexOf(',');
        if (close < 0 || comma < 0 || comma > close)
        {
            return (CardValue.Undefined, comment, $"unparsable complex value '{token.ToString()}'");
        }

        if (TryParseReal(token[1..comma].Trim(), out double re) && TryParseReal(token[(comma + 1)..close].Trim(), out double im))
        {
            return (CardValue.FromComplex(re, im), comment, null);
        }

        return (CardValue.Undefined, comment, $"unparsable complex value '{token.ToString()}'");
    }

    private static string? TrimComment(ReadOnlySpan<char> comment)
    {
        var trimmed = comment.Trim();
        return trimmed.IsEmpty ? string.Empty : trimmed.ToString();
    }

    internal static bool TryParseNumber(ReadOnlySpan<char> token, out CardValue value)
    {
        bool integerSyntax = token.Length > 0;
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (!(char.IsAsciiDigit(c) || (i == 0 && (c == '+' || c == '-'))))
            {
                integerSyntax = false;
                break;
            }
        }

        if (integerSyntax && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            value = CardValue.FromInteger(integer);
            return true;
        }

        if (TryParseReal(token, out double real))
        {
            value = CardValue.FromReal(real);
            return true;
        }

        value = default;
        return false;
    }

    private static bool TryParseReal(ReadOnlySpan<char> token, out double value)
    {
        // Only the FITS grammar: digits, one '.', an E or D exponent. No "NaN", "Infinity" or thousands separators.
        if (token.IsEmpty || token.Length > 64)
        {
            value = 0;
            return false;
        }

        Span<char> buffer = stackalloc char[token.Length];
        bool sawDigit = false;
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (c == 'D' || c == 'd')
            {
                c = 'E';
            }

            if (char.IsAsciiDigit(c))
            {
                sawDigit = true;
            }
            else if (c != '.' && c != 'E' && c != 'e' && c != '+' && c != '-')
            {
                value = 0;
                return false;
            }

            buffer[i] = c;
        }

        if (!sawDigit)
        {
            value = 0;
            return false;
        }

        return double.TryParse(buffer, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
