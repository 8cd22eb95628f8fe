namespace Astro.Fits.Cards;

/// <summary>What a card's value field holds.</summary>
public enum CardValueKind
{
    /// <summary>The card has no value indicator: commentary (COMMENT, HISTORY, blank keyword, END).</summary>
    None = 0,

    /// <summary>The card has a value indicator but an empty value: the value is undefined.</summary>
    Undefined,

    /// <summary>T or F.</summary>
    Logical,

    /// <summary>An integer that fits in 64 bits.</summary>
    Integer,

    /// <summary>A floating-point number (E or D exponent), or an integer too large for 64 bits.</summary>
    Real,

    /// <summary>A complex number, <c>(re, im)</c>.</summary>
    Complex,

    /// <summary>A quoted character string.</summary>
    String,
}
