using System.Globalization;
using Astro.Fits.Headers;

namespace Astro.Fits.Compression;

/// <summary>The tiling, algorithm and quantisation of a tile-compressed image, from its Z keywords.</summary>
public sealed class TileParameters
{
    private TileParameters()
    {
    }

    /// <summary>ZCMPTYPE.</summary>
    public TileCompressionType Type { get; private init; }

    /// <summary>ZTILE1, ZTILE2, …: tile size along each axis.</summary>
    public IReadOnlyList<long> TileShape { get; private init; } = [];

    /// <summary>Tiles along each axis.</summary>
    public IReadOnlyList<long> TileCounts { get; private init; } = [];

    /// <summary>Total number of tiles (rows of the table).</summary>
    public long TileCount { get; private init; }

    /// <summary>RICE_1 BLOCKSIZE (default 32).</summary>
    public int BlockSize { get; private init; } = 32;

    /// <summary>Bytes per integer value in RICE tiles (BYTEPIX; the convention's default is 4).</summary>
    public int BytePix { get; private init; }

    /// <summary>HCOMPRESS_1 SMOOTH (0 = no smoothing).</summary>
    public int Smooth { get; private init; }

    /// <summary>ZQUANTIZ.</summary>
    public QuantizationMethod Quantization { get; private init; }

    /// <summary>ZDITHER0: the 1-based seed offset into cfitsio's random table (default 1).</summary>
    public long DitherSeed { get; private init; } = 1;

    /// <summary>ZSCALE keyword (when not a per-tile column).</summary>
    public double? Scale { get; private init; }

    /// <summary>ZZERO keyword (when not a per-tile column).</summary>
    public double? Zero { get; private init; }

    /// <summary>ZBLANK keyword (when not a per-tile column): the integer that marks undefined pixels.</summary>
    public long? Blank { get; private init; }

    internal static TileParameters Read(Header header, IReadOnlyList<long> axes)
    {
        string name = (header.GetString("ZCMPTYPE") ?? throw header.Error(null, "missing required keyword ZCMPTYPE")).Trim().ToUpperInvariant();
        TileCompressionType type = name switch
        {
            "RICE_1" or "RICE_ONE" => TileCompressionType.Rice1,
            "GZIP_1" => TileCompressionType.Gzip1,
            "GZIP_2" => TileCompressionType.Gzip2,
            "PLIO_1" => TileCompressionType.Plio1,
            "HCOMPRESS_1" => TileCompressionType.HCompress1,
            "NOCOMPRESS" => TileCompressionType.None,
            _ => throw header.Error(header.IndexOf("ZCMPTYPE"), $"unknown compression ZCMPTYPE = '{name}'"),
        };

        long bitPix = header.RequireInt64("ZBITPIX");
        var shape = new long[axes.Count];
        var counts = new long[axes.Count];
        long tiles = axes.Count == 0 ? 0 : 1;
        for (int i = 0; i < axes.Count; i++)
        {
            string keyword = "ZTILE" + (i + 1).ToString(CultureInfo.InvariantCulture);
            shape[i] = header.GetInt64(keyword, i == 0 ? axes[0] : 1);
            if (shape[i] <= 0 && axes[i] > 0)
            {
                throw header.Error(header.IndexOf(keyword), $"{keyword} = {shape[i]} must be positive");
            }

            counts[i] = shape[i] <= 0 ? 0 : (axes[i] + shape[i] - 1) / shape[i];
            tiles = checked(tiles * counts[i]);
        }

        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 1; i < 1000; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            string? key = header.GetString("ZNAME" + n);
            if (key is null)
            {
                break;
            }

            if (header.TryGetDouble("ZVAL" + n, out double value))
            {
                parameters[key.Trim().ToUpperInvariant()] = value;
            }
        }

        string? quantize = header.GetString("ZQUANTIZ")?.Trim().ToUpperInvariant();
        bool isFloat = bitPix < 0;
        QuantizationMethod method = quantize switch
        {
            "NO_DITHER" => QuantizationMethod.NoDither,
            "SUBTRACTIVE_DITHER_1" => QuantizationMethod.SubtractiveDither1,
            "SUBTRACTIVE_DITHER_2" => QuantizationMethod.SubtractiveDither2,
            "NONE" => QuantizationMethod.None,
            null => isFloat ? QuantizationMethod.NoDither : QuantizationMethod.None,
            _ => throw header.Error(header.IndexOf("ZQUANTIZ"), $"unknown ZQUANTIZ = '{quantize}'"),
        };

        // The tiled-image convention defaults BYTEPIX to 4; older cfitsio wrote 16-bit tiles that way without saying so.
        const int defaultBytePix = 4;
        return new TileParameters
        {
            Type = type,
            TileShape = shape,
            TileCounts = counts,
            TileCount = tiles,
            BlockSize = parameters.TryGetValue("BLOCKSIZE", out double block) ? (int)block : 32,
            BytePix = parameters.TryGetValue("BYTEPIX", out double bytePix) ? (int)bytePix : defaultBytePix,
            Smooth = parameters.TryGetValue("SMOOTH", out double smooth) ? (int)smooth : 0,
            Quantization = isFloat ? method : QuantizationMethod.None,
            DitherSeed = header.GetInt64("ZDITHER0", 1),
            Scale = header.TryGetDouble("ZSCALE", out double zscale) ? zscale : null,
            Zero = header.TryGetDouble("ZZERO", out double zzero) ? zzero : null,
            Blank = header.TryGetInt64("ZBLANK", out long zblank) ? zblank : null,
        };
    }
}
