using System.Collections;
using System.Text;
using Astro.Fits.Cards;

namespace Astro.Fits.Headers;

/// <summary>
/// The ordered cards of one HDU, with keyed access to the first card of each keyword and typed getters.
/// </summary>
/// <remarks>
/// Getters come in three shapes: <c>GetXxx(keyword, default)</c> for optional keywords,
/// <c>TryGetXxx</c>, and <c>RequireXxx</c> for mandatory ones, which throws a
/// <see cref="FitsException"/> naming the HDU and card. A value of the wrong type is always an error,
/// never silently replaced by the default.
/// </remarks>
public sealed class Header : IReadOnlyList<Card>
{
    private readonly List<Card> _cards;
    private readonly Dictionary<string, int> _firstIndex = new(StringComparer.Ordinal);

    /// <summary>Creates an empty header (for writing).</summary>
    public Header()
        : this([], hduIndex: null, byteOffset: null)
    {
    }

    internal Header(List<Card> cards, int? hduIndex, long? byteOffset)
    {
        _cards = cards;
        HduIndex = hduIndex;
        ByteOffset = byteOffset;
        for (int i = 0; i < _cards.Count; i++)
        {
            Index(i);
        }
    }

    /// <summary>0-based index of the HDU this header belongs to, when read from a file.</summary>
    public int? HduIndex { get; }

    /// <summary>Absolute offset of the header's first byte in the file, when read from a file.</summary>
    public long? ByteOffset { get; }

    /// <summary>Number of cards, not counting END.</summary>
    public int Count => _cards.Count;

    /// <summary>The card at a 0-based position.</summary>
    public Card this[int index] => _cards[index];

    /// <summary>True when a card with this keyword exists.</summary>
    public bool Contains(string keyword) => _firstIndex.ContainsKey(keyword);

    /// <summary>The first card with this keyword, or null.</summary>
    public Card? Find(string keyword) => _firstIndex.TryGetValue(keyword, out int i) ? _cards[i] : null;

    /// <summary>The 0-based position of the first card with this keyword, or -1.</summary>
    public int IndexOf(string keyword) => _firstIndex.TryGetValue(keyword, out int i) ? i : -1;

    /// <summary>Appends a card.</summary>
    public void Add(Card card)
    {
        ArgumentNullException.ThrowIfNull(card);
        _cards.Add(card);
        Index(_cards.Count - 1);
    }

    /// <summary>Appends a valued card.</summary>
    public void Add(string keyword, CardValue value, string? comment = null) => Add(Card.Create(keyword, value, comment));

    /// <summary>Appends a string card, using CONTINUE cards when the string is long.</summary>
    public void Add(string keyword, string value, string? comment = null)
    {
        foreach (Card card in Card.CreateLongString(keyword, value, comment))
        {
            Add(card);
        }
    }

    /// <summary>Appends an integer card.</summary>
    public void Add(string keyword, long value, string? comment = null) => Add(keyword, CardValue.FromInteger(value), comment);

    /// <summary>Appends a floating-point card.</summary>
    public void Add(string keyword, double value, string? comment = null) => Add(keyword, CardValue.FromReal(value), comment);

    /// <summary>Appends a logical card.</summary>
    public void Add(string keyword, bool value, string? comment = null) => Add(keyword, CardValue.FromLogical(value), comment);

    /// <summary>Replaces the first card with the same keyword, or appends it.</summary>
    public void Set(Card card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (!card.IsCommentary && _firstIndex.TryGetValue(card.Keyword, out int i))
        {
            _cards[i] = card;
        }
        else
        {
            Add(card);
        }
    }

    /// <summary>Removes every card with this keyword; returns how many were removed.</summary>
    public int Remove(string keyword)
    {
        int removed = _cards.RemoveAll(c => c.Keyword == keyword && !c.IsCommentary);
        if (removed > 0)
        {
            _firstIndex.Clear();
            for (int i = 0; i < _cards.Count; i++)
            {
                Index(i);
            }
        }

        return removed;
    }

    /// <summary>The text of every COMMENT card, in order.</summary>
    public IEnumerable<string> Comments => Commentary("COMMENT");

    /// <summary>The text of every HISTORY card, in order.</summary>
    public IEnumerable<string> History => Commentary("HISTORY");

    /// <summary>Reads an optional integer keyword.</summary>
    public long GetInt64(string keyword, long defaultValue) => TryGetInt64(keyword, out long value) ? value : defaultValue;

