using Astro.Fits.Cards;
using Astro.Fits.Headers;
using Astro.Fits.Writing;

namespace Astro.Fits.Tests.Headers;

/// <summary>Header: keyed access, typed getters with defaults, and errors that say where.</summary>
public class HeaderTests
{
    private static Header Parse(params string[] images)
    {
        var header = new Header();
        foreach (string image in images)
        {
            header.Add(Card.Parse(image));
        }

        return header;
    }

    [Fact]
    public void Typed_getters_read_values_and_fall_back_to_defaults()
    {
        Header header = Parse(
            "NAXIS   =                    2",
            "EXPTIME =                 30.5",
            "INTREAL =               1024.0 / integral real where an integer belongs",
            "FLAG    =                    T",
            "OBJECT  = 'M 13    '",
            "UNDEF   =");

        Assert.Equal(2, header.GetInt64("NAXIS", -1));
        Assert.Equal(1024, header.GetInt64("INTREAL", -1));
        Assert.Equal(2.0, header.GetDouble("NAXIS", -1));
        Assert.Equal(30.5, header.GetDouble("EXPTIME", -1));
        Assert.True(header.GetBoolean("FLAG", false));
        Assert.Equal("M 13", header.GetString("OBJECT"));

        Assert.Equal(-1, header.GetInt64("MISSING", -1));
        Assert.Equal(-1, header.GetInt64("UNDEF", -1));
        Assert.False(header.TryGetInt64("MISSING", out _));
        Assert.False(header.TryGetDouble("UNDEF", out _));
        Assert.True(header.GetBoolean("MISSING", true));
        Assert.Null(header.GetString("MISSING"));
        Assert.Equal("dflt", header.GetString("MISSING", "dflt"));
        Assert.Equal(2, header.RequireInt64("NAXIS"));
    }

    [Fact]
    public void Keyed_access_finds_the_first_card_and_commentary_keeps_order()
    {
        Header header = Parse(
            "COMMENT first",
            "DUP     =                    1",
            "HISTORY one",
            "DUP     =                    2",
            "COMMENT second",
            "HISTORY two");

        Assert.Equal(1, header.GetInt64("DUP", 0));
        Assert.Equal(1, header.IndexOf("DUP"));
        Assert.Equal(["first", "second"], header.Comments);
        Assert.Equal(["one", "two"], header.History);
        Assert.False(header.Contains("COMMENT"));
        Assert.Equal(2, header.Remove("DUP"));
        Assert.False(header.Contains("DUP"));
        Assert.Equal(4, header.Count);
    }

    [Fact]
    public void Set_replaces_the_first_card_or_appends()
    {
        var header = new Header();
        header.Add("A", 1L);
        header.Set(Card.Create("A", CardValue.FromInteger(5)));
        header.Set(Card.Create("B", CardValue.FromInteger(6)));

        Assert.Equal(2, header.Count);
        Assert.Equal(5, header.GetInt64("A", 0));
        Assert.Equal(6, header.GetInt64("B", 0));
    }

    [Fact]
    public void Continue_cards_are_joined()
    {
        Header header = Parse(
            "LONG    = 'The first part, &'  / a long string",
            "CONTINUE  'the second part, &'",
            "CONTINUE  'and the end.'",
            "NEXT    = 'short&'",
            "AFTER   =                    1");

        Assert.Equal("The first part, the second part, and the end.", header.GetString("LONG"));
        Assert.Equal("short&", header.GetString("NEXT")); // no CONTINUE follows: the '&' is kept
        Assert.Equal(1, header.GetInt64("AFTER", 0));
        Assert.Equal(2, header.Count(c => c.IsContinue));
    }

    [Theory]
    [InlineData("NAXIS", "GetInt64", "must be an integer")]
    [InlineData("OBJECT", "GetDouble", "must be a number")]
    [InlineData("EXPTIME", "GetBoolean", "must be T or F")]
    [InlineData("FLAG", "GetString", "must be a string")]
    [InlineData("BROKEN", "GetInt64", "unterminated")]
    public void Wrong_types_are_errors_that_name_the_hdu_and_card(string keyword, string getter, string problem)
    {
        var user = new Header();
        user.Add(Card.Parse("OBJECT  = 'M 13'"));
        user.Add(Card.Parse("EXPTIME =                 30.5"));
        user.Add(Card.Parse("FLAG    =                    T"));
        user.Add(Card.Parse("BROKEN  = 'oops"));
        user.Add(Card.Parse("NAXIS   = 'two'")); // dropped by the writer: it owns NAXIS
        var stream = new MemoryStream();
        using (var writer = new FitsWriter(stream, new FitsWriterOptions { LeaveOpen = true }))
        {
            writer.WriteImage(FitsImage.Empty);
            writer.WriteImage(FitsImage.FromPixels(new short[4], 2, 2), user);
        }

        using FitsFile file = FitsFile.Open(stream.ToArray());
        Header header = file[1].Header;
        if (keyword == "NAXIS")
        {
            // The real NAXIS is fine; make a wrong-typed copy of this header's card at the same place instead.
            header = ReplaceFirst(header, "EXPTIME", Card.Parse("EXPTIME = 'thirty'"));
            keyword = "EXPTIME";
        }

        int cardIndex = header.IndexOf(keyword);
        FitsException e = Assert.Throws<FitsException>(() => Call(header, keyword, getter));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.HduIndex);
        Assert.Equal(cardIndex, e.CardIndex);
        Assert.StartsWith($"HDU 1, card {cardIndex} (byte {2880 + (cardIndex * 80)}): ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_required_keywords_name_the_hdu()
    {
        byte[] bytes = Writing.WritingFixtures.WriteImage(FitsImage.Empty);
        using FitsFile file = FitsFile.Open(bytes);

        FitsException e = Assert.Throws<FitsException>(() => file[0].Header.RequireInt64("NAXIS7"));

        Assert.Equal("HDU 0 (byte 0): missing required keyword NAXIS7", e.Message);
    }

    private static object? Call(Header header, string keyword, string getter) => getter switch
    {
        "GetInt64" => header.GetInt64(keyword, 0),
        "GetDouble" => header.GetDouble(keyword, 0),
        "GetBoolean" => header.GetBoolean(keyword, false),
        _ => header.GetString(keyword),
    };

    /// <summary>A header read from the same place in the file, with one card swapped: keeps HDU and byte offsets.</summary>
    private static Header ReplaceFirst(Header header, string keyword, Card card)
    {
        byte[] bytes = Writing.WritingFixtures.Write(w =>
        {
            w.WriteImage(FitsImage.Empty);
            var copy = new Header();
            foreach (Card c in header)
            {
                copy.Add(c.Keyword == keyword ? card : c);
            }

            w.WriteImage(FitsImage.FromPixels(new short[4], 2, 2), copy);
        });
        return FitsFile.Open(bytes)[1].Header;
    }
}
