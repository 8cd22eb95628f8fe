using System.Globalization;
using System.Text;

namespace Astro.Services;

/// <summary>
/// Untrusted text (blob names, exception messages quoting file contents) made safe for one log line or one reason
/// field: line breaks become spaces, control and invisible characters are escaped as <c>\xNN</c> / <c>\uNNNN</c>
/// (terminal escapes included), and the length is bounded.
/// </summary>
public static class Printable
{
    /// <summary>One printable line.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">The longest result; longer text keeps its start and its end around an ellipsis.</param>
    /// <param name="escapeBackslash">Whether backslashes are doubled (so that an escape in the output is unambiguous).</param>
    /// <param name="keepLineBreaks">Whether line breaks are escaped (names) rather than turned into spaces (messages).</param>
    /// <returns>The line.</returns>
    public static string Line(string? text, int maxLength = 2000, bool escapeBackslash = false, bool keepLineBreaks = false)
    {
        if (text is null)
        {
            return "(null)";
        }

        var b = new StringBuilder(Math.Min(text.Length, maxLength + 16));
        foreach (char c in text)
        {
            if (c == '\\' && escapeBackslash)
            {
                b.Append(@"\\");
            }
            else if ((c == '\n' || c == '\r') && !keepLineBreaks)
            {
                if (b.Length > 0 && b[^1] != ' ')
                {
                    b.Append(' ');
                }
            }
            else if (c < 0x20 || c == 0x7f)
            {
                b.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                b.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                b.Append(c);
            }
        }

        string s = b.ToString().TrimEnd();
        if (s.Length <= maxLength)
        {
            return s;
        }

        int head = maxLength * 2 / 3;
        int tail = maxLength - head - 1;
        return string.Concat(s.AsSpan(0, head), "…", s.AsSpan(s.Length - tail));
    }
}
