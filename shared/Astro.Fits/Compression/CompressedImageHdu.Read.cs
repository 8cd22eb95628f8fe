using System.Buffers.Binary;
using Astro.Fits.Compression.Codecs;
using Astro.Fits.Compression.Quantization;
using Astro.Fits.Tables;

namespace Astro.Fits.Compression;

public sealed partial class CompressedImageHdu
{
    private readonly Lock _decodeLock = new();
    private double[]? _raw;

    /// <inheritdoc />
    /// <remarks>The whole image is decoded once, tile by tile, and kept for later reads of this HDU.</remarks>
    public override void ReadPhysical(long firstPixel, Span<double> destination)
    {
        CheckRange(firstPixel, destination.Length);
        ReadOnlySpan<double> raw = Decoded().AsSpan((int)firstPixel, destination.Length);
        bool identity = Scale == 1.0 && Zero == 0.0;
        for (int i = 0; i < raw.Length; i++)
        {
            destination[i] = identity ? raw[i] : Zero + (Scale * raw[i]);
        }
    }

    /// <inheritdoc />
    public override void ReadPhysical(long firstPixel, Span<float> destination)
    {
        CheckRange(firstPixel, destination.Length);
        ReadOnlySpan<double> raw = Decoded().AsSpan((int)firstPixel, destination.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            destination[i] = (float)(Zero + (Scale * raw[i]));
        }
    }

    /// <summary>
    /// The decoded pixels before BSCALE/BZERO, as the ZBITPIX type; undefined integer pixels hold
    /// BLANK (or ZBLANK), undefined floats NaN.
    /// </summary>
    public override Array ReadRaw()
    {
        if (BitPix is 8 or 16 or 32)
        {
            int[] ints = DecodeAll<int>(static (hdu, tiles, t, pixels) => hdu.DecodeIntegerTile(tiles, t, pixels, out _));
            return BitPix switch
            {
                8 => Array.ConvertAll(ints, v => (byte)v),
                16 => Array.ConvertAll(ints, v => (short)v),
                _ => ints,
            };
        }

        double[] raw = Decoded();
        long blank = Blank ?? Parameters.Blank ?? 0;
        return BitPix switch
        {
            64 => Array.ConvertAll(raw, v => double.IsNaN(v) ? blank : (long)v),
            -32 => Array.ConvertAll(raw, v => (float)v),
            _ => (double[])raw.Clone(),
        };
    }

    private double[] Decoded()
    {
        lock (_decodeLock)
        {
            return _raw ??= DecodeAll<double>(static (hdu, tiles, t, pixels) => hdu.DecodeTile(tiles, t, pixels));
        }
    }

    private delegate T[] TileDecoder<T>(CompressedImageHdu hdu, TileData tiles, long tile, int pixels);

    /// <summary>Decodes every tile and places it in the image; the table's data unit is read once.</summary>
    private T[] DecodeAll<T>(TileDecoder<T> decode)
    {
        int length = CheckedArrayLength();
        _table.ThrowIfTruncated();
        if (_table.RowCount < Parameters.TileCount)
        {
            throw Error($"the table holds {_table.RowCount} tiles, the tiling needs {Parameters.TileCount}");
        }

        var tiles = new TileData(_table);
        var image = GC.AllocateUninitializedArray<T>(length);

        // Tiles are independent and land in disjoint parts of the image: decode them in parallel.
        try
        {
            Parallel.For(0L, Parameters.TileCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => (new long[Axes.Count], new long[Axes.Count]), (t, _, local) =>
            {
                var (start, size) = local;
                long tilePixels = 1;
                long rest = t;
                for (int i = 0; i < start.Length; i++)
                {
                    long c = rest % Parameters.TileCounts[i];
                    rest /= Parameters.TileCounts[i];
                    start[i] = c * Parameters.TileShape[i];
                    size[i] = Math.Min(Parameters.TileShape[i], Axes[i] - start[i]);
                    tilePixels *= size[i];
                }

                T[] tile;
                try
                {
                    tile = decode(this, tiles, t, checked((int)tilePixels));
                }
                catch (FitsException e) when (e.HduIndex is null)
                {
                    throw Error($"tile {t}: {e.Reason}");
                }

                Scatter(tile, image, start, size);
                return local;
            }, _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is FitsException) is FitsException first)
        {
            throw first;
        }

        return image;
    }

