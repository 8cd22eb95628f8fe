using System.IO.Compression;
using System.Text;
using Astro.Catalogs.Models;

namespace Astro.Catalogs.Tests;

public sealed class QuirkyFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("astro-catalogs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SurveyProfile Profile(string dialect = "{}") => SurveyProfile.Parse($$"""
        {
          "formatVersion": 1, "name": "q", "description": "quirks", "idColumn": "id",
          "bands": [ { "name": "a", "column": "A", "errorColumn": "A_err", "unit": "mJy" }, { "name": "b", "column": "B", "unit": "Jy" } ],
          "labels": [ { "name": "m", "column": "M", "transform": "none" } ],
          "model": { "representation": "fluxMicroJansky" },
          "dialect": {{dialect}}
        }
        """);

    private string Write(string name, string text, bool gzip = false, bool bom = false)
    {
        string path = Path.Combine(_dir, name);
        byte[] bytes = [.. bom ? [0xEF, 0xBB, 0xBF] : Array.Empty<byte>(), .. Encoding.UTF8.GetBytes(text)];
        if (gzip)
        {
            using FileStream fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    private static (CatalogChunk Rows, CatalogReadReport Report) Read(string path, SurveyProfile? p = null, CatalogReaderOptions? o = null)
        => new CatalogReader(p ?? Profile(), o ?? new CatalogReaderOptions()).ReadAll(path);

    private static void AssertStandard(CatalogChunk rows)
    {
        Assert.Equal(2, rows.RowCount);
        Assert.Equal(["x1", "x2"], rows.Ids!);
        Assert.Equal([1.5, -2e-3], rows.GetColumn("A"));
        Assert.Equal([0.25, 1e10], rows.GetColumn("A_err"));
        Assert.Equal([3, 4], rows.GetColumn("B"));
        Assert.Equal(9.5, rows.GetColumn("M")[0]);
    }

    [Fact]
    public void SemicolonHeaderOverCommaRows()
    {
        string path = Write("annz.csv", "#id;A;A_err;B;M\nx1,1.5,0.25,3,9.5\nx2,-2e-3,1E+10,4,10\n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.Equal("delimiter ',', header on comment line 1 (';'-separated), 5 columns", report.Layout);
    }

    [Fact]
    public void HashHeaderWithOtherComments()
    {
        string path = Write("hash.csv", "# produced by a pipeline\n# version 2\n#id,A,A_err,B,M\nx1,1.5,0.25,3,9.5\n# a comment between rows\n\nx2,-2e-3,1E+10,4,10\n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.Equal(1, report.CommentLines);
        Assert.Equal(1, report.BlankLines);
        Assert.Equal(2, report.DataLines);
        Assert.Equal([4L, 7L], rows.LineNumbers);
    }

    [Fact]
    public void WhitespaceSeparatedWithTabsAndRuns()
    {
        string path = Write("ws.txt", "id   A\tA_err  B M\n  x1  1.5   0.25\t3   9.5\nx2 -2e-3 1E+10 4 10   \n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.StartsWith("delimiter whitespace", report.Layout, StringComparison.Ordinal);
    }

    [Fact]
    public void TabSeparatedCrlfBomGzip()
    {
        string path = Write("t.tsv.gz", "id\tA\tA_err\tB\tM\r\nx1\t1.5\t0.25\t3\t9.5\r\nx2\t-2e-3\t1E+10\t4\t10\r\n", gzip: true, bom: true);
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.StartsWith("delimiter tab, header on line 1", report.Layout, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingCommaOnEveryRowAndOnOne()
    {
        string path = Write("trail.csv", "id,A,A_err,B,M\nx1,1.5,0.25,3,9.5,\nx2,-2e-3,1E+10,4,10\n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.Equal(1, report.Tolerated["trailingDelimiter"].Count);
        Assert.Equal([2L], report.Tolerated["trailingDelimiter"].FirstLineNumbers);
    }

    [Fact]
    public void QuotedFieldsWithDelimitersAndQuotes()
    {
        string path = Write("q.csv", "\"id\",\"A\",A_err,B,M,note\n\"x1\",\"1.5\",0.25,3,9.5,\"a, b\"\n \"x2\" ,-2e-3,1E+10,4,10,\"say \"\"hi\"\", ok\"\n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.Equal(0, report.MalformedRows);
    }

    [Fact]
    public void MalformedRowsAreCountedByReasonWithLineNumbers()
    {
        string path = Write("bad.csv", "id,A,A_err,B,M\nx1,1.5,0.25,3,9.5\nx9,1,2\nx8,abc,1,2,3\nx7,1,1,1,1,1\nx2,-2e-3,1E+10,4,10\n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        AssertStandard(rows);
        Assert.Equal(5, report.DataLines);
        Assert.Equal(3, report.MalformedRows);
        Assert.Equal([3L, 5L], report.Malformed["fieldCount"].FirstLineNumbers);
        Assert.Equal([4L], report.Malformed["unparsableNumber"].FirstLineNumbers);
        Assert.Equal("line 4: column 'A' value 'abc' is not a number", report.Malformed["unparsableNumber"].FirstMessage);
        Assert.Equal(report.DataLines, report.RowsRead + report.MalformedRows);
        Assert.Contains("\"fieldCount\"", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedRowsCanFailTheRead()
    {
        string path = Write("bad2.csv", "id,A,A_err,B,M\nx1,1.5,0.25,3,9.5\nx8,abc,1,2,3\n");
        CatalogException ex = Assert.Throws<CatalogException>(() => Read(path, o: new CatalogReaderOptions { MalformedRowHandling = MalformedRowHandling.Fail }));
        Assert.Equal(3, ex.LineNumber);
        Assert.Equal($"Catalog '{path}', line 3: column 'A' value 'abc' is not a number.", ex.Message);
    }

    [Fact]
    public void MissingColumnIsOneLineNamingFileColumnAndNearMatches()
    {
        string path = Write("miss.csv", "id,a,A_er,B,M\nx1,1,2,3,4\n");
        CatalogException ex = Assert.Throws<CatalogException>(() => new CatalogReader(Profile()).Open(path));
        Assert.Equal(
            $"Catalog '{path}' does not match profile 'q': 2 problems:{Environment.NewLine}"
            + $"  - Catalog '{path}' has no column 'A' (band 'a' value); near matches: 'a', 'A_er'.{Environment.NewLine}"
            + $"  - Catalog '{path}' has no column 'A_err' (band 'a' error); near matches: 'A_er'.",
            ex.Message);
    }

    [Fact]
    public void SingleMissingColumnMessage()
    {
        string path = Write("miss1.csv", "id,A,A_err,B,Mass\nx1,1,2,3,4\n");
        CatalogException ex = Assert.Throws<CatalogException>(() => new CatalogReader(Profile()).Open(path));
        Assert.Equal($"Catalog '{path}' has no column 'M' (label 'm'); near matches: 'Mass'.", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void HeaderNoneUsesProfileNames()
    {
        string path = Write("nohdr.csv", "x1 1.5 0.25 3 9.5\nx2 -2e-3 1E+10 4 10\n");
        (CatalogChunk rows, _) = Read(path, Profile("""{ "header": "none", "delimiter": "whitespace", "columnNames": ["id","A","A_err","B","M"] }"""));
        AssertStandard(rows);
    }

    [Fact]
    public void BlankAndNanSpellingsAreNaN()
    {
        string path = Write("nan.csv", "id,A,A_err,B,M\nx1,,nan,NaN,-inf\nx2,inf,1,-Infinity,1\n");
        (CatalogChunk rows, CatalogReadReport report) = Read(path);
        Assert.Equal(0, report.MalformedRows);
        Assert.True(double.IsNaN(rows.GetColumn("A")[0]));
        Assert.True(double.IsNaN(rows.GetColumn("A_err")[0]));
        Assert.True(double.IsNaN(rows.GetColumn("B")[0]));
        Assert.Equal(double.NegativeInfinity, rows.GetColumn("M")[0]);
        Assert.Equal(double.PositiveInfinity, rows.GetColumn("A")[1]);
    }

    [Fact]
    public void LongLinesAndSmallBuffersAndChunks()
    {
        var sb = new StringBuilder("id,A,A_err,B,M\n");
        for (int i = 0; i < 1000; i++)
        {
            sb.Append("x").Append(i).Append(',').Append(i * 0.5).Append(",1,").Append(new string(' ', 5000)).Append(i).Append(",2\n");
        }

        string path = Write("long.csv", sb.ToString());
        var reader = new CatalogReader(Profile(), new CatalogReaderOptions { BufferSize = 4096, ChunkRows = 7 });
        (CatalogChunk rows, CatalogReadReport report) = reader.ReadAll(path);
        Assert.Equal(1000, rows.RowCount);
        Assert.Equal(499.5, rows.GetColumn("A")[999]);
        Assert.Equal(999, rows.GetColumn("B")[999]);
        Assert.Equal("x999", rows.Ids![999]);
    }

    [Theory]
    [InlineData(65_536)]
    [InlineData(3_000)]
    public void LargeFilesWithMalformedLinesReadLikeLineByLine(int chunkRows)
    {
        // Enough lines per buffer for the parallel parser; malformed, tolerated, blank and comment lines scattered through it.
        var sb = new StringBuilder("id,A,A_err,B,M\n");
        var expectedIds = new List<string>();
        var expectedLines = new List<long>();
        var badNumber = new List<long>();
        var badCount = new List<long>();
        int tolerated = 0;
        long line = 1;
        for (int i = 0; i < 20_000; i++)
        {
            line++;
            if (i % 251 == 0)
            {
                sb.Append('\n');
                continue;
            }

            if (i % 307 == 0)
            {
                sb.Append("# comment\n");
                continue;
            }

            if (i % 97 == 0)
            {
                sb.Append("x").Append(i).Append(",abc,1,2,3\n");
                badNumber.Add(line);
                continue;
            }

            if (i % 131 == 0)
            {
                sb.Append("x").Append(i).Append(",1,2\n");
                badCount.Add(line);
                continue;
            }

            sb.Append("x").Append(i).Append(',').Append((i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",1,").Append(i).Append(i % 173 == 0 ? ",2,\n" : ",2\n");
            tolerated += i % 173 == 0 ? 1 : 0;
            expectedIds.Add("x" + i);
            expectedLines.Add(line);
        }

        string path = Write("many.csv", sb.ToString());
        (CatalogChunk rows, CatalogReadReport report) = Read(path, o: new CatalogReaderOptions { ChunkRows = chunkRows });
        Assert.Equal(expectedIds, rows.Ids!);
        Assert.Equal(expectedLines, rows.LineNumbers);
        double[] a = rows.GetColumn("A");
        double[] b = rows.GetColumn("B");
        for (int r = 0; r < rows.RowCount; r++)
        {
            int i = int.Parse(expectedIds[r][1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(i * 0.5, a[r]);
            Assert.Equal(i, b[r]);
        }

        Assert.Equal(badNumber.Count, report.Malformed["unparsableNumber"].Count);
        Assert.Equal(badNumber.Take(report.Malformed["unparsableNumber"].FirstLineNumbers.Count), report.Malformed["unparsableNumber"].FirstLineNumbers);
        Assert.Equal(badCount.Count, report.Malformed["fieldCount"].Count);
        Assert.Equal(badCount.Take(report.Malformed["fieldCount"].FirstLineNumbers.Count), report.Malformed["fieldCount"].FirstLineNumbers);
        Assert.Equal(tolerated, report.Tolerated["trailingDelimiter"].Count);
        Assert.Equal(expectedIds.Count, report.RowsRead);
        Assert.Equal(report.DataLines, report.RowsRead + report.MalformedRows);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.0")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("4.9e-324")]
    [InlineData("0.1")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.30000000000000004")]
    [InlineData("9007199254740993")]
    [InlineData("1e23")]
    [InlineData("-22.744637")]
    [InlineData("+.5")]
    [InlineData("5.")]
    [InlineData("1.23764870457714E+018")]
    public void FastParserMatchesBcl(string text)
    {
        Assert.True(Text.FastDoubleParser.TryParse(Encoding.UTF8.GetBytes(text), out double fast));
        Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), fast);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("--1")]
    [InlineData("1,5")]
    public void FastParserRejects(string text) => Assert.False(Text.FastDoubleParser.TryParse(Encoding.UTF8.GetBytes(text), out _));
}
