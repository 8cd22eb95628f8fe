using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Astro.Fits.Tables;

namespace Astro.Fits.Writing;

/// <summary>
/// How one <see cref="TableColumn"/> is laid out: its TFORM, field width and keywords, worked out
/// (and every row checked) before anything is written; then it encodes row values big-endian.
/// </summary>
internal sealed class ColumnPlan
{
    private static readonly Dictionary<Type, (ColumnType Type, double Zero, bool Nullable)> s_elements = new()
    {
        [typeof(byte)] = (ColumnType.Byte, 0, false),
        [typeof(short)] = (ColumnType.Int16, 0, false),
        [typeof(ushort)] = (ColumnType.Int16, 32768.0, false),
        [typeof(int)] = (ColumnType.Int32, 0, false),
        [typeof(uint)] = (ColumnType.Int32, 2147483648.0, false),
        [typeof(long)] = (ColumnType.Int64, 0, false),
        [typeof(ulong)] = (ColumnType.Int64, 9223372036854775808.0, false),
        [typeof(float)] = (ColumnType.Float32, 0, false),
        [typeof(double)] = (ColumnType.Float64, 0, false),
        [typeof(bool)] = (ColumnType.Logical, 0, false),
        [typeof(bool?)] = (ColumnType.Logical, 0, true),
        [typeof(Complex)] = (ColumnType.Complex128, 0, false),
        [typeof(string)] = (ColumnType.Char, 0, true),
        [typeof(byte?)] = (ColumnType.Byte, 0, true),
        [typeof(short?)] = (ColumnType.Int16, 0, true),
        [typeof(int?)] = (ColumnType.Int32, 0, true),
        [typeof(long?)] = (ColumnType.Int64, 0, true),
    };

    private readonly TableColumn _column;

    private ColumnPlan(TableColumn column, int index)
    {
        _column = column;
        Index = index;
    }

    /// <summary>0-based column index (TTYPE1 is column 0).</summary>
    public int Index { get; }

    /// <summary>The column being written.</summary>
    public TableColumn Column => _column;

    /// <summary>The element type written.</summary>
    public ColumnType Type { get; private set; }

    /// <summary>Elements per row of a fixed field (characters for A, bits for X).</summary>
    public long Repeat { get; private set; }

    /// <summary>True for a variable-length array column (P descriptor).</summary>
    public bool IsVariableLength { get; private set; }

    /// <summary>The TFORMn value.</summary>
    public string Format { get; private set; } = string.Empty;

    /// <summary>Bytes of the field in each row.</summary>
    public long FieldWidth { get; private set; }

    /// <summary>TZEROn to write, or 0.</summary>
    public double Zero { get; private set; }

    /// <summary>Bytes of heap the column needs.</summary>
    public long HeapBytes { get; private set; }

    /// <summary>True for the row types <see cref="TableColumn{T}"/> accepts.</summary>
    public static bool IsSupported(Type type)
    {
        if (type.IsArray)
        {
            Type? element = type.GetElementType();
            return type.GetArrayRank() == 1 && element is not null && element != typeof(string) &&
                s_elements.TryGetValue(element, out var info) && (!info.Nullable || element == typeof(bool?));
        }

        return s_elements.ContainsKey(type);
    }

    /// <summary>Works out the layout of a column and checks every row.</summary>
    /// <exception cref="ArgumentException">A row or an option does not fit the column.</exception>
    public static ColumnPlan Create(TableColumn column, int index, CancellationToken cancellationToken)
    {
        var plan = new ColumnPlan(column, index);
        plan.Resolve(cancellationToken);
        return plan;
    }

    /// <summary>Writes one row's field, appending variable-length arrays to the heap.</summary>
    public void Encode(int row, Span<byte> field, ArrayBufferWriter<byte> heap)
    {
        object? value = _column.GetValue(row);
        if (!IsVariableLength)
        {
            WriteElements(value, field);
            return;
        }

        long count = value switch
        {
            null => 0,
            string s => s.Length,
            Array a => a.Length,
            _ => 1,
        };
        int bytes = (int)(count * ColumnFormat.ElementSizeOf(Type));
        int offset = heap.WrittenCount;
        Span<byte> destination = heap.GetSpan(Math.Max(1, bytes))[..bytes];
        WriteElements(value, destination);
        heap.Advance(bytes);
        BinaryPrimitives.WriteInt32BigEndian(field, (int)count);
        BinaryPrimitives.WriteInt32BigEndian(field[4..], offset);
    }

