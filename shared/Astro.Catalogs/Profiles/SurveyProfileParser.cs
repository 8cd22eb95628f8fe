using System.Text.Json;

namespace Astro.Catalogs;

/// <summary>Reads a profile document element by element so that every problem is collected, not only the first.</summary>
internal static class SurveyProfileParser
{
    private static readonly Dictionary<string, PhotometryUnit> s_units = new(StringComparer.Ordinal)
    {
        ["Jy"] = PhotometryUnit.Jansky,
        ["mJy"] = PhotometryUnit.MilliJansky,
        ["uJy"] = PhotometryUnit.MicroJansky,
        ["µJy"] = PhotometryUnit.MicroJansky,
        ["μJy"] = PhotometryUnit.MicroJansky,
        ["nanomaggies"] = PhotometryUnit.Nanomaggies,
        ["ABmag"] = PhotometryUnit.ABMagnitude,
        ["asinhMag"] = PhotometryUnit.AsinhMagnitude,
    };

    private static readonly Dictionary<string, SentinelMeaning> s_meanings = new(StringComparer.Ordinal)
    {
        ["notObserved"] = SentinelMeaning.NotObserved,
        ["notDetected"] = SentinelMeaning.NotDetected,
        ["saturated"] = SentinelMeaning.Saturated,
    };

    private static readonly Dictionary<string, ModelInputRepresentation> s_representations = new(StringComparer.Ordinal)
    {
        ["fluxMicroJansky"] = ModelInputRepresentation.FluxMicroJansky,
        ["abMagnitude"] = ModelInputRepresentation.ABMagnitude,
    };

    private static readonly Dictionary<string, LabelTransform> s_transforms = new(StringComparer.Ordinal)
    {
        ["none"] = LabelTransform.None,
        ["log10"] = LabelTransform.Log10,
    };

    private static readonly Dictionary<string, RedshiftKind> s_redshiftKinds = new(StringComparer.Ordinal)
    {
        ["z"] = RedshiftKind.Redshift,
        ["velocityKmPerS"] = RedshiftKind.VelocityKmPerSecond,
    };

    private static readonly Dictionary<string, HeaderMode> s_headerModes = new(StringComparer.Ordinal)
    {
        ["auto"] = HeaderMode.Auto,
        ["firstLine"] = HeaderMode.FirstLine,
        ["lastCommentLine"] = HeaderMode.LastCommentLine,
        ["none"] = HeaderMode.None,
    };

    public static SurveyProfile Parse(string json, string sourceName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CatalogException($"Survey profile '{sourceName}' is not valid JSON: {ex.Message}", [ex.Message], sourceName);
        }

