using Astro.Onnx.Proto;

namespace Astro.Onnx;

/// <summary>One dimension of a declared tensor shape: a fixed size or a symbolic name.</summary>
/// <param name="Value">The size, or <see langword="null"/> when symbolic or unknown.</param>
/// <param name="Symbol">The symbolic name (e.g. <c>batch</c>), or <see langword="null"/>.</param>
public readonly record struct OnnxDimension(long? Value, string? Symbol)
{
    /// <inheritdoc/>
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>A graph input or output as declared in the model.</summary>
/// <param name="Name">The value's name.</param>
/// <param name="ElementType">The ONNX element type (<c>TensorProto.DataType</c>; 1 is float).</param>
/// <param name="Shape">The declared dimensions.</param>
public sealed record OnnxValueDescription(string Name, int ElementType, IReadOnlyList<OnnxDimension> Shape)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Name}: [{string.Join(", ", Shape)}]";
}

/// <summary>What an ONNX file declares (versions, inputs, outputs, operators), and a structural check of its graph.</summary>
/// <param name="IrVersion">The IR version.</param>
/// <param name="Opsets">The imported opsets by domain (<c>""</c> is the default domain).</param>
/// <param name="Inputs">Graph inputs that are not initializers.</param>
/// <param name="Outputs">Graph outputs.</param>
/// <param name="OperatorTypes">Each node's operator, in graph order.</param>
/// <param name="InitializerNames">The initializers' names, in graph order.</param>
public sealed record OnnxModelDescription(
    long IrVersion,
    IReadOnlyDictionary<string, long> Opsets,
    IReadOnlyList<OnnxValueDescription> Inputs,
    IReadOnlyList<OnnxValueDescription> Outputs,
    IReadOnlyList<string> OperatorTypes,
    IReadOnlyList<string> InitializerNames)
{
    /// <summary>Reads the description of a serialised model.</summary>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a model.</exception>
    public static OnnxModelDescription Read(ReadOnlySpan<byte> model) => Describe(ModelProto.Parser.ParseFrom(model));

    /// <summary>Describes a model.</summary>
    public static OnnxModelDescription Describe(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        GraphProto graph = model.Graph ?? new GraphProto();
        var initializers = graph.Initializer.Select(t => t.Name).ToList();
        var initializerSet = new HashSet<string>(initializers, StringComparer.Ordinal);
        return new OnnxModelDescription(
            model.IrVersion,
            model.OpsetImport.ToDictionary(o => o.Domain, o => o.Version, StringComparer.Ordinal),
            graph.Input.Where(v => !initializerSet.Contains(v.Name)).Select(DescribeValue).ToList(),
            graph.Output.Select(DescribeValue).ToList(),
            graph.Node.Select(n => n.OpType).ToList(),
            initializers);
    }

    /// <summary>
    /// Checks the graph's structure the way a loader would: nodes in topological order (every input defined by a
    /// graph input, an initializer or an earlier node), each value defined once, every output produced, node names unique.
    /// </summary>
    /// <returns>The problems found; empty when the graph is well formed.</returns>
    public static IReadOnlyList<string> CheckStructure(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problems = new List<string>();
        if (model.Graph is null)
        {
            problems.Add("the model has no graph");
            return problems;
        }

        if (!model.OpsetImport.Any(o => o.Domain.Length == 0))
        {
            problems.Add("no default-domain opset is imported");
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in model.Graph.Input.Select(v => v.Name).Concat(model.Graph.Initializer.Select(t => t.Name)))
        {
            if (!defined.Add(name) && !model.Graph.Input.Any(v => v.Name == name))
            {
                problems.Add($"value '{name}' is defined twice");
            }
        }

        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < model.Graph.Node.Count; i++)
        {
            NodeProto node = model.Graph.Node[i];
            if (node.Name.Length > 0 && !nodeNames.Add(node.Name))
            {
                problems.Add($"node name '{node.Name}' is used twice");
            }

            foreach (string input in node.Input)
            {
                if (input.Length > 0 && !defined.Contains(input))
                {
                    problems.Add($"node {i} '{node.Name}' ({node.OpType}) reads '{input}' before it is defined");
                }
            }

            foreach (string output in node.Output)
            {
                if (!defined.Add(output))
                {
                    problems.Add($"node {i} '{node.Name}' redefines '{output}'");
                }
            }
        }

        foreach (ValueInfoProto output in model.Graph.Output)
        {
            if (!defined.Contains(output.Name))
            {
                problems.Add($"graph output '{output.Name}' is never produced");
            }
        }

        return problems;
    }

    private static OnnxValueDescription DescribeValue(ValueInfoProto value)
    {
        TypeProto.Types.Tensor? tensor = value.Type?.TensorType;
        var dims = tensor?.Shape?.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new OnnxDimension(d.DimValue, null),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => new OnnxDimension(null, d.DimParam),
            _ => new OnnxDimension(null, null),
        }).ToList() ?? [];
        return new OnnxValueDescription(value.Name, tensor?.ElemType ?? 0, dims);
    }
}
