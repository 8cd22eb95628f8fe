using Astro.Catalogs.Models;

namespace Astro.Catalogs.Tests;

/// <summary>Issue 12 §2 reading items: a plain header where a comment header is expected, lines of type codes after the header.</summary>
public sealed class HeaderFormTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("astro-headers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The BOSS profile's dialect (ANNZ): header on the last '#' line, ';'-separated, type prefixes stripped.</summary>
    private static SurveyProfile AnnzProfile() => SurveyProfile.Parse("""
        {
          "formatVersion": 1, "name": "annz", "description": "ANNZ-style",
          "bands": [ { "name": "u", "column": "MAG_U", "errorColumn": "MAGERR_U", "unit": "ABmag" }, { "name": "g", "column": "MAG_G", "unit": "ABmag" } ],
          "labels": [ { "name": "z", "column": "Z", "transform": "none" } ],
          "model": { "representation": "abMagnitude" },
          "dialect": { "delimiter": ",", "headerDelimiter": ";", "header": "lastCommentLine", "commentPrefix": "#", "stripTypePrefixes": true }
        }
        """);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (CatalogChunk Rows, CatalogReadReport Report) Read(string path) => new CatalogReader(AnnzProfile()).ReadAll(path);

    private static void AssertRows(CatalogChunk rows)
    {
        Assert.Equal(2, rows.RowCount);
        Assert.Equal([21.5, 22.25], rows.GetColumn("MAG_U"));
        Assert.Equal([0.1, 0.2], rows.GetColumn("MAGERR_U"));
        Assert.Equal([20.0, 21.0], rows.GetColumn("MAG_G"));
        Assert.Equal([0.5, 0.75], rows.GetColumn("Z"));
    }

    [Fact]
    public void CommentHeaderProfile_ReadsAPlainFirstLineHeader_AndSaysSo()
    {
        string path = Write("plain.csv", "MAG_U,MAGERR_U,MAG_G,Z\n21.5,0.1,20,0.5\n22.25,0.2,21,0.75\n");

        (CatalogChunk rows, CatalogReadReport report) = Read(path);

        AssertRows(rows);
        Assert.Equal("delimiter ',', header on line 1 (a plain first line; the profile expects it on a '#' comment line), 4 columns", report.Layout);
        Assert.Equal([2L, 3L], rows.LineNumbers);
    }

    [Fact]
    public void CommentHeaderProfile_PlainHeaderWithTypePrefixesAndSemicolons()
    {
        string path = Write("plain-annz.csv", "F:MAG_U;F:MAGERR_U;F:MAG_G;D:Z\n21.5,0.1,20,0.5\n22.25,0.2,21,0.75\n");

        (CatalogChunk rows, _) = Read(path);

        AssertRows(rows);
    }

    [Fact]
    public void NoHeaderAtAll_TheErrorSaysWhichHeaderTheProfileExpects()
    {
        string path = Write("bare.csv", "21.5,0.1,20,0.5\n22.25,0.2,21,0.75\n");

        CatalogException e = Assert.Throws<CatalogException>(() => Read(path));

        Assert.Equal(
            $"Catalog '{path}' has no header where profile 'annz' expects it (the last comment line before the data, starting with '#'), so its 4 columns have no names and 4 column(s) the profile needs cannot be found.",
            e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TypeCodeCommentLineAfterTheCommentHeader_IsNotTakenForTheHeader()
    {
        string path = Write("types.csv", "# ANNZ input\n#MAG_U;MAGERR_U;MAG_G;Z\n#F;F;F;D\n21.5,0.1,20,0.5\n22.25,0.2,21,0.75\n");

        (CatalogChunk rows, CatalogReadReport report) = Read(path);

        AssertRows(rows);
        Assert.Equal("delimiter ',', header on comment line 2 (';'-separated), type codes on line 3 skipped, 4 columns", report.Layout);
    }

    [Fact]
    public void TypeCodeLineAfterAPlainHeader_IsNotTakenForData()
    {
        string path = Write("types-plain.csv", "MAG_U,MAGERR_U,MAG_G,Z\nF,F,F,D\n21.5,0.1,20,0.5\n22.25,0.2,21,0.75\n");

        (CatalogChunk rows, CatalogReadReport report) = Read(path);

        AssertRows(rows);
        Assert.Equal(0, report.MalformedRows);
        Assert.Equal([3L, 4L], rows.LineNumbers);
        Assert.EndsWith("type codes on line 2 skipped, 4 columns", report.Layout, StringComparison.Ordinal);
    }
}