        using (doc)
        {
            var errors = new List<string>();
            var c = new Ctx(errors);
            SurveyProfile? profile = ReadProfile(c, doc.RootElement);
            if (errors.Count > 0 || profile is null)
            {
                throw CatalogException.ForErrors($"Survey profile '{sourceName}' is invalid", errors, sourceName);
            }

            return profile;
        }
    }

    private static SurveyProfile? ReadProfile(Ctx c, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            c.Error("$", "the document must be a JSON object");
            return null;
        }

        c.CheckKnown("$", root, "formatVersion", "name", "description", "idColumn", "bands", "sentinels", "redshift", "labels", "classLabel", "model", "dialect", "joins", "$schema", "notes");

        SurveyProfileVersion version = SurveyProfileVersion.V1;
        if (c.Int("$.formatVersion", root, "formatVersion", required: true) is int v)
        {
            if (!Enum.IsDefined((SurveyProfileVersion)v))
            {
                c.Error("$.formatVersion", $"unsupported format version {v} (supported: {string.Join(", ", Enum.GetValues<SurveyProfileVersion>().Select(x => (int)x))}; versions start at 1)");
            }
            else
            {
                version = (SurveyProfileVersion)v;
            }
        }

        string name = c.Str("$.name", root, "name", required: true) ?? "";
        if (name.Length > 0 && name.Trim().Length == 0)
        {
            c.Error("$.name", "must not be blank");
        }

        string description = c.Str("$.description", root, "description", required: true) ?? "";
        string? idColumn = c.Str("$.idColumn", root, "idColumn", required: false);

        var bands = new List<BandDefinition>();
        if (c.Array("$.bands", root, "bands", required: true) is JsonElement bandsEl)
        {
            int i = 0;
            foreach (JsonElement b in bandsEl.EnumerateArray())
            {
                if (ReadBand(c, $"$.bands[{i}]", b) is BandDefinition band)
                {
                    bands.Add(band);
                }

                i++;
            }

            if (i == 0)
            {
                c.Error("$.bands", "must list at least one band");
            }
        }

        foreach (IGrouping<string, BandDefinition> g in bands.GroupBy(b => b.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            c.Error("$.bands", $"band name '{g.Key}' is used {g.Count()} times");
        }

        foreach (IGrouping<string, BandDefinition> g in bands.GroupBy(b => b.Column, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            c.Error("$.bands", $"column '{g.Key}' is used by {g.Count()} bands");
        }

        IReadOnlyList<SentinelDefinition> sentinels = ReadSentinels(c, "$.sentinels", root);

        RedshiftDefinition? redshift = null;
        if (c.Object("$.redshift", root, "redshift", required: false) is JsonElement zEl)
        {
            c.CheckKnown("$.redshift", zEl, "column", "kind");
            string? col = c.Str("$.redshift.column", zEl, "column", required: true);
            RedshiftKind kind = c.Enum("$.redshift.kind", zEl, "kind", s_redshiftKinds, RedshiftKind.Redshift);
            if (col is not null)
            {
                redshift = new RedshiftDefinition { Column = col, Kind = kind };
            }
        }

        var labels = new List<LabelDefinition>();
        if (c.Array("$.labels", root, "labels", required: false) is JsonElement labelsEl)
        {
            int i = 0;
            foreach (JsonElement l in labelsEl.EnumerateArray())
            {
                string p = $"$.labels[{i++}]";
                if (l.ValueKind != JsonValueKind.Object)
                {
                    c.Error(p, "must be an object");
                    continue;
                }

                c.CheckKnown(p, l, "name", "column", "unit", "transform", "storedAsLog10");
                string? ln = c.Str(p + ".name", l, "name", required: true);
                string? lc = c.Str(p + ".column", l, "column", required: true);
                string? lu = c.Str(p + ".unit", l, "unit", required: false);
                LabelTransform t = c.Enum(p + ".transform", l, "transform", s_transforms, LabelTransform.None);
                bool log = c.Bool(p + ".storedAsLog10", l, "storedAsLog10") ?? false;
                if (ln is not null && lc is not null)
                {
                    labels.Add(new LabelDefinition { Name = ln, Column = lc, Unit = lu, Transform = t, StoredAsLog10 = log });
                }
            }
        }

        foreach (IGrouping<string, LabelDefinition> g in labels.GroupBy(b => b.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            c.Error("$.labels", $"label name '{g.Key}' is used {g.Count()} times");
        }

        ClassLabelDefinition? classLabel = null;
        if (c.Object("$.classLabel", root, "classLabel", required: false) is JsonElement clEl)
        {
            c.CheckKnown("$.classLabel", clEl, "column", "classes");
            string? col = c.Str("$.classLabel.column", clEl, "column", required: true);
            var classes = new List<string>();
            if (c.Array("$.classLabel.classes", clEl, "classes", required: true) is JsonElement arr)
            {
                foreach (JsonElement e in arr.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString()))
                    {
                        classes.Add(e.GetString()!.Trim());
                    }
                    else
                    {
                        c.Error("$.classLabel.classes", "class names must be non-empty strings");
                    }
                }

                if (classes.Count < 2)
                {
                    c.Error("$.classLabel.classes", "must list at least two classes");
                }

                if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Count)
                {
                    c.Error("$.classLabel.classes", "class names must be distinct");
                }
            }

            if (col is not null)
            {
                classLabel = new ClassLabelDefinition { Column = col, Classes = classes };
            }
        }

        var model = new ModelInputDefinition();
        if (c.Object("$.model", root, "model", required: true) is JsonElement mEl)
        {
            c.CheckKnown("$.model", mEl, "representation", "includeRedshift");
            ModelInputRepresentation rep = c.Enum("$.model.representation", mEl, "representation", s_representations, null);
            bool incZ = c.Bool("$.model.includeRedshift", mEl, "includeRedshift") ?? false;
            if (incZ && redshift is null)
            {
                c.Error("$.model.includeRedshift", "is true but the profile has no redshift column");
            }

            model = new ModelInputDefinition { Representation = rep, IncludeRedshift = incZ };
        }

        CsvDialect dialect = ReadDialect(c, "$.dialect", root);

        var joins = new List<JoinDefinition>();
        if (c.Array("$.joins", root, "joins", required: false) is JsonElement joinsEl)
        {
            int i = 0;
            foreach (JsonElement j in joinsEl.EnumerateArray())
            {
                string p = $"$.joins[{i++}]";
                if (j.ValueKind != JsonValueKind.Object)
                {
                    c.Error(p, "must be an object");
                    continue;
                }

                c.CheckKnown(p, j, "path", "idColumn", "columns", "dialect");
                string? jp = c.Str(p + ".path", j, "path", required: true);
                string? jid = c.Str(p + ".idColumn", j, "idColumn", required: true);
                var cols = new List<string>();
                if (c.Array(p + ".columns", j, "columns", required: true) is JsonElement colsEl)
                {
                    foreach (JsonElement e in colsEl.EnumerateArray())
                    {
                        if (e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString()))
                        {
                            cols.Add(e.GetString()!);
                        }
                        else
                        {
                            c.Error(p + ".columns", "column names must be non-empty strings");
                        }
                    }
                }

                CsvDialect jd = ReadDialect(c, p + ".dialect", j);
                if (jp is not null && jid is not null)
                {
                    joins.Add(new JoinDefinition { Path = jp, IdColumn = jid, Columns = cols, Dialect = jd });
                }
            }

            if (joins.Count > 0 && idColumn is null)
            {
                c.Error("$.joins", "joins need an idColumn in the main file");
            }
        }

        // Cross-field rules.
        foreach (BandDefinition b in bands)
        {
            if (b.Unit == PhotometryUnit.AsinhMagnitude && b.Softening is null)
            {
                c.Error($"$.bands[{bands.IndexOf(b)}].softening", $"band '{b.Name}' is in asinh magnitudes and needs its softening parameter b");
            }

            if (!b.IsMagnitude && b.ZeroPointJy is not null)
            {
                c.Error($"$.bands[{bands.IndexOf(b)}].zeroPointJy", $"band '{b.Name}' is a flux ({UnitName(b.Unit)}); a zero point only applies to magnitudes");
            }
        }

        if (c.HasErrors)
        {
            return null;
        }

        return new SurveyProfile
        {
            FormatVersion = version,
            Name = name,
            Description = description,
            IdColumn = idColumn,
            Bands = bands,
            Sentinels = sentinels,
            Redshift = redshift,
            Labels = labels,
            ClassLabel = classLabel,
            Model = model,
            Dialect = dialect,
            Joins = joins,
        };
    }

    internal static string UnitName(PhotometryUnit unit) => s_units.First(kv => kv.Value == unit).Key;

    private static BandDefinition? ReadBand(Ctx c, string p, JsonElement b)
    {
        if (b.ValueKind != JsonValueKind.Object)
        {
            c.Error(p, "must be an object");
            return null;
        }

        c.CheckKnown(p, b, "name", "column", "errorColumn", "unit", "zeroPointJy", "softening", "wavelengthMicrons", "sentinels", "flag");
        string? name = c.Str(p + ".name", b, "name", required: true);
        string? column = c.Str(p + ".column", b, "column", required: true);
        string? err = c.Str(p + ".errorColumn", b, "errorColumn", required: false);
        PhotometryUnit unit = c.Enum(p + ".unit", b, "unit", s_units, null);
        double? zp = c.Number(p + ".zeroPointJy", b, "zeroPointJy");
        double? soft = c.Number(p + ".softening", b, "softening");
        double? wl = c.Number(p + ".wavelengthMicrons", b, "wavelengthMicrons");
        if (zp is <= 0)
        {
            c.Error(p + ".zeroPointJy", "must be positive");
        }

        if (soft is <= 0)
        {
            c.Error(p + ".softening", "must be positive");
        }

        if (wl is <= 0)
        {
            c.Error(p + ".wavelengthMicrons", "must be positive");
        }

        IReadOnlyList<SentinelDefinition> sentinels = ReadSentinels(c, p + ".sentinels", b);
        FlagDefinition? flag = null;
        if (c.Object(p + ".flag", b, "flag", required: false) is JsonElement f)
        {
            c.CheckKnown(p + ".flag", f, "column", "values");
            string? fc = c.Str(p + ".flag.column", f, "column", required: true);
            var values = new Dictionary<string, SentinelMeaning>(StringComparer.Ordinal);
            if (c.Object(p + ".flag.values", f, "values", required: true) is JsonElement vals)
            {
                foreach (JsonProperty prop in vals.EnumerateObject())
                {
                    if (prop.Value.ValueKind == JsonValueKind.String && s_meanings.TryGetValue(prop.Value.GetString()!, out SentinelMeaning m))
                    {
                        values[prop.Name.Trim()] = m;
                    }
                    else
                    {
                        c.Error($"{p}.flag.values['{prop.Name}']", $"must be one of {string.Join(", ", s_meanings.Keys.Select(k => '"' + k + '"'))}");
                    }
                }
            }

            if (fc is not null)
            {
                flag = new FlagDefinition { Column = fc, Values = values };
            }
        }

        if (name is null || column is null)
        {
            return null;
        }

        return new BandDefinition
        {
            Name = name,
            Column = column,
            ErrorColumn = err,
            Unit = unit,
            ZeroPointJy = zp,
            Softening = soft,
            WavelengthMicrons = wl,
            Sentinels = sentinels,
            Flag = flag,
        };
    }

    private static IReadOnlyList<SentinelDefinition> ReadSentinels(Ctx c, string p, JsonElement parent)
    {
        var list = new List<SentinelDefinition>();
        if (c.Array(p, parent, "sentinels", required: false) is not JsonElement arr)
        {
            return list;
        }

        int i = 0;
        foreach (JsonElement s in arr.EnumerateArray())
        {
            string sp = $"{p}[{i++}]";
            if (s.ValueKind != JsonValueKind.Object)
            {
                c.Error(sp, "must be an object { \"value\": ..., \"meaning\": ... }");
                continue;
            }

            c.CheckKnown(sp, s, "value", "meaning");
            double? value = null;
            if (!s.TryGetProperty("value", out JsonElement ve))
            {
                c.Error(sp + ".value", "is required");
            }
            else if (ve.ValueKind == JsonValueKind.Number)
            {
                value = ve.GetDouble();
            }
            else if (ve.ValueKind == JsonValueKind.String)
            {
                string text = ve.GetString()!;
                value = text switch
                {
                    "NaN" => double.NaN,
                    "Infinity" or "+Infinity" or "inf" => double.PositiveInfinity,
                    "-Infinity" or "-inf" => double.NegativeInfinity,
                    _ => null,
                };
                if (value is null)
                {
                    c.Error(sp + ".value", $"'{text}' is not a number; use a JSON number, \"NaN\", \"Infinity\" or \"-Infinity\"");
                }
            }
            else
            {
                c.Error(sp + ".value", "must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
            }

            SentinelMeaning meaning = c.Enum(sp + ".meaning", s, "meaning", s_meanings, null);
            if (value is double d && meaning != 0)
            {
                list.Add(new SentinelDefinition { Value = d, Meaning = meaning });
            }
        }

        return list;
    }

    private static CsvDialect ReadDialect(Ctx c, string p, JsonElement parent)
    {
        if (c.Object(p, parent, "dialect", required: false) is not JsonElement d)
        {
            return new CsvDialect();
        }

        c.CheckKnown(p, d, "delimiter", "headerDelimiter", "commentPrefix", "header", "columnNames", "stripTypePrefixes");
        string? delim = c.Str(p + ".delimiter", d, "delimiter", required: false);
        string? hdelim = c.Str(p + ".headerDelimiter", d, "headerDelimiter", required: false);
        foreach ((string? value, string path) in new[] { (delim, p + ".delimiter"), (hdelim, p + ".headerDelimiter") })
        {
            if (value is not null && value != "whitespace" && (value.Length != 1 || value[0] is '"' or '\n' or '\r'))
            {
                c.Error(path, $"'{value}' must be a single character (not a quote or newline) or \"whitespace\"");
            }
        }

        string comment = c.Str(p + ".commentPrefix", d, "commentPrefix", required: false) ?? "#";
        if (comment.Length == 0)
        {
            c.Error(p + ".commentPrefix", "must not be empty");
        }

        HeaderMode header = c.Enum(p + ".header", d, "header", s_headerModes, HeaderMode.Auto);
        List<string>? names = null;
        if (c.Array(p + ".columnNames", d, "columnNames", required: false) is JsonElement arr)
        {
            names = [];
            foreach (JsonElement e in arr.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String)
                {
                    names.Add(e.GetString()!);
                }
                else
                {
                    c.Error(p + ".columnNames", "column names must be strings");
                }
            }
        }

        if (header == HeaderMode.None && (names is null || names.Count == 0))
        {
            c.Error(p + ".columnNames", "header \"none\" needs columnNames");
        }

        if (header != HeaderMode.None && names is not null)
        {
            c.Error(p + ".columnNames", "is only allowed with header \"none\"");
        }

        bool strip = c.Bool(p + ".stripTypePrefixes", d, "stripTypePrefixes") ?? false;
        return new CsvDialect
        {
            Delimiter = delim,
            HeaderDelimiter = hdelim,
            CommentPrefix = comment.Length == 0 ? "#" : comment,
            Header = header,
            ColumnNames = names,
            StripTypePrefixes = strip,
        };
    }

    private sealed class Ctx(List<string> errors)
    {
        public bool HasErrors => errors.Count > 0;

        public void Error(string path, string message) => errors.Add($"{path}: {message}");

        public void CheckKnown(string path, JsonElement obj, params string[] known)
        {
            foreach (JsonProperty p in obj.EnumerateObject())
            {
                if (!known.Contains(p.Name, StringComparer.Ordinal))
                {
                    string? near = known.FirstOrDefault(k => string.Equals(k, p.Name, StringComparison.OrdinalIgnoreCase));
                    Error($"{path}.{p.Name}", near is null
                        ? $"unknown property (known: {string.Join(", ", known.Where(k => k[0] != '$'))})"
                        : $"unknown property; did you mean '{near}'?");
                }
            }
        }

        private bool TryGet(string path, JsonElement parent, string name, bool required, out JsonElement value)
        {
            if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }

            if (required)
            {
                Error(path, "is required");
            }

            value = default;
            return false;
        }

        public string? Str(string path, JsonElement parent, string name, bool required)
        {
            if (!TryGet(path, parent, name, required, out JsonElement v))
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                Error(path, $"must be a string, not {v.ValueKind}");
                return null;
            }

            string s = v.GetString()!;
            if (s.Length == 0 && required)
            {
                Error(path, "must not be empty");
                return null;
            }

            return s.Length == 0 ? null : s;
        }

        public int? Int(string path, JsonElement parent, string name, bool required)
        {
            if (!TryGet(path, parent, name, required, out JsonElement v))
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i))
            {
                Error(path, "must be an integer");
                return null;
            }

            return i;
        }

        public double? Number(string path, JsonElement parent, string name)
        {
            if (!TryGet(path, parent, name, required: false, out JsonElement v))
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Number)
            {
                Error(path, "must be a number");
                return null;
            }

            return v.GetDouble();
        }

        public bool? Bool(string path, JsonElement parent, string name)
        {
            if (!TryGet(path, parent, name, required: false, out JsonElement v))
            {
                return null;
            }

            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Error(path, "must be true or false");
                return null;
            }

            return v.GetBoolean();
        }

        public JsonElement? Array(string path, JsonElement parent, string name, bool required)
        {
            if (!TryGet(path, parent, name, required, out JsonElement v))
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Array)
            {
                Error(path, "must be an array");
                return null;
            }

            return v;
        }

        public JsonElement? Object(string path, JsonElement parent, string name, bool required)
        {
            if (!TryGet(path, parent, name, required, out JsonElement v))
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Object)
            {
                Error(path, "must be an object");
                return null;
            }

            return v;
        }

        public T Enum<T>(string path, JsonElement parent, string name, Dictionary<string, T> map, T? defaultValue)
            where T : struct, System.Enum
        {
            string? s = Str(path, parent, name, required: defaultValue is null);
            if (s is null)
            {
                return defaultValue ?? default;
            }

            if (map.TryGetValue(s, out T value))
            {
                return value;
            }

            string? near = map.Keys.FirstOrDefault(k => string.Equals(k, s, StringComparison.OrdinalIgnoreCase));
            Error(path, $"'{s}' is not one of {string.Join(", ", map.Keys.Select(k => '"' + k + '"'))}" + (near is null ? "" : $" (did you mean \"{near}\"?)"));
            return defaultValue ?? default;
        }
    }
}