    private void Scatter<T>(T[] tile, T[] image, long[] start, long[] size)
    {
        long run = size[0];
        long rows = run == 0 ? 0 : tile.Length / run;
        for (long r = 0; r < rows; r++)
        {
            long offset = start[0];
            long stride = Axes[0];
            long rem = r;
            for (int i = 1; i < size.Length; i++)
            {
                long c = rem % size[i];
                rem /= size[i];
                offset += (start[i] + c) * stride;
                stride *= Axes[i];
            }

            Array.Copy(tile, r * run, image, offset, run);
        }
    }

    private double[] DecodeTile(TileData tiles, long t, int pixels)
    {
        ReadOnlySpan<byte> row = tiles.Row(t);
        ReadOnlySpan<byte> compressed = tiles.Heap(tiles.Compressed, row, t);
        var values = new double[pixels];
        bool isFloat = BitPix < 0;

        double? zscale = tiles.Scale is null ? Parameters.Scale : ReadScalar(tiles.Scale, row);
        double? zzero = tiles.Zero is null ? Parameters.Zero : ReadScalar(tiles.Zero, row);
        long? zblank = tiles.Blank is null ? Parameters.Blank : (long?)ReadScalar(tiles.Blank, row);
        bool quantized = isFloat && zscale is not null && Parameters.Quantization != QuantizationMethod.None;

        if (compressed.Length == 0)
        {
            // cfitsio stores tiles it could not quantise (or chose not to) gzipped or raw in fallback columns.
            if (tiles.Gzip is not null && tiles.Heap(tiles.Gzip, row, t) is { Length: > 0 } gz)
            {
                DecodeUnquantizedFloats(gz, values, gzip: true);
                return values;
            }

            if (tiles.Uncompressed is not null)
            {
                DecodeUncompressed(tiles.Uncompressed, tiles.Heap(tiles.Uncompressed, row, t), values);
                return values;
            }

            if (pixels == 0)
            {
                return values;
            }

            throw new FitsException("the tile has no compressed data");
        }

        if (isFloat && !quantized)
        {
            DecodeUnquantizedFloats(compressed, values, gzip: Parameters.Type is TileCompressionType.Gzip1 or TileCompressionType.Gzip2);
            return values;
        }

        if (!isFloat && BitPix == 64)
        {
            var longs = new long[pixels];
            switch (Parameters.Type)
            {
                case TileCompressionType.Gzip1:
                case TileCompressionType.Gzip2:
                    GzipCodec.Decode(compressed, longs, Parameters.Type == TileCompressionType.Gzip2);
                    break;
                case TileCompressionType.HCompress1:
                    HCompressCodec.Decode(compressed, longs, Parameters.Smooth != 0);
                    break;
                case TileCompressionType.None:
                    ReadBigEndian(compressed, longs);
                    break;
                default:
                    throw new FitsException($"{Parameters.Type} cannot hold 64-bit integers");
            }

            long? blank64 = zblank ?? Blank;
            for (int i = 0; i < pixels; i++)
            {
                values[i] = blank64 == longs[i] ? double.NaN : longs[i];
            }

            return values;
        }

        int[] ints = DecodeIntegerTile(tiles, t, pixels, out _);
        if (quantized)
        {
            var method = Parameters.Quantization switch
            {
                QuantizationMethod.SubtractiveDither1 => DitherMethod.SubtractiveDither1,
                QuantizationMethod.SubtractiveDither2 => DitherMethod.SubtractiveDither2,
                _ => DitherMethod.NoDither,
            };
            int? nullValue = zblank is long b ? (int)b : null;
            if (BitPix == -32)
            {
                var floats = new float[pixels];
                Dither.Unquantize(ints, floats, zscale!.Value, zzero ?? 0.0, method, nullValue, t, (int)Parameters.DitherSeed);
                for (int i = 0; i < pixels; i++)
                {
                    values[i] = floats[i];
                }
            }
            else
            {
                Dither.Unquantize(ints, values, zscale!.Value, zzero ?? 0.0, method, nullValue, t, (int)Parameters.DitherSeed);
            }

            return values;
        }

        long? blank = zblank ?? Blank;
        for (int i = 0; i < pixels; i++)
        {
            values[i] = blank == ints[i] ? double.NaN : ints[i];
        }

        return values;
    }

