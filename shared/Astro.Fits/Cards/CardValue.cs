using System.Globalization;

namespace Astro.Fits.Cards;

/// <summary>A typed card value, including an explicit "undefined" and "no value".</summary>
public readonly struct CardValue : IEquatable<CardValue>
{
    private readonly long _integer;
    private readonly double _real;
    private readonly double _imaginary;
    private readonly string? _text;

    private CardValue(CardValueKind kind, long integer = 0, double real = 0, double imaginary = 0, string? text = null)
    {
        Kind = kind;
        _integer = integer;
        _real = real;
        _imaginary = imaginary;
        _text = text;
    }

    /// <summary>What the value holds.</summary>
    public CardValueKind Kind { get; }

    /// <summary>No value indicator (commentary cards).</summary>
    public static CardValue None => default;

    /// <summary>A value indicator followed by nothing.</summary>
    public static CardValue Undefined => new(CardValueKind.Undefined);

    /// <summary>Creates a logical value.</summary>
    public static CardValue FromLogical(bool value) => new(CardValueKind.Logical, integer: value ? 1 : 0);

    /// <summary>Creates an integer value.</summary>
    public static CardValue FromInteger(long value) => new(CardValueKind.Integer, integer: value, real: value);

    /// <summary>Creates a floating-point value.</summary>
    public static CardValue FromReal(double value) => new(CardValueKind.Real, real: value);

    /// <summary>Creates a complex value.</summary>
    public static CardValue FromComplex(double real, double imaginary) => new(CardValueKind.Complex, real: real, imaginary: imaginary);

    /// <summary>Creates a string value (unquoted, without escapes).</summary>
    public static CardValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(CardValueKind.String, text: value);
    }

    /// <summary>True for integer and real values.</summary>
    public bool IsNumeric => Kind is CardValueKind.Integer or CardValueKind.Real;

    /// <summary>The logical value; only meaningful when <see cref="Kind"/> is Logical.</summary>
    public bool AsLogical => _integer != 0;

    /// <summary>The integer value; only meaningful when <see cref="Kind"/> is Integer.</summary>
    public long AsInteger => _integer;

    /// <summary>The numeric value as a double (integers converted); the real part for complex values.</summary>
    public double AsReal => _real;

    /// <summary>The imaginary part of a complex value.</summary>
    public double Imaginary => _imaginary;

    /// <summary>The string value; null unless <see cref="Kind"/> is String.</summary>
    public string? AsString => _text;

    /// <inheritdoc />
    public bool Equals(CardValue other) =>
        Kind == other.Kind && _integer == other._integer && _real.Equals(other._real) &&
        _imaginary.Equals(other._imaginary) && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CardValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _integer, _real, _imaginary, _text);

    /// <summary>Compares two values.</summary>
    public static bool operator ==(CardValue left, CardValue right) => left.Equals(right);

    /// <summary>Compares two values.</summary>
    public static bool operator !=(CardValue left, CardValue right) => !left.Equals(right);

    /// <summary>The value as it reads in a header (strings quoted).</summary>
    public override string ToString() => Kind switch
    {
        CardValueKind.None => string.Empty,
        CardValueKind.Undefined => string.Empty,
        CardValueKind.Logical => AsLogical ? "T" : "F",
        CardValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        CardValueKind.Real => _real.ToString("R", CultureInfo.InvariantCulture),
        CardValueKind.Complex => string.Create(CultureInfo.InvariantCulture, $"({_real:R}, {_imaginary:R})"),
        _ => "'" + _text!.Replace("'", "''", StringComparison.Ordinal) + "'",
    };
}
