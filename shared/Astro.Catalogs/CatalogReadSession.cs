using Astro.Catalogs.Models;

namespace Astro.Catalogs;

/// <summary>An open catalog: the resolved columns, the chunk stream and the report of what was read.</summary>
public sealed class CatalogReadSession : IDisposable
{
    private readonly ICatalogSource _main;
    private readonly SurveyProfile _profile;
    private readonly CatalogReaderOptions _options;
    private readonly List<string> _mainNumeric = [];
    private readonly List<string> _mainText = [];
    private readonly List<JoinTable> _joins = [];
    private bool _started;

    internal CatalogReadSession(CatalogReader reader, ICatalogSource main, SurveyProfile profile, CatalogReaderOptions options)
    {
        _main = main;
        _profile = profile;
        _options = options;
        Report = new CatalogReadReport(main.SourceName) { Layout = main.Layout };

        var errors = new List<string>();
        var columns = new HashSet<string>(main.ColumnNames, StringComparer.Ordinal);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(main.SourceName));

        // Which columns come from which join.
        var joinOf = new Dictionary<string, JoinDefinition>(StringComparer.Ordinal);
        foreach (JoinDefinition j in profile.Joins)
        {
            foreach (string c in j.Columns)
            {
                joinOf.TryAdd(c, j);
            }
        }

        NumericColumns = profile.GetRequiredNumericColumns();
        TextColumns = profile.GetRequiredTextColumns();
        foreach (string c in NumericColumns)
        {
            if (columns.Contains(c))
            {
                _mainNumeric.Add(c);
            }
            else if (!joinOf.ContainsKey(c))
            {
                errors.Add(Missing(main, c, Role(profile, c)));
            }
        }

        foreach (string c in TextColumns)
        {
            if (columns.Contains(c))
            {
                _mainText.Add(c);
            }
            else
            {
                errors.Add(Missing(main, c, Role(profile, c)));
            }
        }

        if (profile.IdColumn is string id)
        {
            HasIds = true;
            if (!columns.Contains(id))
            {
                errors.Add(Missing(main, id, "ID column"));
            }
            else if (!_mainText.Contains(id))
            {
                _mainText.Insert(0, id);
            }
        }

        foreach (JoinDefinition j in profile.Joins)
        {
            List<string> wanted = j.Columns.Where(c => NumericColumns.Contains(c) && !columns.Contains(c)).ToList();
            if (wanted.Count == 0)
            {
                continue;
            }

            string jp = Path.Combine(dir ?? ".", j.Path);
            if (!File.Exists(jp))
            {
                errors.Add($"Joined catalog '{jp}' (profile '{profile.Name}') does not exist.");
                continue;
            }

            ICatalogSource js = reader.OpenSource(jp, j.Dialect);
            var jcols = new HashSet<string>(js.ColumnNames, StringComparer.Ordinal);
            bool ok = true;
            foreach (string c in wanted.Append(j.IdColumn))
            {
                if (!jcols.Contains(c))
                {
                    errors.Add(Missing(js, c, c == j.IdColumn ? "join ID column" : Role(profile, c)));
                    ok = false;
                }
            }

            if (ok)
            {
                _joins.Add(new JoinTable(js, j, wanted, options.ChunkRows, Report));
            }

            js.Dispose();
        }

        if (errors.Count > 0 && main.Layout.Contains("no header found", StringComparison.Ordinal))
        {
            // The columns are missing because no header was found, not because the file lacks them: say which header the profile expects.
            string message = $"Catalog '{main.SourceName}' has no header where profile '{profile.Name}' expects it ({ExpectedHeader(profile.Dialect)}), so its {main.ColumnNames.Count} columns have no names and {errors.Count} column(s) the profile needs cannot be found.";
            throw new CatalogException(message, [message, .. errors], main.SourceName);
        }

        if (errors.Count == 1)
        {
            throw new CatalogException(errors[0], errors, main.SourceName);
        }