    /// <summary>Decodes a tile stored as integers of up to 32 bits (integer images, quantised floats): the raw values.</summary>
    private int[] DecodeIntegerTile(TileData tiles, long t, int pixels, out bool fallback)
    {
        ReadOnlySpan<byte> row = tiles.Row(t);
        ReadOnlySpan<byte> compressed = tiles.Heap(tiles.Compressed, row, t);
        var ints = new int[pixels];
        fallback = compressed.Length == 0 && pixels > 0;
        if (fallback)
        {
            if (BitPix < 0 || tiles.Uncompressed is null)
            {
                throw new FitsException("the tile has no compressed data");
            }

            double[] values = new double[pixels];
            DecodeUncompressed(tiles.Uncompressed, tiles.Heap(tiles.Uncompressed, row, t), values);
            for (int i = 0; i < pixels; i++)
            {
                ints[i] = (int)values[i];
            }

            return ints;
        }

        int bytePix = BitPix < 0 ? 4 : Math.Abs(BitPix) / 8;
        switch (Parameters.Type)
        {
            case TileCompressionType.Rice1:
                RiceCodec.Decode(compressed, ints, Parameters.BytePix is 1 or 2 or 4 ? Parameters.BytePix : bytePix, Parameters.BlockSize);
                break;
            case TileCompressionType.Gzip1:
            case TileCompressionType.Gzip2:
                DecodeGzipIntegers(compressed, ints, bytePix);
                break;
            case TileCompressionType.Plio1:
                PlioCodec.Decode(PlioCodec.ReadWords(compressed), ints);
                break;
            case TileCompressionType.HCompress1:
                DecodeHCompress(compressed, ints, bytePix);
                break;
            default:
                ReadBigEndian(compressed, ints, bytePix);
                break;
        }

        return ints;
    }

    /// <summary>
    /// GZIP integer tiles hold ZBITPIX-sized values, except in files from older cfitsio versions,
    /// which stored 8- and 16-bit tiles as 32-bit integers; the inflated length tells which (as cfitsio does).
    /// </summary>
    private void DecodeGzipIntegers(ReadOnlySpan<byte> compressed, int[] ints, int bytePix)
    {
        bool shuffled = Parameters.Type == TileCompressionType.Gzip2;
        byte[] inflated = new byte[ints.Length * 8];
        int length = GzipCodec.Decompress(compressed, inflated, exact: false);
        int actual = length == ints.Length * bytePix ? bytePix
            : length == ints.Length * 4 ? 4
            : throw new FitsException($"GZIP tile inflates to {length} bytes, expected {ints.Length * bytePix}");
        Span<byte> bytes = inflated.AsSpan(0, length);
        if (shuffled)
        {
            byte[] ordered = new byte[length];
            GzipCodec.Unshuffle(bytes, ordered, actual);
            bytes = ordered;
        }

        ReadBigEndian(bytes, ints, actual);
    }

