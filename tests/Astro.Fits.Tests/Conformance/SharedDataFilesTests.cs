using System.Text.Json.Nodes;
using Astro.Fits.Statistics;
using Astro.Fits.Tests.Infrastructure;
using Astro.Testing;

namespace Astro.Fits.Tests.Conformance;

/// <summary>
/// Every other FITS file under ../shared/data (KiDS/SDSS/VIKING cutouts, Herschel maps, HCOMPRESS
/// multiband images, GalSim stamps, Galaxy Zoo tables) read by us and by astropy 5.2
/// (Baselines/SharedData/make_baselines.py): same statistics, floats to 1e-6 relative.
/// </summary>
public class SharedDataFilesTests
{
    private static readonly Lazy<JsonObject> s_reference = new(() =>
        JsonNode.Parse(File.ReadAllText(TestPaths.Baseline("SharedData", "astropy-stats.json")))!.AsObject());

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var (file, _) in s_reference.Value)
        {
            if (!file.StartsWith('_'))
            {
                data.Add(file);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Statistics_agree_with_astropy(string file)
    {
        using FitsFile fits = FitsFile.Open(Path.Combine(TestPaths.SharedDataRoot, file));
        JsonNode actual = JsonNode.Parse(FitsStatisticsJson.Serialize(FitsStatisticsCalculator.Compute(fits)))!;
        JsonAssert.Equivalent(new JsonObject { ["hdus"] = s_reference.Value[file]!["hdus"]!.DeepClone() }, actual, file);
    }
}
