using Astro.Fits.Cards;
using Astro.Fits.Headers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astro.Fits.Tests.Headers;

/// <summary>Card.Create → Card.Parse gives back the same value, and reals never turn into integers.</summary>
public class CardFormatTests
{
    private static Gen<string> PrintableText(int maxLength) =>
        from length in Gen.Choose(0, maxLength)
        from chars in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant('\'')), (1, Gen.Constant('/')), (1, Gen.Constant('&')), (12, Gen.Choose(' ', '~').Select(c => (char)c))), length)
        select new string(chars).TrimEnd(' '); // trailing blanks are not significant in FITS strings

    private static Arbitrary<double> FiniteDoubles() =>
        Gen.Frequency(
            (6, Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => BitConverter.Int64BitsToDouble(((long)t.Item1 << 32) | (uint)t.Item2))),
            (2, Gen.Elements(0.0, -0.0, 1.0, -1.0, 3.0, 1e20, 1e-300, double.Epsilon, double.MaxValue, double.MinValue, 123456789012345680.0, 0.1, 2.5e-5)),
            (2, Gen.Choose(-1_000_000, 1_000_000).Select(i => (double)i)))
        .Where(double.IsFinite)
        .ToArbitrary();

    [Property(MaxTest = 1000)]
    public Property Reals_round_trip_bit_exact_and_stay_reals() => Prop.ForAll(FiniteDoubles(), value =>
    {
        Card card = Card.Create("VALUE", CardValue.FromReal(value), "a real");
        Card parsed = Card.Parse(card.Image);

        Assert.Equal(80, card.Image.Length);
        Assert.Equal(CardValueKind.Real, parsed.Value.Kind);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(parsed.Value.AsReal));
        Assert.Equal("a real", parsed.Comment);
        return true;
    });

    [Property(MaxTest = 500)]
    public Property Integers_round_trip() => Prop.ForAll(
        Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => ((long)t.Item1 << 32) | (uint)t.Item2).ToArbitrary(),
        value =>
        {
            Card parsed = Card.Parse(Card.Create("N", CardValue.FromInteger(value)).Image);
            return parsed.Value.Kind == CardValueKind.Integer && parsed.Value.AsInteger == value;
        });

    [Property(MaxTest = 500)]
    public Property Complex_values_round_trip() => Prop.ForAll(FiniteDoubles(), FiniteDoubles(), (re, im) =>
    {
        Card parsed = Card.Parse(Card.Create("Z", CardValue.FromComplex(re, im)).Image);
        return parsed.Value.Kind == CardValueKind.Complex && parsed.Value.AsReal.Equals(re) && parsed.Value.Imaginary.Equals(im);
    });

    [Property(MaxTest = 500)]
    public Property Short_strings_round_trip_with_quotes_escaped() => Prop.ForAll(PrintableText(34).ToArbitrary(), text =>
    {
        Card card = Card.Create("TEXT", CardValue.FromString(text), "c");
        Card parsed = Card.Parse(card.Image);
        Assert.Equal(text, parsed.Value.AsString);
        Assert.Equal("c", parsed.Comment);
        return true;
    });

    [Property(MaxTest = 300)]
    public Property Long_strings_round_trip_through_continue_cards() => Prop.ForAll(PrintableText(400).Where(t => !t.EndsWith('&')).ToArbitrary(), text =>
    {
        var header = new Header();
        header.Add("BEFORE", 1L);
        header.Add("NOTE", text, "a comment");
        header.Add("AFTER", 2L);

        // Read back the way a file would be: every card re-parsed from its image.
        var reparsed = new Header();
        foreach (Card card in header)
        {
            Assert.Equal(80, card.Image.Length);
            reparsed.Add(Card.Parse(card.Image));
        }

        Assert.Equal(text, reparsed.GetString("NOTE"));
        Assert.Equal(2, reparsed.GetInt64("AFTER", 0));
        Assert.Equal(text.Replace("'", "''", StringComparison.Ordinal).Length > 68, reparsed.Any(c => c.IsContinue));
        return true;
    });

    [Theory]
    [InlineData(3.0, "3.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1e20, "1.0E+20")]
    [InlineData(1.5e-7, "1.5E-07")]
    [InlineData(123456789012345680.0, "1.2345678901234568E+17")]
    public void Reals_are_never_formatted_as_integers(double value, string expected)
    {
        Card card = Card.Create("REAL", CardValue.FromReal(value));

        Assert.Equal(expected, card.Image[10..].Trim());
        Assert.Equal(CardValueKind.Real, Card.Parse(card.Image).Value.Kind);
    }

    [Fact]
    public void Fixed_format_right_justifies_numbers_to_column_30_and_pads_strings_to_8()
    {
        Assert.Equal("NAXIS1  =                  100 / width", Card.Create("NAXIS1", CardValue.FromInteger(100), "width").Image.TrimEnd());
        Assert.Equal("SIMPLE  =                    T", Card.Create("SIMPLE", CardValue.FromLogical(true)).Image.TrimEnd());
        Assert.Equal("XTENSION= 'IMAGE   '", Card.Create("XTENSION", CardValue.FromString("IMAGE")).Image.TrimEnd());
        Assert.Equal("UNDEF   =", Card.Create("UNDEF", CardValue.Undefined).Image.TrimEnd());
    }

    [Fact]
    public void Invalid_cards_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Card.Create("lower", CardValue.FromInteger(1)));
        Assert.Throws<ArgumentException>(() => Card.Create("TOOLONGKEY", CardValue.FromInteger(1)));
        Assert.Throws<ArgumentException>(() => Card.Create("NAN", CardValue.FromReal(double.NaN)));
        Assert.Throws<ArgumentException>(() => Card.Create("TEXT", CardValue.FromString(new string('x', 69))));
        Assert.Throws<ArgumentException>(() => Card.Create("TEXT", CardValue.FromString("tab\there")));
        Assert.Throws<ArgumentException>(() => Card.Create("NONE", CardValue.None));
        Assert.Throws<ArgumentException>(() => Card.CreateCommentary("OBJECT", "not commentary"));
    }

    [Fact]
    public void Commentary_text_longer_than_72_characters_is_cut()
    {
        Card card = Card.CreateCommentary("HISTORY", new string('h', 100));

        Assert.Equal(80, card.Image.Length);
        Assert.Equal(new string('h', 72), Card.Parse(card.Image).Comment);
    }
}