        if (errors.Count > 1)
        {
            throw CatalogException.ForErrors($"Catalog '{main.SourceName}' does not match profile '{profile.Name}'", errors, main.SourceName);
        }
    }

    /// <summary>The catalog file.</summary>
    public string SourcePath => _main.SourceName;

    /// <summary>The layout found, e.g. <c>delimiter ',', header on comment line 1 (';'-separated), 11 columns</c>.</summary>
    public string Layout => _main.Layout;

    /// <summary>All column names of the file.</summary>
    public IReadOnlyList<string> SourceColumns => _main.ColumnNames;

    /// <summary>The numeric columns of every chunk, in order (band value and error, redshift, labels; joined columns included).</summary>
    public IReadOnlyList<string> NumericColumns { get; }

    /// <summary>The text columns of every chunk (class label, band flags).</summary>
    public IReadOnlyList<string> TextColumns { get; }

    /// <summary>Whether chunks carry <see cref="CatalogChunk.Ids"/>.</summary>
    public bool HasIds { get; }

    /// <summary>What was read so far; complete once <see cref="ReadChunks"/> has been enumerated to the end.</summary>
    public CatalogReadReport Report { get; }

    /// <summary>Streams the rows in chunks of at most <see cref="CatalogReaderOptions.ChunkRows"/> rows. Can be enumerated once.</summary>
    /// <param name="cancellationToken">Checked once per chunk.</param>
    /// <returns>The chunks.</returns>
    /// <exception cref="InvalidOperationException">Enumerated a second time.</exception>
    /// <exception cref="CatalogException">A malformed row with <see cref="MalformedRowHandling.Fail"/>.</exception>
    public IEnumerable<CatalogChunk> ReadChunks(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("A catalog session can be read once; open the catalog again.");
        }

        _started = true;
        return Iterate(cancellationToken);
    }

    private IEnumerable<CatalogChunk> Iterate(CancellationToken cancellationToken)
    {
        int idSlot = _profile.IdColumn is null ? -1 : _mainText.IndexOf(_profile.IdColumn);
        foreach (CatalogChunk raw in _main.ReadChunks(_mainNumeric, _mainText, _options.ChunkRows, Report, cancellationToken))
        {
            int n = raw.RowCount;
            string[]? ids = idSlot >= 0 ? raw.TextColumns[idSlot] : null;
            var numeric = new double[NumericColumns.Count][];
            for (int i = 0; i < NumericColumns.Count; i++)
            {
                string name = NumericColumns[i];
                if (raw.HasColumn(name))
                {
                    numeric[i] = raw.GetColumn(name);
                }
                else
                {
                    JoinTable j = _joins.First(t => t.Has(name));
                    numeric[i] = j.Lookup(name, ids!, raw.LineNumbers, Report);
                }
            }

            var text = TextColumns.Select(raw.GetTextColumn).ToArray();
            yield return new CatalogChunk(n, raw.FirstRowIndex, NumericColumns, numeric, TextColumns, text, ids, raw.LineNumbers);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _main.Dispose();

    private static string Role(SurveyProfile p, string column)
    {
        foreach (BandDefinition b in p.Bands)
        {
            if (b.Column == column)
            {
                return $"band '{b.Name}' value";
            }

            if (b.ErrorColumn == column)
            {
                return $"band '{b.Name}' error";
            }

            if (b.Flag?.Column == column)
            {
                return $"band '{b.Name}' flag";
            }
        }

        if (p.Redshift?.Column == column)
        {
            return "redshift";
        }

        foreach (LabelDefinition l in p.Labels)
        {
            if (l.Column == column)
            {
                return $"label '{l.Name}'";
            }
        }

        return p.ClassLabel?.Column == column ? "class label" : "column";
    }

    private static string ExpectedHeader(CsvDialect d) => d.Header switch
    {
        HeaderMode.FirstLine => "the first line",
        HeaderMode.LastCommentLine => $"the last comment line before the data, starting with '{d.CommentPrefix}'",
        HeaderMode.None => "none: the profile's columnNames",
        _ => $"a comment line starting with '{d.CommentPrefix}' right above the data, or a first line of names",
    };

    private static string Missing(ICatalogSource source, string column, string role)
    {
        List<string> near = CatalogReader.NearMatches(column, source.ColumnNames);
        return $"Catalog '{source.SourceName}' has no column '{column}' ({role}); "
            + (near.Count == 0 ? "no similar column names." : $"near matches: {string.Join(", ", near.Select(n => "'" + n + "'"))}.");
    }

    private sealed class JoinTable
    {
        private readonly Dictionary<string, int> _rowOf = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double[]> _values = new(StringComparer.Ordinal);
        private readonly string _file;

        public JoinTable(ICatalogSource source, JoinDefinition def, List<string> columns, int chunkRows, CatalogReadReport mainReport)
        {
            _file = def.Path;
            var report = new CatalogReadReport(source.SourceName);
            var lists = columns.ToDictionary(c => c, _ => new List<double>(), StringComparer.Ordinal);
            foreach (CatalogChunk chunk in source.ReadChunks(columns, [def.IdColumn], chunkRows, report, CancellationToken.None))
            {
                string[] ids = chunk.GetTextColumn(def.IdColumn);
                for (int r = 0; r < chunk.RowCount; r++)
                {
                    if (!_rowOf.TryAdd(ids[r], lists[columns[0]].Count))
                    {
                        mainReport.AddTolerated("duplicateJoinId", chunk.LineNumbers[r], $"'{def.Path}' line {chunk.LineNumbers[r]}: ID '{ids[r]}' seen before; the first row is used");
                        continue;
                    }

                    foreach (string c in columns)
                    {
                        lists[c].Add(chunk.GetColumn(c)[r]);
                    }
                }
            }

            foreach (KeyValuePair<string, RowIssueSummary> m in report.Malformed)
            {
                for (int i = 0; i < m.Value.Count; i++)
                {
                    mainReport.AddTolerated("joinMalformed", 0, $"'{def.Path}': {m.Value.FirstMessage}");
                }
            }

            foreach (string c in columns)
            {
                _values[c] = [.. lists[c]];
            }
        }

        public bool Has(string column) => _values.ContainsKey(column);

        public double[] Lookup(string column, string[] ids, long[] lines, CatalogReadReport report)
        {
            double[] src = _values[column];
            double[] result = new double[ids.Length];
            bool first = _values.Keys.First() == column;
            for (int i = 0; i < ids.Length; i++)
            {
                if (_rowOf.TryGetValue(ids[i], out int r))
                {
                    result[i] = src[r];
                }
                else
                {
                    result[i] = double.NaN;
                    if (first)
                    {
                        report.AddTolerated("joinMissing", lines[i], $"line {lines[i]}: ID '{ids[i]}' not in '{_file}'; its columns are NaN");
                    }
                }
            }

            return result;
        }
    }
}
