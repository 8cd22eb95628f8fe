using System.Diagnostics;
using Astro.Fits.Compression.Codecs;

namespace Astro.Fits.Benchmarks;

/// <summary>One codec's measured decode speed.</summary>
/// <param name="Codec">RICE_1, GZIP_1 or GZIP_2.</param>
/// <param name="CompressedBytes">Bytes of all compressed tiles.</param>
/// <param name="DecodedBytes">Bytes of one decoded pass (pixels × 4).</param>
/// <param name="Passes">Full passes over the image in the timed window.</param>
/// <param name="Seconds">The timed window.</param>
public sealed record CodecBenchmarkResult(string Codec, long CompressedBytes, long DecodedBytes, int Passes, double Seconds)
{
    /// <summary>Decoded megabytes (10^6 bytes) per second.</summary>
    public double DecodedMegabytesPerSecond => Passes * (double)DecodedBytes / 1e6 / Seconds;
}

/// <summary>
/// Decode speed of the integer tile codecs on one core, without file I/O: a noisy int32 image (Gaussian noise of σ 40
/// around 20,000, seeded), one tile per row as fpack writes it, each codec decoding every tile repeatedly.
/// </summary>
public static class CodecBenchmark
{
    /// <summary>Measures RICE_1, GZIP_1 and GZIP_2 (lossless int32 tiles).</summary>
    /// <param name="width">Pixels per row (= per tile).</param>
    /// <param name="rows">Rows (= tiles).</param>
    /// <param name="duration">How long each codec decodes after one warm-up pass.</param>
    /// <param name="seed">Seed of the generated image.</param>
    /// <returns>One result per codec.</returns>
    public static IReadOnlyList<CodecBenchmarkResult> Run(int width = 1024, int rows = 1024, TimeSpan? duration = null, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        TimeSpan window = duration ?? TimeSpan.FromSeconds(2);
        var random = new Random(seed);
        int[] image = new int[checked(width * rows)];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = 20000 + (int)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) * 40);
        }

        byte[][] rice = new byte[rows][];
        byte[][] gzip1 = new byte[rows][];
        byte[][] gzip2 = new byte[rows][];
        for (int r = 0; r < rows; r++)
        {
            rice[r] = RiceCodec.Encode(image.AsSpan(r * width, width), 4, 32);
            gzip1[r] = GzipCodec.Encode(image.AsSpan(r * width, width), 4, shuffle: false);
            gzip2[r] = GzipCodec.Encode(image.AsSpan(r * width, width), 4, shuffle: true);
        }

        int[] tile = new int[width];
        long decoded = image.Length * 4L;
        return
        [
            Measure("RICE_1", rice, decoded, window, t => RiceCodec.Decode(t, tile, 4, 32)),
            Measure("GZIP_1", gzip1, decoded, window, t => GzipCodec.Decode(t, tile, 4, shuffled: false)),
            Measure("GZIP_2", gzip2, decoded, window, t => GzipCodec.Decode(t, tile, 4, shuffled: true)),
        ];
    }

    private static CodecBenchmarkResult Measure(string codec, byte[][] tiles, long decodedBytes, TimeSpan window, Action<byte[]> decode)
    {
        void DecodeAll()
        {
            foreach (byte[] t in tiles)
            {
                decode(t);
            }
        }

        DecodeAll();
        var watch = Stopwatch.StartNew();
        int passes = 0;
        while (watch.Elapsed < window)
        {
            DecodeAll();
            passes++;
        }

        return new CodecBenchmarkResult(codec, tiles.Sum(t => (long)t.Length), decodedBytes, passes, watch.Elapsed.TotalSeconds);
    }
}