    private ArgumentException Problem(string reason) =>
        new($"Column {_column.DisplayName(Index)}: {reason}", "columns");

    private void Resolve(CancellationToken cancellationToken)
    {
        Type valueType = _column.ValueType;
        bool isArray = valueType.IsArray;
        Type element = isArray ? valueType.GetElementType()! : valueType;
        var info = s_elements[element];
        Type = info.Type;
        if (_column.Type is ColumnType requested && requested != Type)
        {
            bool allowed = (requested == ColumnType.Bit && element == typeof(bool) && isArray) ||
                (requested == ColumnType.Complex64 && element == typeof(Complex));
            if (!allowed)
            {
                throw Problem($"{valueType.Name} values cannot be written as type {(char)requested}");
            }

            Type = requested;
        }

        bool integer = Type is ColumnType.Byte or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64;
        bool scalable = integer || Type is ColumnType.Float32 or ColumnType.Float64 or ColumnType.Complex64 or ColumnType.Complex128;
        if (!scalable && (_column.Scale != 1.0 || _column.Zero != 0.0))
        {
            throw Problem($"TSCAL and TZERO do not apply to type {(char)Type}");
        }

        if (!double.IsFinite(_column.Scale) || _column.Scale == 0 || !double.IsFinite(_column.Zero))
        {
            throw Problem("TSCAL must be finite and non-zero, and TZERO finite");
        }

        if (info.Zero != 0 && _column.Zero != 0)
        {
            throw Problem($"unsigned {element.Name} values set TZERO = {info.Zero.ToString("R", CultureInfo.InvariantCulture)} themselves");
        }

        Zero = info.Zero != 0 ? info.Zero : _column.Zero;
        if (_column.NullValue is long nullValue)
        {
            if (!integer)
            {
                throw Problem($"TNULL applies to integer columns (B, I, J, K), not type {(char)Type}; floating-point columns use NaN");
            }

            (long min, long max) = FitsImage.IntegerRange(Math.Abs(ColumnFormat.ElementSizeOf(Type) * 8));
            if (nullValue < min || nullValue > max)
            {
                throw Problem($"TNULL {nullValue} does not fit type {(char)Type}");
            }
        }

        bool isString = element == typeof(string);
        IsVariableLength = _column.VariableLength;
        if (IsVariableLength && !isArray && !isString)
        {
            throw Problem("only array and string rows can be variable-length arrays");
        }

        if (IsVariableLength && Type == ColumnType.Bit)
        {
            throw Problem("variable-length bit arrays are not supported; use bool[] rows without Type = Bit (PL)");
        }

        if (IsVariableLength && _column.Dimensions is not null)
        {
            throw Problem("TDIM does not apply to variable-length arrays");
        }

        if (_column.Width is not null && !isString)
        {
            throw Problem("Width applies to string columns");
        }

        long length = ScanRows(isArray, isString, info.Nullable, cancellationToken);
        int elementSize = ColumnFormat.ElementSizeOf(Type);
        if (IsVariableLength)
        {
            Repeat = 1;
            FieldWidth = 8;
            Format = string.Create(CultureInfo.InvariantCulture, $"1P{(char)Type}({length})");
            if (HeapBytes > int.MaxValue)
            {
                throw Problem($"the heap would hold {HeapBytes} bytes, more than 32-bit P descriptors address");
            }

            return;
        }

        if (isString)
        {
            length = _column.Width ?? Math.Max(1, length);
            if (length < 1)
            {
                throw Problem("Width must be at least 1");
            }

            long longest = MaxStringLength();
            if (longest > length)
            {
                throw Problem($"a value of {longest} characters does not fit Width = {length}");
            }
        }
        else if (!isArray)
        {
            length = 1;
        }

        if (_column.Dimensions is { } dims)
        {
            long product = 1;
            foreach (long d in dims)
            {
                if (d < 1)
                {
                    throw Problem($"TDIM axis {d} is not positive");
                }

                product = checked(product * d);
            }

            if (dims.Count == 0 || product != length)
            {
                throw Problem($"TDIM ({string.Join(",", dims)}) holds {product} elements, the rows {length}");
            }
        }

        Repeat = length;
        FieldWidth = Type == ColumnType.Bit ? (length + 7) / 8 : checked(length * elementSize);
        Format = string.Create(CultureInfo.InvariantCulture, $"{length}{(char)Type}");
    }

