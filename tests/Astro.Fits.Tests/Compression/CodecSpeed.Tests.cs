using System.Diagnostics;
using Astro.Fits.Compression.Codecs;
using Xunit.Abstractions;

namespace Astro.Fits.Tests.Compression;

/// <summary>A fact that only runs when ASTRO_FITS_BENCH=1 is set.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ASTRO_FITS_BENCH") != "1")
        {
            Skip = "Speed measurement; set ASTRO_FITS_BENCH=1 to run.";
        }
    }
}

public sealed class CodecSpeedTests(ITestOutputHelper output)
{
    [BenchmarkFact]
    public void Rice32_And_Gzip_DecodeSpeed()
    {
        // A 1024x1024 noisy image, one tile per row, as fpack would write it.
        const int width = 1024;
        const int rows = 1024;
        var random = new Random(1);
        int[] image = new int[width * rows];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = 20000 + (int)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) * 40);
        }

        byte[][] rice = new byte[rows][];
        byte[][] gzip = new byte[rows][];
        for (int r = 0; r < rows; r++)
        {
            rice[r] = RiceCodec.Encode(image.AsSpan(r * width, width), 4, 32);
            gzip[r] = GzipCodec.Encode(image.AsSpan(r * width, width), 4, shuffle: false);
        }

        int[] tile = new int[width];
        double riceRate = Measure(() =>
        {
            for (int r = 0; r < rows; r++)
            {
                RiceCodec.Decode(rice[r], tile, 4, 32);
            }
        });
        double gzipRate = Measure(() =>
        {
            for (int r = 0; r < rows; r++)
            {
                GzipCodec.Decode(gzip[r], tile, 4, shuffled: false);
            }
        });

        output.WriteLine($"RICE_1 int32 decode: {riceRate:F0} MB/s; GZIP_1 int32 decode: {gzipRate:F0} MB/s (decoded bytes)");
        Assert.True(riceRate > 0 && gzipRate > 0);

        double Measure(Action decodeAll)
        {
            decodeAll();
            var watch = Stopwatch.StartNew();
            int passes = 0;
            while (watch.Elapsed < TimeSpan.FromSeconds(2))
            {
                decodeAll();
                passes++;
            }

            return passes * (double)image.Length * 4 / (1 << 20) / watch.Elapsed.TotalSeconds;
        }
    }
}
