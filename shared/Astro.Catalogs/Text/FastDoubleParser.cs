using System.Globalization;
using System.Runtime.CompilerServices;

namespace Astro.Catalogs.Text;

/// <summary>
/// Parses invariant-culture decimal numbers straight from UTF-8 bytes. Numbers with at most 19 significant digits and a
/// decimal exponent the double type can scale exactly (Clinger's fast path: mantissa below 2^53, |power of ten| at most 22)
/// are computed with one multiplication or division, which is correctly rounded and therefore identical to
/// <see cref="double.Parse(string, IFormatProvider)"/>. Everything else falls back to the BCL parser.
/// </summary>
internal static class FastDoubleParser
{
    private static readonly double[] s_powersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses a trimmed field. Returns false when the text is not a number.</summary>
    /// <param name="s">The field, without surrounding blanks, not empty.</param>
    /// <param name="value">The number.</param>
    /// <returns>Whether the field is a number.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> s, out double value)
    {
        int i = 0;
        int n = s.Length;
        bool negative = false;
        if (n > 0 && (s[0] == (byte)'-' || s[0] == (byte)'+'))
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }

        ulong mantissa = 0;
        int digits = 0;
        int exponent = 0;
        int start = i;
        while (i < n)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d > 9)
            {
                break;
            }

            if (digits < 19)
            {
                mantissa = (mantissa * 10) + d;
                if (mantissa != 0)
                {
                    digits++;
                }
            }
            else
            {
                return Slow(s, out value);
            }

            i++;
        }

        bool anyDigits = i > start;
        if (i < n && s[i] == (byte)'.')
        {
            i++;
            int fracStart = i;
            while (i < n)
            {
                uint d = (uint)(s[i] - (byte)'0');
                if (d > 9)
                {
                    break;
                }

                if (digits < 19)
                {
                    mantissa = (mantissa * 10) + d;
                    if (mantissa != 0)
                    {
                        digits++;
                    }

                    exponent--;
                }
                else
                {
                    return Slow(s, out value);
                }

                i++;
            }

            anyDigits |= i > fracStart;
        }

        if (!anyDigits)
        {
            return Slow(s, out value);
        }

        if (i < n && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            bool expNegative = false;
            if (i < n && (s[i] == (byte)'-' || s[i] == (byte)'+'))
            {
                expNegative = s[i] == (byte)'-';
                i++;
            }

            int expStart = i;
            int e = 0;
            while (i < n)
            {
                uint d = (uint)(s[i] - (byte)'0');
                if (d > 9)
                {
                    break;
                }

                if (e < 100000)
                {
                    e = (e * 10) + (int)d;
                }

                i++;
            }

            if (i == expStart)
            {
                return Slow(s, out value);
            }

            exponent += expNegative ? -e : e;
        }

        if (i != n)
        {
            return Slow(s, out value);
        }

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }

        if (mantissa <= (1UL << 53) && exponent >= -22 && exponent <= 22)
        {
            double m = mantissa;
            m = exponent < 0 ? m / s_powersOf10[-exponent] : m * s_powersOf10[exponent];
            value = negative ? -m : m;
            return true;
        }

        return Slow(s, out value);
    }

    private static bool Slow(ReadOnlySpan<byte> s, out double value)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // Spellings written by C, numpy and pandas that the BCL does not accept.
        Span<char> lower = stackalloc char[Math.Min(s.Length, 16)];
        if (s.Length > 16)
        {
            return false;
        }

        for (int k = 0; k < s.Length; k++)
        {
            lower[k] = char.ToLowerInvariant((char)s[k]);
        }

        switch (lower)
        {
            case "nan" or "+nan" or "-nan" or "nan(ind)" or "-nan(ind)" or "null":
                value = double.NaN;
                return true;
            case "inf" or "+inf" or "infinity" or "+infinity" or "1.#inf":
                value = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity" or "-1.#inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return false;
        }
    }
}
