using System.Runtime.InteropServices;
using Astro.Onnx.Proto;
using Google.Protobuf;

namespace Astro.Onnx;

/// <summary>
/// Builds an ONNX graph one piece at a time: float and int64 initializers, nodes in topological order,
/// and float inputs/outputs whose first dimension is a symbolic batch dimension.
/// </summary>
/// <remarks>Value names must be unique; every <c>Add…</c> method throws <see cref="ArgumentException"/> on a duplicate.</remarks>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Initializes a new instance of the <see cref="OnnxGraphBuilder"/> class.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="batchDimension">The symbolic name of the leading (batch) dimension of inputs and outputs.</param>
    public OnnxGraphBuilder(string graphName, string batchDimension = "batch")
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        ArgumentException.ThrowIfNullOrEmpty(batchDimension);
        _graph = new GraphProto { Name = graphName };
        BatchDimension = batchDimension;
    }

    /// <summary>Gets the symbolic name of the batch dimension.</summary>
    public string BatchDimension { get; }

    /// <summary>Gets the graph built so far (live; not a copy).</summary>
    public GraphProto Graph => _graph;

    /// <summary>Adds a float graph input of shape <c>[batch, ..sampleShape]</c>.</summary>
    /// <returns>The input's name.</returns>
    public string AddInput(string name, ReadOnlySpan<long> sampleShape)
    {
        Claim(name);
        _graph.Input.Add(CreateValueInfo(name, sampleShape));
        return name;
    }

    /// <summary>Declares an existing value as a float graph output of shape <c>[batch, ..sampleShape]</c>.</summary>
    /// <exception cref="ArgumentException">No input, initializer or node produces <paramref name="name"/>.</exception>
    public void AddOutput(string name, ReadOnlySpan<long> sampleShape)
    {
        if (!_values.Contains(name))
        {
            throw new ArgumentException($"No value named '{name}' exists in graph '{_graph.Name}'.", nameof(name));
        }

        _graph.Output.Add(CreateValueInfo(name, sampleShape));
    }

    /// <summary>Adds a float32 initializer (stored as little-endian raw data).</summary>
    /// <returns>The initializer's name.</returns>
    public string AddInitializer(string name, ReadOnlySpan<float> data, ReadOnlySpan<long> dims)
    {
        CheckCount(data.Length, dims);
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims.ToArray());
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 initializer (for shapes, axes and the like).</summary>
    /// <returns>The initializer's name.</returns>
    public string AddInitializer(string name, ReadOnlySpan<long> data, ReadOnlySpan<long> dims)
    {
        CheckCount(data.Length, dims);
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(dims.ToArray());
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node with one output, named after <paramref name="name"/>.</summary>
    /// <param name="opType">The operator, e.g. <c>Gemm</c>.</param>
    /// <param name="name">The node's name, unique in the graph; its output is called the same.</param>
    /// <param name="inputs">The input value names; each must already exist (empty string for an omitted optional input).</param>
    /// <param name="attributes">The node's attributes (see <see cref="OnnxAttributes"/>).</param>
    /// <returns>The output's name.</returns>
    public string AddNode(string opType, string name, IReadOnlyList<string> inputs, params IEnumerable<AttributeProto> attributes)
    {
        AddNode(opType, name, inputs, [name], attributes);
        return name;
    }

    /// <summary>Adds a node with any number of outputs.</summary>
    /// <exception cref="ArgumentException">An input does not exist yet, or a name is already taken.</exception>
    public NodeProto AddNode(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params IEnumerable<AttributeProto> attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (string input in inputs)
        {
            if (input.Length > 0 && !_values.Contains(input))
            {
                throw new ArgumentException($"Node '{name}' ({opType}) reads '{input}', which no earlier input, initializer or node defines.", nameof(inputs));
            }
        }

        if (!_nodeNames.Add(name))
        {
            throw new ArgumentException($"A node named '{name}' already exists.", nameof(name));
        }

        foreach (string output in outputs)
        {
            Claim(output);
        }

        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return node;
    }

    /// <summary>Returns <paramref name="prefix"/> if unused, else <c>prefix_N</c> for the first free N.</summary>
    public string UniqueName(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!_values.Contains(prefix) && !_nodeNames.Contains(prefix))
        {
            return prefix;
        }

        string candidate;
        do
        {
            candidate = $"{prefix}_{++_counter}";
        }
        while (_values.Contains(candidate) || _nodeNames.Contains(candidate));
        return candidate;
    }

    /// <summary>Wraps the graph in a model with the given IR version and default-domain opset.</summary>
    public ModelProto BuildModel(long irVersion, long opsetVersion, string producerName, string producerVersion, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = producerName,
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opsetVersion });
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> entry in metadata)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = entry.Key, Value = entry.Value });
            }
        }

        return model;
    }

    private ValueInfoProto CreateValueInfo(string name, ReadOnlySpan<long> sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (long dim in sampleShape)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim, nameof(sampleShape));
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.Add(name))
        {
            throw new ArgumentException($"A value named '{name}' already exists in graph '{_graph.Name}'.", nameof(name));
        }
    }

    private static void CheckCount(int count, ReadOnlySpan<long> dims)
    {
        long expected = 1;
        foreach (long dim in dims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(dims));
            expected *= dim;
        }

        if (expected != count)
        {
            throw new ArgumentException($"The data has {count} elements but the dimensions [{string.Join(", ", dims.ToArray())}] hold {expected}.", nameof(dims));
        }
    }
}

/// <summary>Factory methods for ONNX node attributes.</summary>
public static class OnnxAttributes
{
    /// <summary>An <c>INT</c> attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An <c>INTS</c> attribute.</summary>
    public static AttributeProto Ints(string name, params ReadOnlySpan<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values.ToArray());
        return attribute;
    }

    /// <summary>A <c>FLOAT</c> attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A <c>STRING</c> attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
