using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Astro.Fits.Compression.Codecs;
using Astro.Fits.Compression.Quantization;

namespace Astro.Fits.Tests.Compression;

/// <summary>
/// One compressed tile with cfitsio's decoded values, from Baselines/Compression/*.json
/// (written by make_baselines.py).
/// </summary>
public sealed class FixtureTile
{
    public required string File { get; init; }
    public required string Codec { get; init; }
    public required int ZBitpix { get; init; }
    public required int TileIndex { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required byte[] Compressed { get; init; }
    public int BytePix { get; init; }
    public int BlockSize { get; init; } = RiceCodec.DefaultBlockSize;
    public int Scale { get; init; }
    public bool Smooth { get; init; }
    public string? Quantize { get; init; }
    public double ZScale { get; init; }
    public double ZZero { get; init; }
    public int? ZBlank { get; init; }
    public int ZDither0 { get; init; }
    public required string ExpectedType { get; init; }
    public byte[]? Expected { get; init; }
    public string? ExpectedSha256 { get; init; }

    /// <summary>"funpack" (nulls become NaN) or "fitsio" (cfitsio read without null checking).</summary>
    public string Reference { get; init; } = "funpack";

    /// <summary>The null value the reference applied: none when cfitsio read the tile without null checking.</summary>
    public int? EffectiveZBlank => Reference == "fitsio" ? null : ZBlank;

    public int PixelCount => Width * Height;

    public bool IsQuantized => Quantize is not null;

    /// <summary>True when the tile holds the float values themselves (lossless GZIP of floats).</summary>
    public bool IsRawFloat => ZBitpix < 0 && !IsQuantized;

    public override string ToString() => $"{File}#{TileIndex}";

    /// <summary>Decodes the tile's integers with the codec under test.</summary>
    public int[] DecodeIntegers()
    {
        int[] values = new int[PixelCount];
        switch (Codec)
        {
            case "RICE_1":
                RiceCodec.Decode(Compressed, values, BytePix, BlockSize);
                break;
            case "HCOMPRESS_1":
                if (ZBitpix is 8 or 16)
                {
                    HCompressCodec.Decode(Compressed, values, Smooth);
                }
                else
                {
                    // cfitsio decodes 32-bit and float tiles with fits_hdecompress64, then narrows to int.
                    long[] wide = new long[PixelCount];
                    HCompressCodec.Decode(Compressed, wide, Smooth);
                    for (int i = 0; i < wide.Length; i++)
                    {
                        values[i] = (int)wide[i];
                    }
                }

                break;
            case "PLIO_1":
                PlioCodec.Decode(PlioCodec.ReadWords(Compressed), values);
                break;
            case "GZIP_1":
            case "GZIP_2":
                GzipCodec.Decode(Compressed, values, BytePix, Codec == "GZIP_2");
                break;
            default:
                throw new InvalidOperationException($"Unknown codec {Codec}");
        }

        return values;
    }

    /// <summary>Decodes the tile to its final values (unquantising floats) as little-endian bytes of <see cref="ExpectedType"/>.</summary>
    public byte[] DecodeToExpectedBytes()
    {
        if (IsRawFloat)
        {
            bool shuffled = Codec == "GZIP_2";
            if (ExpectedType == "f4")
            {
                float[] f = new float[PixelCount];
                GzipCodec.Decode(Compressed, f, shuffled);
                return ToBytes<float>(f);
            }

            double[] d = new double[PixelCount];
            GzipCodec.Decode(Compressed, d, shuffled);
            return ToBytes<double>(d);
        }

        int[] ints = DecodeIntegers();
        if (!IsQuantized)
        {
            if (Codec == "HCOMPRESS_1" && ZBitpix is 8 or 16)
            {
                // cfitsio narrows HCOMPRESS output to the image type with clipping (lossy scales overshoot).
                int min = ZBitpix == 8 ? byte.MinValue : short.MinValue;
                int max = ZBitpix == 8 ? byte.MaxValue : short.MaxValue;
                for (int i = 0; i < ints.Length; i++)
                {
                    ints[i] = Math.Clamp(ints[i], min, max);
                }
            }

            return ToBytes<int>(ints);
        }

        Assert.True(Dither.TryParseMethod(Quantize, out DitherMethod method), Quantize);
        if (ExpectedType == "f4")
        {
            float[] f = new float[PixelCount];
            Dither.Unquantize(ints, f, ZScale, ZZero, method, EffectiveZBlank, TileIndex, ZDither0);
            return ToBytes<float>(f);
        }

        double[] values = new double[PixelCount];
        Dither.Unquantize(ints, values, ZScale, ZZero, method, EffectiveZBlank, TileIndex, ZDither0);
        return ToBytes<double>(values);
    }

    /// <summary>Asserts that decoded little-endian values equal cfitsio's exactly (floats bit for bit; any NaN matches any NaN).</summary>
    public void AssertMatches(byte[] actual)
    {
        if (Expected is null)
        {
            // Large tiles carry a SHA-256 of the values with NaNs canonicalised (see make_baselines.py).
            byte[] canonical = (byte[])actual.Clone();
            if (ExpectedType == "f4")
            {
                Span<float> f = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(canonical.AsSpan());
                for (int i = 0; i < f.Length; i++)
                {
                    if (float.IsNaN(f[i]))
                    {
                        f[i] = BitConverter.Int32BitsToSingle(0x7FC00000);
                    }
                }
            }
            else if (ExpectedType == "f8")
            {
                Span<double> d = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(canonical.AsSpan());
                for (int i = 0; i < d.Length; i++)
                {
                    if (double.IsNaN(d[i]))
                    {
                        d[i] = BitConverter.Int64BitsToDouble(0x7FF8000000000000);
                    }
                }
            }

            string digest = Convert.ToHexStringLower(SHA256.HashData(canonical));
            Assert.Equal(ExpectedSha256, digest);
            return;
        }

        Assert.Equal(Expected.Length, actual.Length);
        int size = ExpectedType is "f8" or "i8" ? 8 : 4;
        for (int i = 0; i < Expected.Length; i += size)
        {
            ReadOnlySpan<byte> e = Expected.AsSpan(i, size);
            ReadOnlySpan<byte> a = actual.AsSpan(i, size);
            if (e.SequenceEqual(a))
            {
                continue;
            }

            bool bothNaN = ExpectedType switch
            {
                "f4" => float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(e)) && float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(a)),
                "f8" => double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(e)) && double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(a)),
                _ => false,
            };
            Assert.True(bothNaN, $"{this}: pixel {i / size} differs: expected {Describe(e)}, got {Describe(a)}");
        }
    }

    private string Describe(ReadOnlySpan<byte> v) => ExpectedType switch
    {
        "f4" => $"{BinaryPrimitives.ReadSingleLittleEndian(v):R} (0x{BinaryPrimitives.ReadUInt32LittleEndian(v):X8})",
        "f8" => $"{BinaryPrimitives.ReadDoubleLittleEndian(v):R} (0x{BinaryPrimitives.ReadUInt64LittleEndian(v):X16})",
        "i8" => BinaryPrimitives.ReadInt64LittleEndian(v).ToString(),
        _ => BinaryPrimitives.ReadInt32LittleEndian(v).ToString(),
    };

    public static byte[] ToBytes<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        // Fixtures are little-endian, like every platform .NET runs this test suite on.
        Assert.True(BitConverter.IsLittleEndian);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray();
    }

    public static T[] FromBytes<T>(byte[] bytes)
        where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}