    /// <summary>
    /// As cfitsio: 8- and 16-bit tiles decode in 32-bit arithmetic and are clipped to the pixel type
    /// (lossy scales can overshoot); 32-bit and quantised tiles decode in 64-bit (a tile can need 33
    /// bit planes) and are narrowed to int.
    /// </summary>
    private void DecodeHCompress(ReadOnlySpan<byte> compressed, int[] ints, int bytePix)
    {
        bool smooth = Parameters.Smooth != 0;
        if (bytePix <= 2 && BitPix > 0)
        {
            HCompressCodec.Decode(compressed, ints, smooth);
            int min = BitPix == 8 ? 0 : short.MinValue;
            int max = BitPix == 8 ? byte.MaxValue : short.MaxValue;
            for (int i = 0; i < ints.Length; i++)
            {
                ints[i] = Math.Clamp(ints[i], min, max);
            }

            return;
        }

        var longs = new long[ints.Length];
        HCompressCodec.Decode(compressed, longs, smooth);
        for (int i = 0; i < ints.Length; i++)
        {
            ints[i] = (int)longs[i];
        }
    }

    private void DecodeUnquantizedFloats(ReadOnlySpan<byte> compressed, double[] values, bool gzip)
    {
        bool shuffled = Parameters.Type == TileCompressionType.Gzip2;
        if (BitPix == -32)
        {
            var floats = new float[values.Length];
            if (gzip)
            {
                GzipCodec.Decode(compressed, floats, shuffled);
            }
            else
            {
                ReadBigEndian(compressed, floats);
            }

            for (int i = 0; i < floats.Length; i++)
            {
                values[i] = floats[i];
            }
        }
        else if (gzip)
        {
            GzipCodec.Decode(compressed, values, shuffled);
        }
        else
        {
            ReadBigEndian(compressed, values);
        }
    }

    private static void DecodeUncompressed(BinaryColumn column, ReadOnlySpan<byte> bytes, double[] values)
    {
        int size = column.Format.ElementSize;
        if (bytes.Length != values.Length * size)
        {
            throw new FitsException($"UNCOMPRESSED_DATA holds {bytes.Length / Math.Max(1, size)} values, the tile has {values.Length}");
        }

        for (int i = 0; i < values.Length; i++)
        {
            ReadOnlySpan<byte> p = bytes.Slice(i * size, size);
            values[i] = column.Format.Type switch
            {
                ColumnType.Byte => p[0],
                ColumnType.Int16 => BinaryPrimitives.ReadInt16BigEndian(p),
                ColumnType.Int32 => BinaryPrimitives.ReadInt32BigEndian(p),
                ColumnType.Int64 => BinaryPrimitives.ReadInt64BigEndian(p),
                ColumnType.Float32 => BinaryPrimitives.ReadSingleBigEndian(p),
                ColumnType.Float64 => BinaryPrimitives.ReadDoubleBigEndian(p),
                _ => throw new FitsException($"UNCOMPRESSED_DATA has unsupported type {column.Format.Text}"),
            };
        }
    }

    private double ReadScalar(BinaryColumn column, ReadOnlySpan<byte> row)
    {
        if (column.Format.IsVariableLength || column.Format.Repeat < 1)
        {
            throw Error($"{column.DisplayName} must be a scalar column");
        }

        ReadOnlySpan<byte> p = row.Slice((int)column.Offset, column.Format.ElementSize);
        return column.Format.Type switch
        {
            ColumnType.Byte => p[0],
            ColumnType.Int16 => BinaryPrimitives.ReadInt16BigEndian(p),
            ColumnType.Int32 => BinaryPrimitives.ReadInt32BigEndian(p),
            ColumnType.Int64 => BinaryPrimitives.ReadInt64BigEndian(p),
            ColumnType.Float32 => BinaryPrimitives.ReadSingleBigEndian(p),
            ColumnType.Float64 => BinaryPrimitives.ReadDoubleBigEndian(p),
            _ => throw Error($"{column.DisplayName} has unsupported type {column.Format.Text}"),
        };
    }

    private static void ReadBigEndian(ReadOnlySpan<byte> bytes, Span<int> destination, int bytePix)
    {
        if (bytes.Length != destination.Length * bytePix)
        {
            throw new FitsException($"an uncompressed tile holds {bytes.Length} bytes, expected {destination.Length * bytePix}");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            ReadOnlySpan<byte> p = bytes.Slice(i * bytePix, bytePix);
            destination[i] = bytePix switch { 1 => p[0], 2 => BinaryPrimitives.ReadInt16BigEndian(p), _ => BinaryPrimitives.ReadInt32BigEndian(p) };
        }
    }

