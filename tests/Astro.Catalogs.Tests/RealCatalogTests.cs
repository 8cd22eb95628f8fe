using Astro.Catalogs.Models;

namespace Astro.Catalogs.Tests;

/// <summary>
/// Every shipped profile against its real file. Expected values were read with python3's csv module
/// (csv.DictReader / str.split, float()) on 2026-11-23 from /work/shared/data/photometry.
/// </summary>
public class RealCatalogTests
{
    [Fact]
    public void BossDr10TrainMatchesPython()
    {
        var reader = new CatalogReader(SurveyProfile.Load(TestPaths.Profile("sdss-boss-dr10.json")));
        (CatalogChunk rows, CatalogReadReport report) = reader.ReadAll(TestPaths.Data("annz-boss-dr10", "photoZ", "train", "boss_dr10_0.csv"));

        // python: len(lines) - 1 header = 6000; first row '22.744637,0.933038,...,0.659822'; last row '22.103716,...,0.210221'.
        Assert.Equal(6000, rows.RowCount);
        Assert.Equal(6000, report.RowsRead);
        Assert.Equal(0, report.MalformedRows);
        Assert.Null(rows.Ids);
        Assert.Equal(22.744637, rows.GetColumn("MAG_U")[0]);
        Assert.Equal(0.933038, rows.GetColumn("MAGERR_U")[0]);
        Assert.Equal(0.659822, rows.GetColumn("Z")[0]);
        Assert.Equal(18.050076, rows.GetColumn("MAG_Z")[^1]);
        Assert.Equal(0.210221, rows.GetColumn("Z")[^1]);
        Assert.Equal(2, rows.LineNumbers[0]);
        Assert.Equal(6001, rows.LineNumbers[^1]);
        Assert.Contains("comment line 1 (';'-separated)", report.Layout, StringComparison.Ordinal);
    }

    [Fact]
    public void BossDr10EvalNoZTrailingCommaIsToleratedAndCounted()
    {
        // A prediction-only profile: the _noZ files have no Z column.
        string json = File.ReadAllText(TestPaths.Profile("sdss-boss-dr10.json")).Replace("\"labels\": [\n    {\n      \"name\": \"zSpec\",\n      \"column\": \"Z\",\n      \"transform\": \"none\"\n    }\n  ],", "\"labels\": [],", StringComparison.Ordinal);
        SurveyProfile p = SurveyProfile.Parse(json);
        Assert.Empty(p.Labels);
        (CatalogChunk rows, CatalogReadReport report) = new CatalogReader(p).ReadAll(TestPaths.Data("annz-boss-dr10", "photoZ", "eval", "boss_dr10_eval0_noZ.csv"));

        // python: 2000 rows; line 45 is '24.552937,3.333318,...,0.658450,' (one trailing comma).
        Assert.Equal(2000, rows.RowCount);
        Assert.Equal(0, report.MalformedRows);
        Assert.Equal(1, report.Tolerated["trailingDelimiter"].Count);
        Assert.Equal([45L], report.Tolerated["trailingDelimiter"].FirstLineNumbers);
        Assert.Equal(0.658450, rows.GetColumn("MAGERR_Z")[43]);
    }

    [Fact]
    public void BossProfileOnNoZFileNamesTheMissingColumn()
    {
        var reader = new CatalogReader(SurveyProfile.Load(TestPaths.Profile("sdss-boss-dr10.json")));
        string path = TestPaths.Data("annz-boss-dr10", "photoZ", "eval", "boss_dr10_eval1_noZ.csv");
        CatalogException ex = Assert.Throws<CatalogException>(() => reader.Open(path));
        Assert.Equal($"Catalog '{path}' has no column 'Z' (label 'zSpec'); near matches: 'MAG_Z', 'MAGERR_Z'.", ex.Message);
    }

