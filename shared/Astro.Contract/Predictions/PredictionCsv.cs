using System.Globalization;
using System.Text;

namespace Astro.Contract.Predictions;

/// <summary>
/// The CSV of catalog predictions, one line per (object, model), every line carrying the model name and version and the
/// input blob's name and ETag. Invariant culture; floats in their shortest round-trip form (NaN as an empty field);
/// RFC 4180 quoting; line breaks inside text are replaced by spaces. The same format is used for chunk parts, merged
/// outputs, <c>astro predict</c> and <c>POST /api/predict/catalog</c>. Every column is described in docs/outputs.md.
/// </summary>
public static class PredictionCsv
{
    /// <summary>The header line (without the line break): the column names of <see cref="PredictionRow"/>, in order.</summary>
    public const string Header = "row,id,model,version,target,unit,prediction,uncertainty,class,probability,probabilities,flags,reason,input,etag";

    private const int FieldCount = 15;

    /// <summary>Writes the header line.</summary>
    /// <param name="writer">The output.</param>
    public static void WriteHeader(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Header);
        writer.Write('\n');
    }

    /// <summary>Writes rows (no header).</summary>
    /// <param name="writer">The output.</param>
    /// <param name="rows">The rows.</param>
    public static void WriteRows(TextWriter writer, IEnumerable<PredictionRow> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        foreach (PredictionRow r in rows)
        {
            writer.Write(r.Row.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(Text(r.Id));
            writer.Write(',');
            writer.Write(Text(r.Model));
            writer.Write(',');
            writer.Write(Text(r.Version));
            writer.Write(',');
            writer.Write(Text(r.Target));
            writer.Write(',');
            writer.Write(Text(r.Unit));
            writer.Write(',');
            writer.Write(Float(r.Prediction));
            writer.Write(',');
            writer.Write(Float(r.Uncertainty));
            writer.Write(',');
            writer.Write(Text(r.Class));
            writer.Write(',');
            writer.Write(Float(r.Probability));
            writer.Write(',');
            writer.Write(Text(r.Probabilities));
            writer.Write(',');
            writer.Write(r.Flags.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(Text(r.Reason));
            writer.Write(',');
            writer.Write(Text(r.Input));
            writer.Write(',');
            writer.Write(Text(r.ETag));
            writer.Write('\n');
        }
    }

    /// <summary>Reads rows written by <see cref="WriteRows"/> (a header line, if first, is skipped).</summary>
    /// <param name="reader">The input.</param>
    /// <param name="source">The source's name, for errors.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="InvalidDataException">A line does not have the 15 fields.</exception>
    public static IEnumerable<PredictionRow> ReadRows(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long line = 0;
        var fields = new List<string>(FieldCount);
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0 || (line == 1 && text == Header))
            {
                continue;
            }

            Split(text, fields);
            if (fields.Count != FieldCount)
            {
                throw new InvalidDataException($"{source}, line {line}: {fields.Count} fields, expected {FieldCount}.");
            }

            yield return new PredictionRow(
                long.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], fields[2], fields[3], fields[4], fields[5],
                ParseFloat(fields[6]), ParseFloat(fields[7]), fields[8], ParseFloat(fields[9]), fields[10],
                int.Parse(fields[11], CultureInfo.InvariantCulture), fields[12], fields[13], fields[14]);
        }
    }

    /// <summary>Formats a float in its shortest round-trip form; NaN as empty.</summary>
    /// <param name="v">The value.</param>
    /// <returns>The text.</returns>
    public static string Float(float v) => float.IsNaN(v) ? "" : v.ToString(CultureInfo.InvariantCulture);

    private static float ParseFloat(string s) => s.Length == 0 ? float.NaN : float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Formats a text field: line breaks become spaces; quoted (RFC 4180) when it holds a comma or a quote, or starts or ends with a space.</summary>
    /// <param name="s">The text.</param>
    /// <returns>The field.</returns>
    public static string Text(string s)
    {
        if (s.AsSpan().IndexOfAny("\r\n") >= 0)
        {
            s = s.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ');
        }

        return s.AsSpan().IndexOfAny(",\"") < 0 && (s.Length == 0 || (s[0] != ' ' && s[^1] != ' '))
            ? s
            : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static void Split(string line, List<string> fields)
    {
        fields.Clear();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(line[i++]);
                }
            }

            while (i < line.Length && line[i] != ',')
            {
                sb.Append(line[i++]);
            }

            fields.Add(sb.ToString());
            if (i >= line.Length)
            {
                return;
            }

            i++;
        }
    }
}
