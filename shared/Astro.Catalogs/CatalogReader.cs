using Astro.Catalogs.Models;
using Astro.Catalogs.Text;

namespace Astro.Catalogs;

/// <summary>
/// Reads the columns a <see cref="SurveyProfile"/> needs from a catalog file, in column-major chunks of bounded size.
/// </summary>
/// <remarks>
/// Text files may be comma, tab, semicolon, pipe or whitespace separated (detected), gzip-compressed (detected from the
/// magic bytes), with a UTF-8 BOM, CRLF line ends, quoted fields, trailing delimiters, and the header on the first line or
/// on a comment line (possibly with another delimiter). Only the profile's columns are parsed. Other formats plug in
/// through <see cref="CatalogReaderOptions.SourceFactory"/>.
/// </remarks>
public class CatalogReader
{
    private readonly SurveyProfile _profile = null!;
    private readonly CatalogReaderOptions _options = null!;

    /// <summary>For mocking only.</summary>
    protected CatalogReader()
    {
    }

    /// <summary>Creates a reader with default options.</summary>
    /// <param name="profile">The profile.</param>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    public CatalogReader(SurveyProfile profile)
        : this(profile, new CatalogReaderOptions())
    {
    }

    /// <summary>Creates a reader.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="options">The options (validated here; later changes are not seen).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CatalogException">The options are out of range (all problems listed).</exception>
    public CatalogReader(SurveyProfile profile, CatalogReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _profile = profile;
        _options = new CatalogReaderOptions
        {
            ChunkRows = options.ChunkRows,
            BufferSize = options.BufferSize,
            MalformedRowHandling = options.MalformedRowHandling,
            SourceFactory = options.SourceFactory,
        };
    }

    /// <summary>The profile.</summary>
    public virtual SurveyProfile Profile => _profile;

    /// <summary>Opens a catalog: detects its layout and checks that every column the profile needs exists.</summary>
    /// <param name="path">The catalog file.</param>
    /// <returns>A session that streams chunks and holds the read report.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CatalogException">A needed column is missing (the message names the file, the column and near matches) or the layout is unreadable.</exception>
    public virtual CatalogReadSession Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Catalog file '{path}' does not exist.", path);
        }

        ICatalogSource main = OpenSource(path, _profile.Dialect);
        try
        {
            return new CatalogReadSession(this, main, _profile, _options);
        }
        catch
        {
            main.Dispose();
            throw;
        }
    }

    /// <summary>Reads a whole catalog into one chunk.</summary>
    /// <param name="path">The catalog file.</param>
    /// <param name="cancellationToken">Checked once per chunk.</param>
    /// <returns>All rows and the report.</returns>
    /// <exception cref="CatalogException">See <see cref="Open(string)"/>; also malformed rows when <see cref="MalformedRowHandling.Fail"/> is set.</exception>
    public virtual (CatalogChunk Rows, CatalogReadReport Report) ReadAll(string path, CancellationToken cancellationToken = default)
    {
        using CatalogReadSession session = Open(path);
        var chunks = session.ReadChunks(cancellationToken).ToList();
        return (Concatenate(chunks, session), session.Report);
    }

    internal ICatalogSource OpenSource(string path, CsvDialect dialect)
        => _options.SourceFactory?.Invoke(path) ?? new TextCatalogSource(path, dialect, _options.BufferSize, _options.MalformedRowHandling);

    private static CatalogChunk Concatenate(List<CatalogChunk> chunks, CatalogReadSession session)
    {
        int n = chunks.Sum(c => c.RowCount);
        IReadOnlyList<string> names = session.NumericColumns;
        IReadOnlyList<string> textNames = session.TextColumns;
        var numeric = names.Select(_ => new double[n]).ToArray();
        var text = textNames.Select(_ => new string[n]).ToArray();
        string[]? ids = session.HasIds ? new string[n] : null;
        long[] lines = new long[n];
        int at = 0;
        foreach (CatalogChunk c in chunks)
        {
            for (int i = 0; i < numeric.Length; i++)
            {
                c.Columns[i].CopyTo(numeric[i], at);
            }

            for (int i = 0; i < text.Length; i++)
            {
                c.TextColumns[i].CopyTo(text[i], at);
            }

            c.Ids?.CopyTo(ids!, at);
            c.LineNumbers.CopyTo(lines, at);
            at += c.RowCount;
        }

        return new CatalogChunk(n, 0, names, numeric, textNames, text, ids, lines);
    }

    /// <summary>Suggests up to three column names close to <paramref name="wanted"/>.</summary>
    internal static List<string> NearMatches(string wanted, IReadOnlyList<string> available)
    {
        return available
            .Select(a => (Name: a, Score: Score(wanted, a)))
            .Where(t => t.Score < int.MaxValue)
            .OrderBy(t => t.Score)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(t => t.Name)
            .ToList();

        static int Score(string w, string a)
        {
            if (string.Equals(w, a, StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            string wl = w.ToLowerInvariant();
            string al = a.ToLowerInvariant();
            int d = Levenshtein(wl, al);
            if (d < wl.Length && d <= Math.Max(2, wl.Length / 3))
            {
                return d;
            }

            // 'Z' -> 'MAG_Z', 'M' -> 'Mass': the wanted name is a word or the prefix of an available one.
            string[] tokens = al.Split(['_', ':', '.', '-', ' ', '/'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Contains(wl) || (wl.Length >= 1 && al.StartsWith(wl, StringComparison.Ordinal)) || (wl.Length >= 3 && al.Contains(wl, StringComparison.Ordinal)))
            {
                return 10 + Math.Abs(al.Length - wl.Length);
            }

            if (al.Length >= 3 && wl.Contains(al, StringComparison.Ordinal))
            {
                return 20 + Math.Abs(al.Length - wl.Length);
            }

            return int.MaxValue;
        }
    }

    private static int Levenshtein(string a, string b)
    {
        int[] prev = new int[b.Length + 1];
        int[] cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}
