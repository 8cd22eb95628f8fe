using System.Buffers;

namespace Astro.Fits.Writing;

/// <summary>A binary table laid out and encoded: the plans of its columns, its rows and its heap.</summary>
internal sealed class EncodedTable
{
    private const int MaxColumns = 999;

    private EncodedTable(ColumnPlan[] columns, long rowLength, int rowCount, byte[] rows, byte[] heap)
    {
        Columns = columns;
        RowLength = rowLength;
        RowCount = rowCount;
        Rows = rows;
        Heap = heap;
    }

    public ColumnPlan[] Columns { get; }

    /// <summary>NAXIS1: bytes per row.</summary>
    public long RowLength { get; }

    /// <summary>NAXIS2: rows.</summary>
    public int RowCount { get; }

    /// <summary>The rows, back to back.</summary>
    public byte[] Rows { get; }

    /// <summary>The heap (PCOUNT bytes), right after the rows: THEAP is not needed.</summary>
    public byte[] Heap { get; }

    /// <summary>The data unit: rows then heap.</summary>
    public DataUnit Data => new BufferDataUnit(Rows, Heap);

    /// <summary>Checks every column and encodes the table.</summary>
    /// <exception cref="ArgumentException">A column is null, the columns differ in length, or a value does not fit its column.</exception>
    public static EncodedTable Encode(IReadOnlyList<TableColumn> columns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count > MaxColumns)
        {
            throw new ArgumentException($"A binary table has at most {MaxColumns} columns (TFIELDS), not {columns.Count}.", nameof(columns));
        }

        var plans = new ColumnPlan[columns.Count];
        int rowCount = columns.Count == 0 ? 0 : columns[0]?.RowCount ?? 0;
        long rowLength = 0;
        long heapLength = 0;
        for (int i = 0; i < columns.Count; i++)
        {
            TableColumn column = columns[i] ?? throw new ArgumentException($"Column {i + 1} is null.", nameof(columns));
            if (column.RowCount != rowCount)
            {
                throw new ArgumentException($"Column {column.DisplayName(i)} has {column.RowCount} rows, column {columns[0].DisplayName(0)} {rowCount}.", nameof(columns));
            }

            plans[i] = ColumnPlan.Create(column, i, cancellationToken);
            rowLength += plans[i].FieldWidth;
            heapLength += plans[i].HeapBytes;
        }

        if (rowLength * rowCount > Array.MaxLength || heapLength > int.MaxValue)
        {
            throw new ArgumentException($"The table ({rowCount} rows of {rowLength} bytes, a heap of {heapLength} bytes) is too large to encode in memory.", nameof(columns));
        }

        byte[] rows = new byte[rowLength * rowCount];
        var heap = new ArrayBufferWriter<byte>((int)Math.Max(1, heapLength));
        for (int r = 0; r < rowCount; r++)
        {
            if ((r & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            long offset = r * rowLength;
            foreach (ColumnPlan plan in plans)
            {
                plan.Encode(r, rows.AsSpan((int)offset, (int)plan.FieldWidth), heap);
                offset += plan.FieldWidth;
            }
        }

        return new EncodedTable(plans, rowLength, rowCount, rows, heap.WrittenSpan.ToArray());
    }
}
