using Astro.Fits.Tables;

namespace Astro.Fits.Writing;

/// <summary>
/// A binary-table column to write: a name (TTYPEn, optional), one value per row, and the optional
/// keywords that describe it. Create one with <see cref="TableColumn{T}"/>.
/// </summary>
/// <remarks>
/// <para>Row values and the TFORM they produce (arrays give fixed vectors, or variable-length arrays in
/// the heap when <see cref="VariableLength"/> is set):</para>
/// <list type="table">
/// <item><term><see cref="byte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/> (and nullable)</term><description>B, I, J, K; null is written as <see cref="NullValue"/> (TNULLn).</description></item>
/// <item><term><see cref="ushort"/>, <see cref="uint"/>, <see cref="ulong"/></term><description>I, J, K with TZEROn = 2^15, 2^31, 2^63.</description></item>
/// <item><term><see cref="float"/>, <see cref="double"/></term><description>E, D; NaN is the undefined value.</description></item>
/// <item><term><see cref="bool"/>, nullable <see cref="bool"/></term><description>L; null is written as byte 0 (undefined).</description></item>
/// <item><term><see cref="bool"/>[] with <see cref="Type"/> = <see cref="ColumnType.Bit"/></term><description>X: bits packed most significant first.</description></item>
/// <item><term><see cref="System.Numerics.Complex"/></term><description>M, or C with <see cref="Type"/> = <see cref="ColumnType.Complex64"/>.</description></item>
/// <item><term><see cref="string"/></term><description>A, as wide as the longest value (or <see cref="Width"/>), ended and padded with NULs (as astropy writes them); printable ASCII only.</description></item>
/// </list>
/// <para>Values are stored as given: TSCALn / TZEROn are written as declared and readers apply
/// <c>TZERO + TSCAL × stored</c>.</para>
/// </remarks>
public abstract class TableColumn
{
    private protected TableColumn(string? name)
    {
        if (name is not null && name.Length == 0)
        {
            throw new ArgumentException("A column name is null (unnamed) or non-empty.", nameof(name));
        }

        Name = name;
    }

    /// <summary>TTYPEn, or null for an unnamed column (legal FITS).</summary>
    public string? Name { get; }

    /// <summary>TUNITn, or null.</summary>
    /// <value>The default value is null: no TUNITn.</value>
    public string? Unit { get; init; }

    /// <summary>
    /// TNULLn: the stored integer that marks an undefined value in a B, I, J or K column. Null row
    /// values of nullable integer columns are written as this value; required when there are any.
    /// </summary>
    /// <value>The default value is null: no TNULLn.</value>
    public long? NullValue { get; init; }

    /// <summary>TSCALn (numeric and complex columns).</summary>
    /// <value>The default value is 1: no TSCALn.</value>
    public double Scale { get; init; } = 1.0;

    /// <summary>TZEROn (numeric and complex columns). Unsigned element types set it themselves and reject another.</summary>
    /// <value>The default value is 0: no TZEROn.</value>
    public double Zero { get; init; }

    /// <summary>TDIMn: the shape of each row's vector, fastest-varying first; must multiply to the vector length.</summary>
    /// <value>The default value is null: no TDIMn.</value>
    public IReadOnlyList<long>? Dimensions { get; init; }

    /// <summary>
    /// Overrides the element type where the row values allow two: <see cref="ColumnType.Bit"/> for
    /// <see cref="bool"/>[] rows, <see cref="ColumnType.Complex64"/> for complex values.
    /// </summary>
    /// <value>The default value is null: the type follows the values (see the class remarks).</value>
    public ColumnType? Type { get; init; }

    /// <summary>Whether array (and string) rows are variable-length arrays in the heap (TFORMn = 1Pt(max)).</summary>
    /// <value>The default value is false: array rows must all have the same length.</value>
    public bool VariableLength { get; init; }

    /// <summary>Width of a string column in characters; values must fit.</summary>
    /// <value>The default value is null: the length of the longest value (at least 1).</value>
    public int? Width { get; init; }

    /// <summary>Number of rows.</summary>
    public abstract int RowCount { get; }

    /// <summary>The .NET type of one row value.</summary>
    internal abstract Type ValueType { get; }

    /// <summary>The value of one row, boxed (null for null values).</summary>
    internal abstract object? GetValue(int row);

    /// <summary>The name, or "column N" (1-based) when unnamed: for messages.</summary>
    internal string DisplayName(int index) => Name ?? $"column {index + 1}";
}

/// <summary>A binary-table column whose rows hold values of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">A row value type listed in <see cref="TableColumn"/>'s remarks, or an array of one.</typeparam>
/// <example>
/// <code>
/// var columns = new TableColumn[]
/// {
///     new TableColumn&lt;int?&gt;("ID", ids) { NullValue = -1 },
///     new TableColumn&lt;double[]&gt;("FLUX", fluxes) { Unit = "Jy", VariableLength = true },
/// };
/// writer.WriteTable(columns);
/// </code>
/// </example>
public sealed class TableColumn<T> : TableColumn
{
    /// <summary>Creates a column; the values are referenced, not copied, and are checked when the table is written.</summary>
    /// <param name="name">TTYPEn, or null for an unnamed column.</param>
    /// <param name="values">One value per row.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or <typeparamref name="T"/> is not a supported row type.</exception>
    public TableColumn(string? name, IReadOnlyList<T> values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!ColumnPlan.IsSupported(typeof(T)))
        {
            throw new ArgumentException($"{typeof(T).Name} is not a supported binary-table row type.", nameof(values));
        }

        Values = values;
    }

    /// <summary>The row values.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <inheritdoc />
    public override int RowCount => Values.Count;

    internal override Type ValueType => typeof(T);

    internal override object? GetValue(int row) => Values[row];
}