    /// <summary>Checks every row; returns the common array length (fixed) or the longest (variable / strings).</summary>
    private long ScanRows(bool isArray, bool isString, bool nullable, CancellationToken cancellationToken)
    {
        long common = -1;
        long longest = 0;
        long heap = 0;
        int elementSize = ColumnFormat.ElementSizeOf(Type);
        for (int row = 0; row < _column.RowCount; row++)
        {
            if ((row & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            object? value = _column.GetValue(row);
            if (isString)
            {
                string text = (string?)value ?? string.Empty;
                foreach (char c in text)
                {
                    if (c < ' ' || c > '~')
                    {
                        throw Problem($"row {row}: string values must be printable ASCII (32–126)");
                    }
                }

                longest = Math.Max(longest, text.Length);
                heap += text.Length;
                continue;
            }

            if (isArray)
            {
                var array = (Array?)value;
                if (array is null)
                {
                    if (!IsVariableLength)
                    {
                        throw Problem($"row {row} is null; fixed-length vectors need a value in every row");
                    }

                    continue;
                }

                if (!IsVariableLength && common >= 0 && array.Length != common)
                {
                    throw Problem($"row {row} has {array.Length} elements, earlier rows {common}; set VariableLength for ragged rows");
                }

                common = array.Length;
                longest = Math.Max(longest, array.Length);
                heap += (long)array.Length * elementSize;
                continue;
            }

            if (value is null && nullable && Type != ColumnType.Logical && _column.NullValue is null)
            {
                throw Problem($"row {row} is null but the column has no NullValue (TNULL)");
            }
        }

        HeapBytes = IsVariableLength ? heap : 0;
        if (isArray && !IsVariableLength && common < 0)
        {
            // No rows: the vector length comes from TDIM, or is 0.
            common = _column.Dimensions?.Aggregate(1L, (a, b) => a * b) ?? 0;
        }

        return IsVariableLength || isString ? longest : common;
    }

    private long MaxStringLength()
    {
        long longest = 0;
        for (int row = 0; row < _column.RowCount; row++)
        {
            longest = Math.Max(longest, ((string?)_column.GetValue(row))?.Length ?? 0);
        }

        return longest;
    }

    private void WriteElements(object? value, Span<byte> destination)
    {
        // Arrays match on the declared row type: the runtime lets an int[] pass as uint[] (and back), array covariance of same-sized integers.
        switch (value)
        {
            case null:
                WriteNull(destination);
                break;
            case string s:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = i < s.Length ? (byte)s[i] : (byte)0; // NUL-terminated and NUL-padded, as astropy writes
                }

                break;
            case byte v:
                destination[0] = v;
                break;
            case short v:
                BinaryPrimitives.WriteInt16BigEndian(destination, v);
                break;
            case ushort v:
                BinaryPrimitives.WriteInt16BigEndian(destination, (short)(v ^ 0x8000));
                break;
            case int v:
                BinaryPrimitives.WriteInt32BigEndian(destination, v);
                break;
            case uint v:
                BinaryPrimitives.WriteInt32BigEndian(destination, (int)(v ^ 0x80000000));
                break;
            case long v:
                BinaryPrimitives.WriteInt64BigEndian(destination, v);
                break;
            case ulong v:
                BinaryPrimitives.WriteInt64BigEndian(destination, (long)(v ^ 0x8000000000000000));
                break;
            case float v:
                BinaryPrimitives.WriteSingleBigEndian(destination, v);
                break;
            case double v:
                BinaryPrimitives.WriteDoubleBigEndian(destination, v);
                break;
            case bool v:
                destination[0] = v ? (byte)'T' : (byte)'F';
                break;
            case Complex v:
                WriteComplex(v, destination);
                break;
            case ushort[] a when _column.ValueType == typeof(ushort[]):
                for (int i = 0; i < a.Length; i++)
                {
                    BinaryPrimitives.WriteInt16BigEndian(destination[(2 * i)..], (short)(a[i] ^ 0x8000));
                }

                break;
            case uint[] a when _column.ValueType == typeof(uint[]):
                for (int i = 0; i < a.Length; i++)
                {
                    BinaryPrimitives.WriteInt32BigEndian(destination[(4 * i)..], (int)(a[i] ^ 0x80000000));
                }

                break;
            case ulong[] a when _column.ValueType == typeof(ulong[]):
                for (int i = 0; i < a.Length; i++)
                {
                    BinaryPrimitives.WriteInt64BigEndian(destination[(8 * i)..], (long)(a[i] ^ 0x8000000000000000));
                }

                break;
            case bool[] a when _column.ValueType == typeof(bool[]) && Type == ColumnType.Bit:
                destination.Clear();
                for (int i = 0; i < a.Length; i++)
                {
                    if (a[i])
                    {
                        destination[i / 8] |= (byte)(0x80 >> (i % 8));
                    }
                }

                break;
            case bool[] a when _column.ValueType == typeof(bool[]):
                for (int i = 0; i < a.Length; i++)
                {
                    destination[i] = a[i] ? (byte)'T' : (byte)'F';
                }

                break;
            case byte[] a when _column.ValueType == typeof(byte[]):
                a.CopyTo(destination);
                break;
            case short[] a when _column.ValueType == typeof(short[]):
                BinaryPrimitives.ReverseEndianness(a, Cast<short>(destination, a.Length));
                break;
            case int[] a when _column.ValueType == typeof(int[]):
                BinaryPrimitives.ReverseEndianness(a, Cast<int>(destination, a.Length));
                break;
            case long[] a when _column.ValueType == typeof(long[]):
                BinaryPrimitives.ReverseEndianness(a, Cast<long>(destination, a.Length));
                break;
            case float[] a when _column.ValueType == typeof(float[]):
                for (int i = 0; i < a.Length; i++)
                {
                    BinaryPrimitives.WriteSingleBigEndian(destination[(4 * i)..], a[i]);
                }

                break;
            case double[] a when _column.ValueType == typeof(double[]):
                for (int i = 0; i < a.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleBigEndian(destination[(8 * i)..], a[i]);
                }

                break;
            case bool?[] a when _column.ValueType == typeof(bool?[]):
                for (int i = 0; i < a.Length; i++)
                {
                    destination[i] = a[i] switch { true => (byte)'T', false => (byte)'F', null => 0 };
                }

                break;
            case Complex[] a when _column.ValueType == typeof(Complex[]):
                int size = ColumnFormat.ElementSizeOf(Type);
                for (int i = 0; i < a.Length; i++)
                {
                    WriteComplex(a[i], destination[(size * i)..]);
                }

                break;
            default:
                throw new InvalidOperationException($"Unexpected row value {value.GetType().Name}.");
        }
    }

    private void WriteNull(Span<byte> destination)
    {
        if (Type is ColumnType.Char or ColumnType.Logical || _column.NullValue is not long nullValue)
        {
            destination.Clear();
            return;
        }

        switch (Type)
        {
            case ColumnType.Byte:
                destination[0] = (byte)nullValue;
                break;
            case ColumnType.Int16:
                BinaryPrimitives.WriteInt16BigEndian(destination, (short)nullValue);
                break;
            case ColumnType.Int32:
                BinaryPrimitives.WriteInt32BigEndian(destination, (int)nullValue);
                break;
            default:
                BinaryPrimitives.WriteInt64BigEndian(destination, nullValue);
                break;
        }
    }

    private void WriteComplex(Complex value, Span<byte> destination)
    {
        if (Type == ColumnType.Complex64)
        {
            BinaryPrimitives.WriteSingleBigEndian(destination, (float)value.Real);
            BinaryPrimitives.WriteSingleBigEndian(destination[4..], (float)value.Imaginary);
        }
        else
        {
            BinaryPrimitives.WriteDoubleBigEndian(destination, value.Real);
            BinaryPrimitives.WriteDoubleBigEndian(destination[8..], value.Imaginary);
        }
    }

    private static Span<T> Cast<T>(Span<byte> destination, int count)
        where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(destination)[..count];
}
