namespace Astro.Catalogs.Tests;

public class SurveyProfileTests
{
    [Theory]
    [InlineData("gama-pdr.json", 21, 3)]
    [InlineData("dustpedia.json", 19, 3)]
    [InlineData("sdss-boss-dr10.json", 5, 1)]
    [InlineData("sdss-dr14-star-galaxy-qso.json", 5, 0)]
    [InlineData("alhambra.json", 24, 4)]
    public void ShippedProfilesLoad(string file, int bands, int labels)
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile(file));
        Assert.Equal(SurveyProfileVersion.V1, p.FormatVersion);
        Assert.Equal(bands, p.Bands.Count);
        Assert.Equal(labels, p.Labels.Count);
        Assert.False(string.IsNullOrWhiteSpace(p.Description));
    }

    [Fact]
    public void GamaProfileHasPaper000Bands()
    {
        SurveyProfile p = SurveyProfile.Load(TestPaths.Profile("gama-pdr.json"));
        Assert.Equal(
            ["FUV", "NUV", "u", "g", "r", "i", "z", "X", "Y", "J", "H", "K", "W1", "W2", "W3", "W4", "P100", "P160", "S250", "S350", "S500"],
            p.Bands.Select(b => b.Name));
        Assert.True(p.Model.IncludeRedshift);
        Assert.Equal(["logMstar", "logSFR", "logLdust"], p.Labels.Select(l => l.Name));
    }

    [Fact]
    public void VersionZeroIsRejected()
    {
        string json = Minimal().Replace("\"formatVersion\": 1", "\"formatVersion\": 0", StringComparison.Ordinal);
        CatalogException ex = Assert.Throws<CatalogException>(() => SurveyProfile.Parse(json));
        Assert.Contains("$.formatVersion: unsupported format version 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllProblemsAreReportedAtOnce()
    {
        const string json = """
            {
              "formatVersion": 7,
              "description": "broken",
              "bands": [
                { "name": "u", "column": "U", "unit": "furlongs" },
                { "name": "u", "column": "G", "unit": "asinhMag" },
                { "name": "r", "column": "R", "unit": "Jy", "zeroPointJy": 3631, "wavelenghtMicrons": 0.6 }
              ],
              "sentinels": [ { "value": "minus ninety-nine", "meaning": "gone" } ],
              "model": { "representation": "fluxJy", "includeRedshift": true },
              "dialect": { "delimiter": "::", "header": "none" }
            }
            """;
        CatalogException ex = Assert.Throws<CatalogException>(() => SurveyProfile.Parse(json, "broken.json"));
        string[] expected =
        [
            "$.formatVersion: unsupported format version 7",
            "$.name: is required",
            "$.bands[0].unit: 'furlongs' is not one of",
            "$.bands: band name 'u' is used 2 times",
            "$.bands[1].softening: band 'u' is in asinh magnitudes and needs its softening parameter b",
            "$.bands[2].zeroPointJy: band 'r' is a flux (Jy)",
            "$.bands[2].wavelenghtMicrons: unknown property",
            "$.sentinels[0].value: 'minus ninety-nine' is not a number",
            "$.sentinels[0].meaning: 'gone' is not one of",
            "$.model.representation: 'fluxJy' is not one of",
            "$.model.includeRedshift: is true but the profile has no redshift column",
            "$.dialect.delimiter: '::' must be a single character",
            "$.dialect.columnNames: header \"none\" needs columnNames",
        ];
        foreach (string e in expected)
        {
            Assert.Contains(ex.Errors, x => x.StartsWith(e, StringComparison.Ordinal));
            Assert.Contains(e, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(expected.Length, ex.Errors.Count);
        Assert.StartsWith("Survey profile 'broken.json' is invalid: 13 problems:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotJsonIsOneClearError()
    {
        CatalogException ex = Assert.Throws<CatalogException>(() => SurveyProfile.Parse("{ \"formatVersion\": ", "x.json"));
        Assert.StartsWith("Survey profile 'x.json' is not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelSpaces()
    {
        SurveyProfile p = SurveyProfile.Parse(Minimal());
        LabelDefinition linear = p.Labels[0];
        Assert.Equal(9.0, linear.ToModelSpace(1e9), 12);
        Assert.Equal(9.0, linear.ToLog10(1e9), 12);
        Assert.True(double.IsNaN(linear.ToModelSpace(0)));
    }

    internal static string Minimal() => """
        {
          "formatVersion": 1,
          "name": "mini",
          "description": "test",
          "idColumn": "id",
          "bands": [ { "name": "a", "column": "A", "errorColumn": "A_err", "unit": "Jy" } ],
          "labels": [ { "name": "logMstar", "column": "M", "transform": "log10", "storedAsLog10": false } ],
          "model": { "representation": "fluxMicroJansky" }
        }
        """;
}