    /// <summary>Reads an optional integer keyword; false when absent or undefined, throws when not an integer.</summary>
    public bool TryGetInt64(string keyword, out long value)
    {
        value = 0;
        if (!TryGetDefined(keyword, out Card? card, out int index))
        {
            return false;
        }

        if (card.Value.Kind == CardValueKind.Integer)
        {
            value = card.Value.AsInteger;
            return true;
        }

        // Some writers put integral reals where integers belong (NAXIS1 = 10.0): accept when exact.
        if (card.Value.Kind == CardValueKind.Real && Math.Abs(card.Value.AsReal) < 9.2e18 &&
            card.Value.AsReal == Math.Floor(card.Value.AsReal))
        {
            value = (long)card.Value.AsReal;
            return true;
        }

        throw Error(index, $"{keyword} must be an integer, not {Describe(card)}");
    }

    /// <summary>Reads a mandatory integer keyword.</summary>
    public long RequireInt64(string keyword)
    {
        if (TryGetInt64(keyword, out long value))
        {
            return value;
        }

        throw Error(null, $"missing required keyword {keyword}");
    }

    /// <summary>Reads an optional numeric keyword.</summary>
    public double GetDouble(string keyword, double defaultValue) => TryGetDouble(keyword, out double value) ? value : defaultValue;

    /// <summary>Reads an optional numeric keyword; false when absent or undefined, throws when not a number.</summary>
    public bool TryGetDouble(string keyword, out double value)
    {
        value = 0;
        if (!TryGetDefined(keyword, out Card? card, out int index))
        {
            return false;
        }

        if (card.Value.IsNumeric)
        {
            value = card.Value.AsReal;
            return true;
        }

        throw Error(index, $"{keyword} must be a number, not {Describe(card)}");
    }

    /// <summary>Reads an optional logical keyword.</summary>
    public bool GetBoolean(string keyword, bool defaultValue)
    {
        if (!TryGetDefined(keyword, out Card? card, out int index))
        {
            return defaultValue;
        }

        return card.Value.Kind == CardValueKind.Logical
            ? card.Value.AsLogical
            : throw Error(index, $"{keyword} must be T or F, not {Describe(card)}");
    }

    /// <summary>
    /// Reads an optional string keyword, joining CONTINUE cards of the long-string convention;
    /// null when absent or undefined.
    /// </summary>
    public string? GetString(string keyword)
    {
        if (!TryGetDefined(keyword, out Card? card, out int index))
        {
            return null;
        }

        if (card.Value.Kind != CardValueKind.String)
        {
            throw Error(index, $"{keyword} must be a string, not {Describe(card)}");
        }

        string value = card.Value.AsString!;
        if (!value.EndsWith('&') || index + 1 >= _cards.Count || !_cards[index + 1].IsContinue)
        {
            return value;
        }

        var builder = new StringBuilder(value, 0, value.Length - 1, value.Length * 2);
        for (int i = index + 1; i < _cards.Count && _cards[i].IsContinue && _cards[i].Value.Kind == CardValueKind.String; i++)
        {
            string part = _cards[i].Value.AsString!;
            bool more = part.EndsWith('&');
            builder.Append(part, 0, more ? part.Length - 1 : part.Length);
            if (!more)
            {
                break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Reads an optional string keyword with a default.</summary>
    public string GetString(string keyword, string defaultValue) => GetString(keyword) ?? defaultValue;

    /// <inheritdoc />
    public IEnumerator<Card> GetEnumerator() => _cards.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Creates a <see cref="FitsException"/> located at a card of this header.</summary>
    internal FitsException Error(int? cardIndex, string reason) =>
        new(reason, HduIndex, cardIndex, cardIndex is int c && ByteOffset is long o ? o + ((long)c * CardLayout.CardLength) : ByteOffset);

    private bool TryGetDefined(string keyword, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Card? card, out int index)
    {
        card = null;
        if (!_firstIndex.TryGetValue(keyword, out index))
        {
            return false;
        }

        card = _cards[index];
        if (card.ParseError is not null)
        {
            throw Error(index, $"{keyword}: {card.ParseError}");
        }

        return card.Value.Kind != CardValueKind.Undefined;
    }

    private static string Describe(Card card) => card.Value.Kind switch
    {
        CardValueKind.String => $"the string '{card.Value.AsString}'",
        CardValueKind.Logical => $"the logical {card.Value}",
        CardValueKind.Complex => $"the complex {card.Value}",
        _ => card.Value.ToString(),
    };

    private IEnumerable<string> Commentary(string keyword)
    {
        foreach (Card card in _cards)
        {
            if (card.Keyword == keyword && card.IsCommentary)
            {
                yield return card.Comment ?? string.Empty;
            }
        }
    }

    private void Index(int i)
    {
        Card card = _cards[i];
        if (!card.IsCommentary && !card.IsContinue)
        {
            _firstIndex.TryAdd(card.Keyword, i);
        }
    }
}
