using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Inference.Models;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Testing;

namespace Astro.Services.Tests.Catalogs;

/// <summary>The output names of a catalog blob.</summary>
public sealed class CatalogOutputNamesTests
{
    [Theory]
    [InlineData("a.csv", "a")]
    [InlineData("dir/b.csv.gz", "dir/b")]
    [InlineData("t.fits", "t")]
    [InlineData("weird.name.v2", "weird.name.v2")]
    [InlineData("noext", "noext")]
    public void Output_stems_drop_the_catalog_extension(string blob, string stem)
    {
        Assert.Equal(stem, CatalogPipeline.Stem(blob));
        Assert.Equal($"catalogs/{stem}.csv", CatalogPipeline.OutputNames(blob).Csv);
        Assert.Equal($"catalogs/{stem}/parts/000012.csv", CatalogPipeline.PartName(blob, 12));
    }
}
