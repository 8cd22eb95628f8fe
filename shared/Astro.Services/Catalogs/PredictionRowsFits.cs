using System.Text;
using Astro.Contract.Predictions;
using Astro.Fits.Cards;
using Astro.Fits.Headers;
using Astro.Fits.Writing;

namespace Astro.Services.Catalogs;

/// <summary>
/// Catalog predictions as FITS: an empty primary HDU and one binary table per model (EXTNAME = 'PREDICTIONS', EXTVER = 1…),
/// rows in catalog order. Columns ROW (K), ID (A), PREDICTION and UNCERTAINTY (E, TUNIT = target unit) or CLASS (A),
/// PROBABILITY, UNCERTAINTY (E); FLAGS (I); REASON, MODEL, VERSION (A). Header cards MODEL, MODELVER, TARGET, INPUT, ETAG.
/// No DATE card, so the same rows give the same bytes.
/// </summary>
public static class PredictionRowsFits
{
    /// <summary>Writes the file.</summary>
    /// <param name="stream">The output.</param>
    /// <param name="models">Per model (in the order given), its rows.</param>
    /// <param name="input">The input blob (<c>container/name</c>).</param>
    /// <param name="etag">The input version's ETag.</param>
    public static void Write(Stream stream, IReadOnlyList<IReadOnlyList<PredictionRow>> models, string input, string etag)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(models);
        using var writer = new FitsWriter(stream, new FitsWriterOptions { WriteChecksums = true, LeaveOpen = true });
        var primary = new Header();
        foreach (Card c in Card.CreateLongString("INPUT", Printable(input), "input blob"))
        {
            primary.Add(c);
        }

        primary.Add("ETAG", Printable(etag), "input blob version");
        primary.Add("NMODELS", models.Count, "prediction tables that follow");
        writer.WriteImage(FitsImage.Empty, primary);
        int extver = 0;
        foreach (IReadOnlyList<PredictionRow> rows in models)
        {
            extver++;
            if (rows.Count == 0)
            {
                continue;
            }

            PredictionRow first = rows[0];
            bool classification = first.Class.Length > 0 || first.Probabilities.Length > 0 || rows.Any(r => r.Class.Length > 0);
            var columns = new List<TableColumn>
            {
                new TableColumn<long>("ROW", [.. rows.Select(r => r.Row)]),
                Text("ID", rows.Select(r => r.Id)),
            };
            string? unit = first.Unit.Length > 0 ? Printable(first.Unit) : null;
            if (classification)
            {
                columns.Add(Text("CLASS", rows.Select(r => r.Class)));
                columns.Add(new TableColumn<float>("PROBABILITY", [.. rows.Select(r => r.Probability)]));
                columns.Add(new TableColumn<float>("UNCERTAINTY", [.. rows.Select(r => r.Uncertainty)]));
            }
            else
            {
                columns.Add(new TableColumn<float>("PREDICTION", [.. rows.Select(r => r.Prediction)]) { Unit = unit });
                columns.Add(new TableColumn<float>("UNCERTAINTY", [.. rows.Select(r => r.Uncertainty)]) { Unit = unit });
            }

            columns.Add(new TableColumn<short>("FLAGS", [.. rows.Select(r => (short)r.Flags)]));
            columns.Add(Text("REASON", rows.Select(r => r.Reason)));
            columns.Add(Text("MODEL", rows.Select(r => r.Model)));
            columns.Add(Text("VERSION", rows.Select(r => r.Version)));
            var header = new Header();
            header.Add("EXTNAME", "PREDICTIONS", "model predictions");
            header.Add("EXTVER", extver, "model number");
            foreach (Card c in Card.CreateLongString("MODEL", Printable(first.Model), "model name"))
            {
                header.Add(c);
            }

            foreach (Card c in Card.CreateLongString("MODELVER", Printable(first.Version), "model version"))
            {
                header.Add(c);
            }

            header.Add("TARGET", Printable(first.Target), "predicted quantity");
            foreach (Card c in Card.CreateLongString("INPUT", Printable(input), "input blob"))
            {
                header.Add(c);
            }

            header.Add("ETAG", Printable(etag), "input blob version");
            header.Add(Card.CreateCommentary("COMMENT", "FLAGS bits: 1 missing bands filled, 2 out of distribution,"));
            header.Add(Card.CreateCommentary("COMMENT", "4 not predicted (REASON says why), 8 invalid model output."));
            writer.WriteTable(columns, header);
        }
    }

    private static TableColumn<string> Text(string name, IEnumerable<string> values)
    {
        string[] v = [.. values.Select(Printable)];
        int width = Math.Max(1, v.Length == 0 ? 1 : v.Max(s => s.Length));
        return new TableColumn<string>(name, v) { Width = width };
    }

    private static string Printable(string s)
    {
        if (s.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0)
        {
            return s;
        }

        var b = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            b.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return b.ToString();
    }
}