    [Fact]
    public void SdssDr14MatchesPython()
    {
        var reader = new CatalogReader(SurveyProfile.Load(TestPaths.Profile("sdss-dr14-star-galaxy-qso.json")));
        (CatalogChunk rows, CatalogReadReport report) = reader.ReadAll(TestPaths.Data("sdss-dr14-star-galaxy-qso", "Skyserver_SQL2_27_2018_6_51_39_PM.csv"));

        // python csv.DictReader: 10000 rows; row 3: u=19.38298 class=GALAXY redshift=0.1231112; last: z=15.50588 GALAXY 0.1184173.
        Assert.Equal(10000, rows.RowCount);
        Assert.Equal(0, report.MalformedRows);
        Assert.Equal(19.38298, rows.GetColumn("u")[2]);
        Assert.Equal("GALAXY", rows.GetTextColumn("class")[2]);
        Assert.Equal(0.1231112, rows.GetColumn("redshift")[2]);
        Assert.Equal(-0.000008956, rows.GetColumn("redshift")[0]);
        Assert.Equal(15.50588, rows.GetColumn("z")[^1]);
        Assert.Equal(0.1184173, rows.GetColumn("redshift")[^1]);

        // python Counter: GALAXY 4998, STAR 4152, QSO 850.
        var counts = rows.GetTextColumn("class").GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4998, counts["GALAXY"]);
        Assert.Equal(4152, counts["STAR"]);
        Assert.Equal(850, counts["QSO"]);
    }

    [Fact]
    public void AlhambraMatchesPython()
    {
        var reader = new CatalogReader(SurveyProfile.Load(TestPaths.Profile("alhambra.json")));
        (CatalogChunk rows, CatalogReadReport report) = reader.ReadAll(TestPaths.Data("alhambra-cosmos-match", "match_alh2.csv"));

        // python csv.DictReader: 817 rows x 143 columns; row 1 ID 81421106512, F365W '20.568', e_F396W ' 0.034', logM*1 9.766;
        // last row ID 81422409099, F814W 24.214, zb1 1.289; l_F365W == '<' on 218 rows (first at line 11, F365W 25.41);
        // F768W blank on 17 rows (first at line 8).
        Assert.Equal(817, rows.RowCount);
        Assert.Equal(0, report.MalformedRows);
        Assert.Equal("81421106512", rows.Ids![0]);
        Assert.Equal(20.568, rows.GetColumn("F365W")[0]);
        Assert.Equal(0.034, rows.GetColumn("e_F396W")[0]);
        Assert.Equal(9.766, rows.GetColumn("logM*1")[0]);
        Assert.Equal("81422409099", rows.Ids[^1]);
        Assert.Equal(24.214, rows.GetColumn("F814W")[^1]);
        Assert.Equal(1.289, rows.GetColumn("zb1")[^1]);
        Assert.Equal(218, rows.GetTextColumn("l_F365W").Count(f => f == "<"));
        Assert.Equal(25.41, rows.GetColumn("F365W")[9]);
        Assert.Equal(17, rows.GetColumn("F768W").Count(double.IsNaN));
        Assert.True(double.IsNaN(rows.GetColumn("F768W")[6]));
    }

    [Fact]
    public void DustPediaJoinsLabelsAndVelocity()
    {
        var reader = new CatalogReader(SurveyProfile.Load(TestPaths.Profile("dustpedia.json")));
        (CatalogChunk rows, CatalogReadReport report) = reader.ReadAll(TestPaths.Data("dustpedia-cigale", "DustPedia_Aperture_Photometry_2.2.csv"));

        // python: 875 rows, 88 fields each; row 1 ESO149-013: GALEX_FUV blank, GALEX_NUV -6.09061992741e-07;
        // HyperLEDA ned_v_helio 1500; CIGALE for ESO149-013 joined by name (file order differs).
        Assert.Equal(875, rows.RowCount);
        Assert.Equal(0, report.MalformedRows);
        Assert.Empty(report.Tolerated);
        Assert.Equal("ESO149-013", rows.Ids![0]);
        Assert.True(double.IsNaN(rows.GetColumn("GALEX_FUV")[0]));
        Assert.Equal(-6.09061992741e-07, rows.GetColumn("GALEX_NUV")[0]);
        Assert.Equal(1500, rows.GetColumn("ned_v_helio")[0]);
        int ngc450 = Array.IndexOf(rows.Ids, "NGC0450");
        Assert.Equal(Math.Pow(10, 9.406880670049125), rows.GetColumn("Mstar__Msol")[ngc450], 1e-3);
        Assert.Equal(814, rows.GetColumn("Mstar__Msol").Count(double.IsFinite));
    }

    [Fact]
    public void ChunksAreBoundedAndCoverEveryRow()
    {
        var reader = new CatalogReader(SurveyProfile.Load(TestPaths.Profile("sdss-dr14-star-galaxy-qso.json")), new CatalogReaderOptions { ChunkRows = 3000 });
        using CatalogReadSession session = reader.Open(TestPaths.Data("sdss-dr14-star-galaxy-qso", "Skyserver_SQL2_27_2018_6_51_39_PM.csv"));
        var sizes = session.ReadChunks().Select(c => c.RowCount).ToList();
        Assert.Equal([3000, 3000, 3000, 1000], sizes);
        Assert.Equal(10000, session.Report.RowsRead);
        Assert.Equal(10000, session.Report.DataLines);
        Assert.Throws<InvalidOperationException>(() => session.ReadChunks().ToList());
    }
}