    private static void ReadBigEndian(ReadOnlySpan<byte> bytes, Span<long> destination)
    {
        if (bytes.Length != destination.Length * 8)
        {
            throw new FitsException($"an uncompressed tile holds {bytes.Length} bytes, expected {destination.Length * 8}");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt64BigEndian(bytes.Slice(i * 8));
        }
    }

    private static void ReadBigEndian(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (bytes.Length != destination.Length * 4)
        {
            throw new FitsException($"an uncompressed tile holds {bytes.Length} bytes, expected {destination.Length * 4}");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleBigEndian(bytes.Slice(i * 4));
        }
    }

    private static void ReadBigEndian(ReadOnlySpan<byte> bytes, Span<double> destination)
    {
        if (bytes.Length != destination.Length * 8)
        {
            throw new FitsException($"an uncompressed tile holds {bytes.Length} bytes, expected {destination.Length * 8}");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadDoubleBigEndian(bytes.Slice(i * 8));
        }
    }

    /// <summary>The tile table's data unit, read once, and its columns, found once by name.</summary>
    private sealed class TileData
    {
        private readonly BinaryTableHdu _table;
        private readonly byte[] _data;

        public TileData(BinaryTableHdu table)
        {
            _table = table;
            Compressed = Find(table, "COMPRESSED_DATA") ?? throw table.Error("the compressed image has no COMPRESSED_DATA column");
            if (!Compressed.Format.IsVariableLength)
            {
                throw table.Error("COMPRESSED_DATA must be a variable-length column");
            }

            Gzip = Find(table, "GZIP_COMPRESSED_DATA");
            Uncompressed = Find(table, "UNCOMPRESSED_DATA");
            Scale = Find(table, "ZSCALE");
            Zero = Find(table, "ZZERO");
            Blank = Find(table, "ZBLANK");
            if (table.DataLength > Array.MaxLength)
            {
                throw table.Error($"the compressed data unit of {table.DataLength} bytes is too large to decode in memory");
            }

            _data = GC.AllocateUninitializedArray<byte>((int)table.DataLength);
            table.ReadData(0, _data);
        }

        public BinaryColumn Compressed { get; }

        public BinaryColumn? Gzip { get; }

        public BinaryColumn? Uncompressed { get; }

        public BinaryColumn? Scale { get; }

        public BinaryColumn? Zero { get; }

        public BinaryColumn? Blank { get; }

        public ReadOnlySpan<byte> Row(long t) => _data.AsSpan((int)(t * _table.RowLength), (int)_table.RowLength);

        /// <summary>The bytes a column's field points to: the heap array for descriptors, the field itself otherwise.</summary>
        public ReadOnlySpan<byte> Heap(BinaryColumn column, ReadOnlySpan<byte> row, long t)
        {
            ReadOnlySpan<byte> field = row.Slice((int)column.Offset, (int)column.Format.FieldWidth);
            if (!column.Format.IsVariableLength)
            {
                return field;
            }

            long count = column.Format.Descriptor == 'P' ? BinaryPrimitives.ReadInt32BigEndian(field) : BinaryPrimitives.ReadInt64BigEndian(field);
            long offset = column.Format.Descriptor == 'P' ? BinaryPrimitives.ReadInt32BigEndian(field[4..]) : BinaryPrimitives.ReadInt64BigEndian(field[8..]);
            long bytes = count * column.Format.ElementSize;
            if (count < 0 || offset < 0 || _table.HeapOffset + offset + bytes > _data.Length)
            {
                throw new FitsException($"{column.DisplayName} of tile {t} ({count} elements at heap offset {offset}) lies outside the heap");
            }

            return _data.AsSpan((int)(_table.HeapOffset + offset), (int)bytes);
        }

        private static BinaryColumn? Find(BinaryTableHdu table, string name) =>
            table.BinaryColumns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
    }
}
