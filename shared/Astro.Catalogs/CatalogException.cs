namespace Astro.Catalogs;

/// <summary>
/// The one exception type of Astro.Catalogs: an invalid survey profile, a catalog file that does not match its profile
/// (missing column, unreadable header), or malformed rows when <see cref="CatalogReaderOptions.MalformedRowHandling"/> is
/// <see cref="MalformedRowHandling.Fail"/>.
/// </summary>
/// <remarks>When several problems are found at once (profile validation), <see cref="Errors"/> lists all of them and the message repeats them, one per line.</remarks>
public sealed class CatalogException : Exception
{
    /// <summary>Creates an exception with a single problem.</summary>
    /// <param name="message">The message.</param>
    public CatalogException(string message)
        : this(message, [message], null)
    {
    }

    /// <summary>Creates an exception with a single problem and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errors">Every problem found.</param>
    /// <param name="source">The file or profile concerned.</param>
    /// <param name="lineNumber">The 1-based line number, when one line is at fault.</param>
    public CatalogException(string message, IReadOnlyList<string> errors, string? source, long? lineNumber = null)
        : base(message)
    {
        Errors = errors;
        SourceName = source;
        LineNumber = lineNumber;
    }

    /// <summary>Every problem found (at least one).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The file or profile concerned, when known.</summary>
    public string? SourceName { get; }

    /// <summary>The 1-based line number, when one line is at fault.</summary>
    public long? LineNumber { get; }

    internal static CatalogException ForErrors(string primary, IReadOnlyList<string> errors, string? source)
    {
        string message = $"{primary}: {errors.Count} problem{(errors.Count == 1 ? "" : "s")}:" + Environment.NewLine
            + string.Join(Environment.NewLine, errors.Select(e => "  - " + e));
        return new CatalogException(message, errors, source);
    }
}