/// <summary>Loads the fixture tiles, copied next to the test assembly.</summary>
public static class CompressionFixtures
{
    private static readonly Lazy<IReadOnlyList<FixtureTile>> s_tiles = new(Load);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Baselines", "Compression");

    public static IReadOnlyList<FixtureTile> All => s_tiles.Value;

    public static FixtureTile Get(string file, int tileIndex) =>
        All.Single(t => t.File == file && t.TileIndex == tileIndex);

    /// <summary>xunit member data: fixture names ("file#tile") for the given codecs.</summary>
    public static TheoryData<string> Names(params string[] codecs)
    {
        var data = new TheoryData<string>();
        foreach (FixtureTile tile in All.Where(t => codecs.Contains(t.Codec)))
        {
            data.Add(tile.ToString());
        }

        return data;
    }

    public static FixtureTile ByName(string name)
    {
        int hash = name.LastIndexOf('#');
        return Get(name[..hash], int.Parse(name[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<FixtureTile> Load()
    {
        var tiles = new List<FixtureTile>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            string file = Path.GetFileNameWithoutExtension(path);
            foreach (JsonElement t in root.GetProperty("tiles").EnumerateArray())
            {
                tiles.Add(new FixtureTile
                {
                    File = file,
                    Codec = root.GetProperty("codec").GetString()!,
                    ZBitpix = root.GetProperty("zbitpix").GetInt32(),
                    TileIndex = t.GetProperty("tileIndex").GetInt32(),
                    Width = t.GetProperty("width").GetInt32(),
                    Height = t.GetProperty("height").GetInt32(),
                    Compressed = Convert.FromBase64String(t.GetProperty("compressed").GetString()!),
                    BytePix = Int(t, "bytePix") ?? 4,
                    BlockSize = Int(t, "blockSize") ?? RiceCodec.DefaultBlockSize,
                    Scale = Int(t, "scale") ?? 0,
                    Smooth = (Int(t, "smooth") ?? 0) != 0,
                    Quantize = t.TryGetProperty("quantize", out JsonElement q) ? q.GetString() : null,
                    ZScale = t.TryGetProperty("zscale", out JsonElement zs) ? zs.GetDouble() : 1.0,
                    ZZero = t.TryGetProperty("zzero", out JsonElement zz) ? zz.GetDouble() : 0.0,
                    ZBlank = Int(t, "zblank"),
                    ZDither0 = Int(t, "zdither0") ?? 0,
                    ExpectedType = t.GetProperty("expectedType").GetString()!,
                    Expected = t.TryGetProperty("expected", out JsonElement e) ? Gunzip(e.GetString()!) : null,
                    ExpectedSha256 = t.TryGetProperty("expectedSha256", out JsonElement h) ? h.GetString() : null,
                    Reference = t.TryGetProperty("reference", out JsonElement r) ? r.GetString()! : "funpack",
                });
            }
        }

        Assert.NotEmpty(tiles);
        return tiles;
    }

    public static byte[] Gunzip(string base64)
    {
        using var input = new MemoryStream(Convert.FromBase64String(base64));
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
}
