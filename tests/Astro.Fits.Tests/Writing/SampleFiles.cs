using System.Numerics;
using Astro.Fits.Cards;
using Astro.Fits.Headers;
using Astro.Fits.Tables;
using Astro.Fits.Writing;

namespace Astro.Fits.Tests.Writing;

/// <summary>
/// Files the writer makes for the external checks (fitsverify, astropy): every BITPIX, unsigned and
/// quantised images, extensions, a table with every TFORM, variable-length arrays, long strings.
/// </summary>
internal static class SampleFiles
{
    public static readonly IReadOnlyDictionary<string, Func<byte[]>> All = new Dictionary<string, Func<byte[]>>
    {
        ["image_u8.fits"] = () => WritingFixtures.WriteImage(FitsImage.FromPixels(Ramp(60, i => (byte)(i * 7)), 6, 10)),
        ["image_i16.fits"] = () => WritingFixtures.WriteImage(FitsImage.FromPixels(Ramp(60, i => (short)((i * 1000) - 30000)), 5, 4, 3)),
        ["image_i32.fits"] = () => WritingFixtures.WriteImage(FitsImage.FromPixels(Ramp(24, i => (i * 123456789) - 1), 4, 6)),
        ["image_i64.fits"] = () => WritingFixtures.WriteImage(FitsImage.FromPixels(Ramp(24, i => (i * 987654321987654L) - 5), 24)),
        ["image_f32.fits"] = () => WritingFixtures.WriteImage(FitsImage.FromPixels(Ramp(30, i => i == 3 ? float.NaN : i * 0.25f), 3, 10)),
        ["image_f64.fits"] = () => WritingFixtures.WriteImage(FitsImage.FromPixels(Ramp(30, i => i == 5 ? double.NaN : Math.Sqrt(i)), 2, 3, 5)),
        ["image_unsigned.fits"] = () => WritingFixtures.Write(w =>
        {
            w.WriteImage(FitsImage.FromPixels(Ramp(20, i => (ushort)(i * 3000)), 4, 5));
            w.WriteImage(FitsImage.FromPixels(Ramp(20, i => (uint)i * 200_000_000u), 20), Named("U32"));
            w.WriteImage(FitsImage.FromPixels(Ramp(20, i => (ulong)i * 900_000_000_000_000_000ul), 20), Named("U64"));
            w.WriteImage(FitsImage.FromPixels(Ramp(20, i => (sbyte)(i * 12 - 120)), 20), Named("I8"));
        }),
        ["image_quantized.fits"] = () => WritingFixtures.Write(w =>
        {
            double[] values = Ramp(64, i => i % 9 == 0 ? double.NaN : 100 + (i * 0.37));
            w.WriteImage(FitsImage.FromPhysical(values, [8, 8], 16, 0.01, 100.0));
            w.WriteImage(FitsImage.FromPhysical(values, [64], 8, 0.2, 99.0), Named("Q8"));
            w.WriteImage(FitsImage.FromPhysical(values, [4, 16], 32, 1e-6, 0.0), Named("Q32"));
            w.WriteImage(FitsImage.FromPhysical(values, [2, 2, 16], 64, 1e-9, 50.0), Named("Q64"));
        }),
        ["empty_primary_and_extensions.fits"] = () => WritingFixtures.Write(w =>
        {
            w.WriteImage(FitsImage.Empty, LongStringHeader());
            w.WriteImage(FitsImage.FromPixels(Ramp(6, i => (float)i), 3, 2), Named("SCI"));
            w.WriteImage(FitsImage.FromPixels(Array.Empty<float>(), 0, 5), Named("ZERO"));
            w.WriteImage(FitsImage.Empty, Named("NODATA"));
        }),
        ["table_every_tform.fits"] = () => WritingFixtures.Write(w => w.WriteTable(EveryTform(7), Named("EVERY"))),
        ["table_vla_heap.fits"] = () => WritingFixtures.Write(w => w.WriteTable(VariableLengthColumns(9), Named("VLA"))),
        ["table_empty.fits"] = () => WritingFixtures.Write(w =>
        {
            w.WriteTable([new TableColumn<int>("A", []), new TableColumn<double[]>("B", []) { VariableLength = true }, new TableColumn<string>("C", [])]);
            w.WriteTable([]);
        }),
        ["no_checksums.fits"] = () => WritingFixtures.Write(
            w =>
            {
                w.WriteImage(FitsImage.FromPixels(Ramp(10, i => (short)i), 10));
                w.WriteTable(EveryTform(3));
            },
            new FitsWriterOptions { WriteChecksums = false, LeaveOpen = true }),
    };

    public static T[] Ramp<T>(int n, Func<int, T> value) => Enumerable.Range(0, n).Select(value).ToArray();

    public static Header Named(string name)
    {
        var header = new Header();
        header.Add("EXTNAME", name, "extension name");
        return header;
    }

