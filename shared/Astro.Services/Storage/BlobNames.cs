using System.Security.Cryptography;
using System.Text;

namespace Astro.Services.Storage;

/// <summary>
/// Blob names as they arrive are untrusted: they may hold dot segments (<c>../x.csv</c>), control characters,
/// newlines, or run to 1,024 characters. These helpers make them safe to print on one log line and to derive other
/// blob names from.
/// </summary>
public static class BlobNames
{
    /// <summary>The longest blob name Azure Storage accepts: 1,024 characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>
    /// The name for a log line or a message: control and other invisible characters escaped as <c>\xNN</c> /
    /// <c>\uNNNN</c>, backslashes doubled, at most 300 characters (longer names keep their start and end).
    /// </summary>
    /// <param name="name">The blob name.</param>
    /// <returns>One printable line.</returns>
    public static string Printable(string? name) => Astro.Services.Printable.Line(name, 300, escapeBackslash: true, keepLineBreaks: true);

    /// <summary>
    /// Whether a name is plain: printable (see <see cref="Printable"/>: nothing escaped), no empty, <c>.</c> or
    /// <c>..</c> segment, not ending in '.' or '/', and short enough to carry a prefix and suffix (at most 900 characters).
    /// Plain names can be used inside derived names as they are; others are replaced by a digest.
    /// </summary>
    /// <param name="name">The blob name.</param>
    /// <returns>True when plain.</returns>
    public static bool IsPlain(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 900 || name.EndsWith('.') || Printable(name) != name)
        {
            return false;
        }

        foreach (string segment in name.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A stable stand-in for a name that is not plain: <c>_names/{16 hex digits of SHA-256}</c>.</summary>
    /// <param name="name">The blob name.</param>
    /// <returns>The stand-in.</returns>
    public static string Digest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "_names/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];
    }

    /// <summary>The name itself when plain, else its <see cref="Digest"/> (the part other blob names are derived from).</summary>
    /// <param name="name">The blob name.</param>
    /// <returns>A plain name.</returns>
    public static string PlainOrDigest(string name) => IsPlain(name) ? name : Digest(name);
}
