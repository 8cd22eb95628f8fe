using System.Numerics;
using Astro.Fits.Tables;
using Astro.Fits.Writing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astro.Fits.Tests.Writing;

/// <summary>Binary tables written by <see cref="FitsWriter"/> read back identically through our reader.</summary>
public class FitsWriterTableTests
{
    /// <summary>A column to write and how to check what the reader makes of it.</summary>
    private sealed record ColumnCase(string Kind, TableColumn Column, Action<BinaryTableHdu, Column> Check);

    public sealed record TableCase(int Rows, int[] Kinds, int Seed, bool Unnamed)
    {
        public override string ToString() => $"{Rows} rows, kinds [{string.Join(",", Kinds.Select(k => s_kinds[k].Name))}], seed {Seed}, unnamed {Unnamed}";
    }

    private static readonly (string Name, Func<string?, int, Random, ColumnCase> Make)[] s_kinds =
    [
        ("B", (n, rows, r) => Exact(n, rows, r, r => (byte)r.Next(256))),
        ("I", (n, rows, r) => Exact(n, rows, r, r => (short)r.Next(short.MinValue, short.MaxValue + 1))),
        ("J", (n, rows, r) => Exact(n, rows, r, r => r.Next(int.MinValue, int.MaxValue))),
        ("K", (n, rows, r) => Raw(n, Values(rows, r, r => r.NextInt64(long.MinValue, long.MaxValue)), v => [v])),
        ("E", (n, rows, r) => Raw(n, Values(rows, r, RandomFloat), v => [v])),
        ("D", (n, rows, r) => Raw(n, Values(rows, r, RandomDouble), v => [v])),
        ("U16", (n, rows, r) => Unsigned(n, Values(rows, r, r => (ushort)r.Next(65536)), v => new[] { (short)(v ^ 0x8000) })),
        ("U32", (n, rows, r) => Unsigned(n, Values(rows, r, r => (uint)r.NextInt64(0, 1L << 32)), v => new[] { (int)(v ^ 0x80000000) })),
        ("U64", (n, rows, r) => Unsigned(n, Values(rows, r, r => (ulong)r.NextInt64() * 2), v => new[] { (long)(v ^ 0x8000000000000000) })),
        ("J null", (n, rows, r) => NullableInt(n, Values<int?>(rows, r, r => r.Next(3) == 0 ? null : r.Next(-1000, 1000)), int.MinValue)),
        ("I null", (n, rows, r) => NullableInt(n, Values<short?>(rows, r, r => r.Next(3) == 0 ? null : (short)r.Next(-1000, 1000)), -999_999 % 32768)),
        ("B null", (n, rows, r) => NullableInt(n, Values<byte?>(rows, r, r => r.Next(3) == 0 ? null : (byte)r.Next(255)), 255)),
        ("K null", (n, rows, r) => NullableInt(n, Values<long?>(rows, r, r => r.Next(3) == 0 ? null : r.NextInt64(-1L << 40, 1L << 40)), long.MaxValue)),
        ("L", (n, rows, r) => Logical(n, Values<bool?>(rows, r, r => r.Next(3) switch { 0 => true, 1 => false, _ => null }))),
        ("A", (n, rows, r) => Strings(n, Values(rows, r, r => RandomString(r, r.Next(0, 20))), variable: false)),
        ("X", (n, rows, r) => Bits(n, rows, r)),
        ("C", (n, rows, r) => ComplexColumn(n, Values(rows, r, r => new Complex(RandomFloat(r), RandomFloat(r))), single: true)),
        ("M", (n, rows, r) => ComplexColumn(n, Values(rows, r, r => new Complex(RandomDouble(r), RandomDouble(r))), single: false)),
        ("3D", (n, rows, r) => Vector(n, rows, r, RandomDouble, variable: false)),
        ("2J TDIM", (n, rows, r) => Vector(n, rows, r, r => r.Next(), variable: false, dims: [2, 1])),
        ("PD", (n, rows, r) => Vector(n, rows, r, RandomDouble, variable: true)),
        ("PE", (n, rows, r) => Vector(n, rows, r, RandomFloat, variable: true)),
        ("PI", (n, rows, r) => Vector(n, rows, r, r => (short)r.Next(), variable: true)),
        ("PJ", (n, rows, r) => Vector(n, rows, r, r => r.Next(), variable: true)),
        ("PK", (n, rows, r) => Vector(n, rows, r, r => r.NextInt64(), variable: true)),
        ("PB", (n, rows, r) => Vector(n, rows, r, r => (byte)r.Next(256), variable: true)),
        ("PA", (n, rows, r) => Strings(n, Values(rows, r, r => RandomString(r, r.Next(0, 90))), variable: true)),
        ("PL", (n, rows, r) => LogicalVectors(n, rows, r)),
        ("scaled J", (n, rows, r) => Scaled(n, Values(rows, r, r => r.Next(-100000, 100000)))),
    ];