    /// <summary>A header with commentary, a long string (CONTINUE cards) and a few typed keywords.</summary>
    public static Header LongStringHeader()
    {
        var header = new Header();
        header.Add("OBJECT", "M 13", "target");
        header.Add("EXPTIME", 30.5, "[s] exposure");
        header.Add("NCOMBINE", 7L);
        header.Add("DITHERED", true);
        header.Add(Card.Create("CPLXVAL", CardValue.FromComplex(1.5, -2.0), "a complex value"));
        header.Add("LONGSTRN", "OGIP 1.0", "the OGIP long string convention may be used");
        header.Add("NOTES", string.Concat(Enumerable.Repeat("a long note that won't fit on one card; ", 6)), "joined from CONTINUE cards");
        header.Add(Card.CreateCommentary("COMMENT", "Written by the Astro.Fits writer tests."));
        header.Add(Card.CreateCommentary("HISTORY", "Step 1: nothing happened."));
        header.Add(Card.CreateCommentary(string.Empty, "a blank-keyword card"));
        return header;
    }

    /// <summary>One column of every binary-table type, fixed width, with nulls, scaling, units and TDIM.</summary>
    public static TableColumn[] EveryTform(int rows)
    {
        var random = new Random(rows);
        return
        [
            new TableColumn<bool?>("L", Ramp<bool?>(rows, i => (i % 3) switch { 0 => true, 1 => false, _ => null })),
            new TableColumn<bool[]>("X", Ramp(rows, i => Ramp(11, b => ((i + b) % 3) == 0))) { Type = ColumnType.Bit },
            new TableColumn<byte?>("B", Ramp<byte?>(rows, i => i == 2 ? null : (byte)(i * 30))) { NullValue = 255, Unit = "count" },
            new TableColumn<short?>("I", Ramp<short?>(rows, i => i == 1 ? null : (short)(i - 3))) { NullValue = short.MinValue },
            new TableColumn<int?>("J", Ramp<int?>(rows, i => i == 0 ? null : i * 100_000)) { NullValue = -1 },
            new TableColumn<long?>("K", Ramp<long?>(rows, i => i == 4 ? null : i * 10_000_000_000L)) { NullValue = long.MinValue },
            new TableColumn<string>("A", Ramp(rows, i => new string((char)('a' + i), i))),
            new TableColumn<float>("E", Ramp(rows, i => i == 3 ? float.NaN : i / 3f)) { Unit = "mag" },
            new TableColumn<double>("D", Ramp(rows, i => random.NextDouble() * 1e10)),
            new TableColumn<Complex>("C", Ramp(rows, i => new Complex(i, -i / 2.0))) { Type = ColumnType.Complex64 },
            new TableColumn<Complex>("M", Ramp(rows, i => new Complex(Math.PI * i, Math.E))),
            new TableColumn<int>("SCALED", Ramp(rows, i => i * 7)) { Scale = 0.5, Zero = 100.0 },
            new TableColumn<ushort>("U16", Ramp(rows, i => (ushort)(60000 + i))),
            new TableColumn<uint>("U32", Ramp(rows, i => 4_000_000_000u + (uint)i)),
            new TableColumn<ulong>("U64", Ramp(rows, i => ulong.MaxValue - (ulong)i)),
            new TableColumn<double[]>("MATRIX", Ramp(rows, i => Ramp(6, k => (i * 10.0) + k))) { Dimensions = [3, 2], Unit = "Jy" },
            new TableColumn<short[]>("IVEC", Ramp(rows, i => Ramp(4, k => (short)(i * k)))),
            new TableColumn<bool?[]>("LVEC", Ramp(rows, i => new bool?[] { true, null, i % 2 == 0 })),
            new TableColumn<Complex[]>("MVEC", Ramp(rows, i => new[] { new Complex(i, 1), new Complex(2, i) })),
            new TableColumn<string>("PADDED", Ramp(rows, i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))) { Width = 12 },
        ];
    }

    /// <summary>Variable-length arrays of every type the heap holds.</summary>
    public static TableColumn[] VariableLengthColumns(int rows) =>
    [
        new TableColumn<double[]>("PD", Ramp(rows, i => Ramp(i, k => k * 0.5))) { VariableLength = true },
        new TableColumn<float[]>("PE", Ramp(rows, i => Ramp(rows - i, k => (float)k))) { VariableLength = true },
        new TableColumn<int[]?>("PJ", Ramp(rows, i => i % 4 == 0 ? null : Ramp(i % 5, k => k * 1000))) { VariableLength = true },
        new TableColumn<short[]>("PI", Ramp(rows, i => Ramp(2 * i, k => (short)-k))) { VariableLength = true },
        new TableColumn<long[]>("PK", Ramp(rows, i => Ramp(i % 3, k => long.MaxValue - k))) { VariableLength = true },
        new TableColumn<byte[]>("PB", Ramp(rows, i => Ramp(i, k => (byte)k))) { VariableLength = true },
        new TableColumn<bool[]>("PL", Ramp(rows, i => Ramp(i % 4, k => k % 2 == 0))) { VariableLength = true },
        new TableColumn<Complex[]>("PM", Ramp(rows, i => Ramp(i % 3, k => new Complex(k, -k)))) { VariableLength = true },
        new TableColumn<string>("PA", Ramp(rows, i => new string('x', i * 3))) { VariableLength = true },
        new TableColumn<int>("ID", Ramp(rows, i => i)),
    ];
}
