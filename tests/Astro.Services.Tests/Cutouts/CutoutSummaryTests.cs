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

namespace Astro.Services.Tests.Cutouts;

/// <summary>Cutout summaries without models.</summary>
public sealed class CutoutSummaryTests
{
    [Fact]
    public void Cutout_summary_rejects_bad_fits_and_images_without_pixels()
    {
        Assert.Throws<FitsException>(() => CutoutPipeline.Summarise("x.fits", "e", "c", "garbage"u8.ToArray()));
        using var ms = new MemoryStream();
        using (var w = new Astro.Fits.Writing.FitsWriter(ms, new Astro.Fits.Writing.FitsWriterOptions { LeaveOpen = true }))
        {
            w.WriteImage(Astro.Fits.Writing.FitsImage.FromPixels(Enumerable.Repeat(float.NaN, 16).ToArray(), 4, 4));
        }

        Assert.Contains("no defined pixels", Assert.Throws<FitsException>(() => CutoutPipeline.Summarise("nan.fits", "e", "c", ms.ToArray())).Message, StringComparison.Ordinal);
        Assert.Equal("cutouts/a/b.json", CutoutPipeline.OutputName("a/b.fits.gz"));
    }
}