    private static Arbitrary<TableCase> TableCases() =>
        (from rows in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(1)), (8, Gen.Choose(2, 40)))
         from count in Gen.Choose(1, 8)
         from kinds in Gen.ArrayOf(Gen.Choose(0, s_kinds.Length - 1), count)
         from seed in Gen.Choose(0, int.MaxValue)
         from unnamed in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
         select new TableCase(rows, kinds, seed, unnamed)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Every_column_type_reads_back_identically() => Prop.ForAll(TableCases(), c =>
    {
        var random = new Random(c.Seed);
        var cases = c.Kinds.Select((k, i) => s_kinds[k].Make(c.Unnamed && i == 0 && k < 6 ? null : $"C{i}_{s_kinds[k].Name.Replace(' ', '_')}", c.Rows, random)).ToArray();

        byte[] bytes = WritingFixtures.WriteTable(cases.Select(x => x.Column).ToArray());

        using FitsFile file = FitsFile.Open(bytes);
        Assert.Equal(2, file.Count);
        var table = Assert.IsType<BinaryTableHdu>(file[1]);
        Assert.Equal(c.Rows, table.RowCount);
        Assert.Equal(cases.Length, table.Columns.Count);
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.Equal(cases[i].Column.Name, table.Columns[i].Name);
            cases[i].Check(table, table.Columns[i]);
        }

        Assert.All(file, h => Assert.True(h.VerifyChecksums().IsValid));
        return true;
    });

    [Fact]
    public void Heap_layout_is_declared_by_pcount_and_descriptors()
    {
        byte[] bytes = WritingFixtures.WriteTable(SampleFiles.VariableLengthColumns(9));

        using FitsFile file = FitsFile.Open(bytes);
        var table = Assert.IsType<BinaryTableHdu>(file[1]);
        Assert.Equal(table.RowLength * table.RowCount, table.HeapOffset);
        Assert.False(table.Header.Contains("THEAP"));
        Assert.Equal("1PD(8)", table.BinaryColumns[0].Format.Text);
        Assert.Equal("1PA(24)", table.BinaryColumns[8].Format.Text);
        long heap = (36 * 8) + (45 * 4) + (9 * 4) + (72 * 2) + (9 * 8) + 36 + 12 + (9 * 16) + 108;
        Assert.Equal(heap, table.HeapLength);
        Assert.Equal(heap, table.Header.GetInt64("PCOUNT", -1));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => new string('x', i * 3)), table.ReadStrings("PA"));
        Assert.Equal([0, 0, 1000, 0, 1000, 2000, 0, 0, 1000], table.ReadRaw<int>("PJ"));
    }

    [Fact]
    public void Every_tform_has_the_expected_keywords()
    {
        byte[] bytes = WritingFixtures.WriteTable(SampleFiles.EveryTform(3));

        using FitsFile file = FitsFile.Open(bytes);
        var table = Assert.IsType<BinaryTableHdu>(file[1]);
        Assert.Equal(
            ["1L", "11X", "1B", "1I", "1J", "1K", "2A", "1E", "1D", "1C", "1M", "1J", "1I", "1J", "1K", "6D", "4I", "3L", "2M", "12A"],
            table.BinaryColumns.Select(c => c.Format.Text));
        Astro.Fits.Headers.Header h = table.Header;
        Assert.Equal(["XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "PCOUNT", "GCOUNT", "TFIELDS"], h.Take(8).Select(c => c.Keyword));
        Assert.Equal(255, h.GetInt64("TNULL3", 0));
        Assert.Equal("count", h.GetString("TUNIT3"));
        Assert.Equal(0.5, h.GetDouble("TSCAL12", 0));
        Assert.Equal(100, h.GetInt64("TZERO12", 0));
        Assert.Equal(32768, h.GetInt64("TZERO13", 0));
        Assert.Equal(2147483648, h.GetInt64("TZERO14", 0));
        Assert.Equal(9223372036854775808.0, h.GetDouble("TZERO15", 0));
        Assert.Equal("(3,2)", h.GetString("TDIM16"));
        Assert.Equal([3L, 2L], table.BinaryColumns[15].Dimensions);
        Assert.Equal("IVEC", h.GetString("TTYPE17"));
        Assert.Equal([100.0, 103.5, 107.0], table.ReadColumnAsDouble("SCALED"));
        Assert.Equal([-3.0, double.NaN, -1.0], table.ReadColumnAsDouble("I"));
        Assert.Equal(new bool?[] { true, null, true, true, null, false, true, null, true }, table.ReadLogicals("LVEC"));
        Assert.Equal(["0", "1", "2"], table.ReadStrings("PADDED"));
    }

    [Fact]
    public void Invalid_columns_are_refused_with_the_column_named()
    {
        Assert.Contains("B", Refused(new TableColumn<int>("A", [1]), new TableColumn<int>("B", [1, 2])), StringComparison.Ordinal);
        Assert.Contains("row 1", Refused(new TableColumn<int[]>("V", [[1], [1, 2]])), StringComparison.Ordinal);
        Assert.Contains("NullValue", Refused(new TableColumn<int?>("N", [1, null])), StringComparison.Ordinal);
        Assert.Contains("TNULL", Refused(new TableColumn<double>("F", [1]) { NullValue = 0 }), StringComparison.Ordinal);
        Assert.Contains("TNULL", Refused(new TableColumn<byte>("F", [1]) { NullValue = 256 }), StringComparison.Ordinal);
        Assert.Contains("ASCII", Refused(new TableColumn<string>("S", ["é"])), StringComparison.Ordinal);
        Assert.Contains("Width", Refused(new TableColumn<string>("S", ["abcdef"]) { Width = 3 }), StringComparison.Ordinal);
        Assert.Contains("TDIM", Refused(new TableColumn<int[]>("T", [[1, 2, 3]]) { Dimensions = [2, 2] }), StringComparison.Ordinal);
        Assert.Contains("TZERO", Refused(new TableColumn<ushort>("U", [1]) { Zero = 5 }), StringComparison.Ordinal);
        Assert.Contains("TSCAL", Refused(new TableColumn<bool>("L", [true]) { Scale = 2 }), StringComparison.Ordinal);
        Assert.Contains("variable-length", Refused(new TableColumn<int>("S", [1]) { VariableLength = true }), StringComparison.Ordinal);
        Assert.Contains("type X", Refused(new TableColumn<int[]>("S", [[1]]) { Type = ColumnType.Bit }), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TableColumn<DateTime>("D", [DateTime.Now]));
        Assert.Throws<ArgumentException>(() => new TableColumn<int>(string.Empty, [1]));
    }

    private static string Refused(params TableColumn[] columns)
    {
        var stream = new MemoryStream();
        using var writer = new FitsWriter(stream);
        var e = Assert.Throws<ArgumentException>(() => writer.WriteTable(columns));
        Assert.Equal(0, stream.Length); // nothing written, not even the primary HDU
        return e.Message;
    }

    private static T[] Values<T>(int rows, Random random, Func<Random, T> next) => Enumerable.Range(0, rows).Select(_ => next(random)).ToArray();

    private static float RandomFloat(Random random) => BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));

    private static double RandomDouble(Random random) => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));

    private static string RandomString(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next(' ', '~' + 1);
        }

        return new string(chars).TrimEnd(' '); // trailing blanks are padding in FITS strings
    }

    private static ColumnCase Exact<T>(string? name, int rows, Random random, Func<Random, T> next)
        where T : unmanaged
    {
        T[] values = Values(rows, random, next);
        return new(typeof(T).Name, new TableColumn<T>(name, values), (table, column) =>
        {
            // Integers up to 32 bits are exact as doubles, so unnamed columns are checked this way too.
            Assert.Equal(values.Select(v => Convert.ToDouble(v)), table.ReadColumnAsDouble(column));
            if (name is not null)
            {
                Assert.Equal(values, table.ReadRaw<T>(name));
            }
        });
    }

    private static ColumnCase Raw<T>(string? name, T[] values, Func<T, T[]> flatten)
        where T : unmanaged
    {
        return new(typeof(T).Name, new TableColumn<T>(name, values), (table, column) =>
        {
            T[] expected = values.SelectMany(flatten).ToArray();
            if (name is null)
            {
                double[] read = table.ReadColumnAsDouble(column);
                Assert.Equal(expected.Length, read.Length);
                return;
            }

            AssertBitExact(expected, table.ReadRaw<T>(name));
        });
    }

    private static ColumnCase Unsigned<T, TStored>(string? name, T[] values, Func<T, TStored[]> stored)
        where TStored : unmanaged
    {
        return new(typeof(T).Name, new TableColumn<T>(name, values), (table, column) =>
        {
            Assert.Equal(values.SelectMany(stored), table.ReadRaw<TStored>(name!));
            if (typeof(T) != typeof(ulong))
            {
                Assert.Equal(values.Select(v => Convert.ToDouble(v)), table.ReadColumnAsDouble(column));
            }
        });
    }

    private static ColumnCase NullableInt<T>(string? name, T?[] values, long nullValue)
        where T : struct
    {
        return new("nullable", new TableColumn<T?>(name, values) { NullValue = nullValue }, (table, column) =>
        {
            Assert.Equal(nullValue, ((BinaryColumn)column).NullValue);
            Assert.Equal(values.Select(v => v is null ? double.NaN : Convert.ToDouble(v.Value)), table.ReadColumnAsDouble(column));
        });
    }

    private static ColumnCase Logical(string? name, bool?[] values) =>
        new("L", new TableColumn<bool?>(name, values), (table, column) => Assert.Equal(values, table.ReadLogicals(column)));

    private static ColumnCase LogicalVectors(string? name, int rows, Random random)
    {
        bool[][] values = Values(rows, random, r => Values(r.Next(0, 6), r, q => q.Next(2) == 0));
        return new("PL", new TableColumn<bool[]>(name, values) { VariableLength = true }, (table, column) =>
            Assert.Equal(values.SelectMany(v => v).Select(v => (bool?)v), table.ReadLogicals(column)));
    }

    private static ColumnCase Strings(string? name, string[] values, bool variable) =>
        new("A", new TableColumn<string>(name, values) { VariableLength = variable }, (table, column) => Assert.Equal(values, table.ReadStrings(column)));

    private static ColumnCase Bits(string? name, int rows, Random random)
    {
        int width = random.Next(1, 20);
        bool[][] values = Values(rows, random, r => Values(width, r, q => q.Next(2) == 0));
        return new("X", new TableColumn<bool[]>(name, values) { Type = ColumnType.Bit }, (table, column) =>
        {
            Assert.Equal(rows == 0 ? "0X" : $"{width}X", ((BinaryColumn)column).Format.Text); // no rows: nothing says the width
            Assert.Equal(values, table.ReadBits(name!));
        });
    }

    private static ColumnCase ComplexColumn(string? name, Complex[] values, bool single)
    {
        var column = new TableColumn<Complex>(name, values) { Type = single ? ColumnType.Complex64 : null };
        return new(single ? "C" : "M", column, (table, c) =>
        {
            Complex[] read = table.ReadComplex(name!);
            Assert.Equal(values.Length, read.Length);
            for (int i = 0; i < values.Length; i++)
            {
                AssertBitExact([values[i].Real, values[i].Imaginary], [read[i].Real, read[i].Imaginary]);
            }
        });
    }

    private static ColumnCase Vector<T>(string? name, int rows, Random random, Func<Random, T> next, bool variable, long[]? dims = null)
        where T : unmanaged
    {
        int width = dims is null ? random.Next(1, 5) : (int)dims.Aggregate(1L, (a, b) => a * b);
        T[][] values = Values(rows, random, r => Values(variable ? r.Next(0, 12) : width, r, next));
        var column = new TableColumn<T[]>(name, values) { VariableLength = variable, Dimensions = dims };
        return new(typeof(T).Name + "[]", column, (table, c) =>
        {
            AssertBitExact(values.SelectMany(v => v).ToArray(), table.ReadRaw<T>(name!));
            if (variable)
            {
                Assert.Equal(values.Select(v => v.Length), table.ReadArrays(name!).Select(a => a.Length));
            }
        });
    }

    private static ColumnCase Scaled(string? name, int[] values)
    {
        var column = new TableColumn<int>(name, values) { Scale = 0.25, Zero = -10 };
        return new("scaled", column, (table, c) =>
        {
            Assert.Equal(0.25, c.Scale);
            Assert.Equal(-10, c.Zero);
            Assert.Equal(values.Select(v => -10 + (0.25 * v)), table.ReadColumnAsDouble(c));
        });
    }

    private static void AssertBitExact<T>(T[] expected, T[] actual)
        where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        byte[] e = System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()).ToArray();
        byte[] a = System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual.AsSpan()).ToArray();
        Assert.Equal(e, a);
    }
}
