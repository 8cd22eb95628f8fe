using Astro.Fits.Cards;

namespace Astro.Fits.Tests.Headers;

/// <summary>Parsing one 80-character card: every value type of FITS 4.0 section 4.2 and the conventions around it.</summary>
public class CardParseTests
{
    [Theory]
    [InlineData("SIMPLE  =                    T / conforms", true)]
    [InlineData("FLAG    =                    F", false)]
    [InlineData("FLAG    = T", true)] // free format
    public void Logical_values(string image, bool expected)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.Logical, card.Value.Kind);
        Assert.Equal(expected, card.Value.AsLogical);
        Assert.Null(card.ParseError);
    }

    [Theory]
    [InlineData("NAXIS1  =                 1024", 1024L)]
    [InlineData("OFFSET  =                  -17 / negative", -17L)]
    [InlineData("PLUS    =                  +42", 42L)]
    [InlineData("ZEROS   =                 0007", 7L)]
    [InlineData("MAX     =  9223372036854775807", long.MaxValue)]
    [InlineData("MIN     = -9223372036854775808", long.MinValue)]
    public void Integer_values(string image, long expected)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.Integer, card.Value.Kind);
        Assert.Equal(expected, card.Value.AsInteger);
        Assert.Equal(expected, card.Value.AsReal);
    }

    [Theory]
    [InlineData("BIG     =  9223372036854775808", 9223372036854775808.0)]
    [InlineData("HUGE    = 123456789012345678901234567890 / beyond 64 bits", 1.2345678901234568E+29)]
    [InlineData("NEGHUGE = -99999999999999999999", -1e20)]
    public void Integers_beyond_64_bits_become_reals(string image, double expected)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.Real, card.Value.Kind);
        Assert.Equal(expected, card.Value.AsReal);
        Assert.True(card.Value.IsNumeric);
    }

    [Theory]
    [InlineData("EXPTIME =                 30.5 / [s]", 30.5)]
    [InlineData("SMALL   =              1.5E-10", 1.5e-10)]
    [InlineData("LOWER   =              2.5e+03", 2500.0)]
    [InlineData("DOUBLE  =       1.234567890D12 / Fortran D exponent", 1.23456789e12)]
    [InlineData("DLOWER  =                 4d-2", 0.04)]
    [InlineData("NOEXP   =                  -.5", -0.5)]
    [InlineData("TRAIL   =                  10.", 10.0)]
    [InlineData("EXPONLY =                  1E3", 1000.0)]
    public void Real_values_with_E_and_D_exponents(string image, double expected)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.Real, card.Value.Kind);
        Assert.Equal(expected, card.Value.AsReal);
    }

    [Theory]
    [InlineData("CPLX    = (1.5, -2.0) / complex", 1.5, -2.0)]
    [InlineData("CPLXINT =             (3,4)", 3.0, 4.0)]
    [InlineData("CPLXD   = (1.0D2, 2E-1)", 100.0, 0.2)]
    public void Complex_values(string image, double re, double im)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.Complex, card.Value.Kind);
        Assert.Equal(re, card.Value.AsReal);
        Assert.Equal(im, card.Value.Imaginary);
    }

    [Theory]
    [InlineData("OBJECT  = 'M 13    '           / target", "M 13", "target")]
    [InlineData("NAME    = 'O''Hara'", "O'Hara", null)]
    [InlineData("QUOTES  = ''''''", "''", null)]
    [InlineData("LEADING = '   centred  '", "   centred", null)]
    [InlineData("EMPTY   = ''", "", null)]
    [InlineData("BLANKS  = '        '", "", null)]
    [InlineData("SLASH   = 'a/b' / the slash inside is not a comment", "a/b", "the slash inside is not a comment")]
    [InlineData("NOSPACE = 'x'/comment", "x", "comment")]
    public void String_values_unescape_quotes_and_drop_trailing_blanks(string image, string expected, string? comment)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.String, card.Value.Kind);
        Assert.Equal(expected, card.Value.AsString);
        Assert.Equal(comment, card.Comment);
    }

    [Fact]
    public void Unterminated_strings_are_parse_errors_kept_for_later()
    {
        Card card = Card.Parse("BROKEN  = 'no closing quote");

        Assert.NotNull(card.ParseError);
        Assert.Contains("unterminated", card.ParseError, StringComparison.Ordinal);
        Assert.False(card.IsCommentary);
    }

    [Theory]
    [InlineData("UNDEF   =", null)]
    [InlineData("UNDEF   =                      / no value, just a comment", "no value, just a comment")]
    [InlineData("UNDEF   =                      /", "")]
    public void Undefined_values(string image, string? comment)
    {
        Card card = Card.Parse(image);

        Assert.Equal(CardValueKind.Undefined, card.Value.Kind);
        Assert.Equal(comment, card.Comment);
        Assert.Null(card.ParseError);
    }

    [Theory]
    [InlineData("NAXIS   =                    2 / number of axes", "number of axes")]
    [InlineData("NAXIS   =                    2 /number of axes   ", "number of axes")]
    [InlineData("NAXIS   =                    2", null)]
    [InlineData("NAXIS   =                    2    trailing words without a slash", null)]
    public void Comments_with_and_without_a_slash(string image, string? comment)
    {
        Card card = Card.Parse(image);

        Assert.Equal(comment, card.Comment);
        if (comment is null && image.Contains("trailing", StringComparison.Ordinal))
        {
            // Text after a value with no '/' is not a valid value: the card reports it rather than guessing.
            Assert.NotNull(card.ParseError);
        }
        else
        {
            Assert.Equal(2, card.Value.AsInteger);
        }
    }

    [Theory]
    [InlineData("COMMENT   This is a comment = with an equals sign", "COMMENT", "  This is a comment = with an equals sign")]
    [InlineData("HISTORY Processed by pipeline v1", "HISTORY", "Processed by pipeline v1")]
    [InlineData("          blank keyword commentary", "", "  blank keyword commentary")]
    [InlineData("", "", "")]
    [InlineData("NOVALUE   no value indicator here", "NOVALUE", "  no value indicator here")]
    public void Commentary_cards_keep_their_text(string image, string keyword, string text)
    {
        Card card = Card.Parse(image);

        Assert.True(card.IsCommentary);
        Assert.Equal(keyword, card.Keyword);
        Assert.Equal(text, card.Comment);
        Assert.Equal(CardValueKind.None, card.Value.Kind);
    }

    [Fact]
    public void Continue_cards_carry_a_string_part()
    {
        Card card = Card.Parse("CONTINUE  'second part&'  / more");

        Assert.True(card.IsContinue);
        Assert.Equal("second part&", card.Value.AsString);
        Assert.Equal("more", card.Comment);
    }

    [Theory]
    [InlineData("HIERARCH ESO DET CHIP NX = 2048 / pixels", "ESO DET CHIP NX", CardValueKind.Integer, "pixels")]
    [InlineData("HIERARCH ESO   OBS  NAME = 'survey' / spaces collapse", "ESO OBS NAME", CardValueKind.String, "spaces collapse")]
    [InlineData("HIERARCH LONG KEYWORD WITH TEMP=-12.5", "LONG KEYWORD WITH TEMP", CardValueKind.Real, null)]
    public void Hierarch_cards(string image, string keyword, CardValueKind kind, string? comment)
    {
        Card card = Card.Parse(image);

        Assert.True(card.IsHierarch);
        Assert.Equal(keyword, card.Keyword);
        Assert.Equal(kind, card.Value.Kind);
        Assert.Equal(comment, card.Comment);
    }

    [Fact]
    public void Bytes_and_strings_parse_alike_and_records_must_be_80_bytes()
    {
        string image = "EXPTIME =                 30.5 / [s]".PadRight(80);

        Card fromBytes = Card.Parse(System.Text.Encoding.ASCII.GetBytes(image));

        Assert.Equal(Card.Parse(image).Value, fromBytes.Value);
        Assert.Equal(image, fromBytes.Image);
        Assert.Throws<ArgumentException>(() => Card.Parse(new byte[79]));
        Assert.Throws<ArgumentException>(() => Card.Parse(new string(' ', 81)));
    }

    [Theory]
    [InlineData("BAD     = NaN")]
    [InlineData("BAD     = Infinity")]
    [InlineData("BAD     = 1,000")]
    [InlineData("BAD     = (1.0, )")]
    [InlineData("BAD     = TRUE")]
    public void Values_outside_the_grammar_are_parse_errors(string image)
    {
        Card card = Card.Parse(image);

        Assert.NotNull(card.ParseError);
        Assert.Equal(CardValueKind.Undefined, card.Value.Kind);
    }
}
