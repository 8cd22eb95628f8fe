using System.Text.Json;

namespace Astro.Fits.Statistics;

/// <summary>Writes statistics as the JSON object <c>fits stats</c> prints (the shape of ORACLE.json entries).</summary>
public static class FitsStatisticsJson
{
    /// <summary>Writes <c>{"hdus":[…]}</c>.</summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<HduStatistics> hdus)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(hdus);
        writer.WriteStartObject();
        writer.WriteStartArray("hdus");
        foreach (HduStatistics hdu in hdus)
        {
            WriteHdu(writer, hdu);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Serialises to a compact JSON string.</summary>
    public static string Serialize(IReadOnlyList<HduStatistics> hdus)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, hdus);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteHdu(Utf8JsonWriter writer, HduStatistics hdu)
    {
        writer.WriteStartObject();
        writer.WriteNumber("index", hdu.Index);
        writer.WriteString("kind", hdu.Kind);
        if (hdu.Axes is not null)
        {
            writer.WriteStartArray("axes");
            foreach (long axis in hdu.Axes)
            {
                writer.WriteNumberValue(axis);
            }

            writer.WriteEndArray();
        }

        if (hdu.Values is ValueAccumulator values)
        {
            WriteValues(writer, values, includeSum: true);
        }

        if (hdu.Rows is long rows)
        {
            writer.WriteNumber("rows", rows);
        }

        if (hdu.Compressed)
        {
            writer.WriteBoolean("compressed", true);
        }

        if (hdu.Columns is not null)
        {
            writer.WriteStartArray("columns");
            foreach (ColumnStatistics column in hdu.Columns)
            {
                writer.WriteStartObject();
                if (column.Name is null)
                {
                    writer.WriteNull("name");
                }
                else
                {
                    writer.WriteString("name", column.Name);
                }

                WriteValues(writer, column.Values, includeSum: false);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (hdu.Groups is long groups)
        {
            writer.WriteNumber("groups", groups);
        }

        if (hdu.Extension is not null)
        {
            writer.WriteString("xtension", hdu.Extension);
        }

        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, ValueAccumulator values, bool includeSum)
    {
        writer.WriteNumber("count", values.Count);
        writer.WriteNumber("nan", values.Undefined);
        if (values.Defined == 0)
        {
            return;
        }

        WriteFinite(writer, "min", values.Min);
        WriteFinite(writer, "max", values.Max);
        WriteFinite(writer, "mean", values.Mean);
        if (includeSum)
        {
            WriteFinite(writer, "sum", values.Sum);
        }
    }

    private static void WriteFinite(Utf8JsonWriter writer, string name, double value)
    {
        // JSON has no infinities; an infinite pixel (legal in IEEE images) is written as a string.
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
