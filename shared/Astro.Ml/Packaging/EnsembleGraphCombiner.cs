using System.Runtime.InteropServices;
using Astro.Contract.Packaging;
using Astro.Ml.Onnx;
using Astro.Onnx;
using Astro.Onnx.Proto;

namespace Astro.Ml.Packaging;

/// <summary>
/// Merges member graphs (each exported by <see cref="OnnxExporter"/> from the same input) into one ONNX graph with the
/// package's outputs: <c>mean</c> [batch, 1] (the mean of the members' means), <c>logVariance</c> [batch, 1]
/// (log of mean member variance + variance of the member means), <c>members</c> [batch, k] for k &gt; 1; or
/// <c>probabilities</c> [batch, classes] (the mean of the members' softmax outputs).
/// </summary>
/// <remarks>
/// Member values are renamed <c>m{i}/…</c>; the combination uses only element-wise opset-17 operators (Mean, Sub, Mul,
/// Exp, Add, Log, Concat). Calibration and slope correction stay outside the graph (manifest).
/// </remarks>
public static class EnsembleGraphCombiner
{
    /// <summary>The output role → output name map of a combined graph.</summary>
    public static IReadOnlyDictionary<string, string> OutputRoles(ModelTask task, int members, bool uncertainty)
    {
        var roles = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (task == ModelTask.Classification)
        {
            roles["probabilities"] = "probabilities";
            return roles;
        }

        roles["mean"] = "mean";
        if (uncertainty)
        {
            roles["logVariance"] = "logVariance";
        }

        if (members > 1)
        {
            roles["members"] = "members";
        }

        return roles;
    }

    /// <summary>Combines member graphs.</summary>
    /// <param name="members">The members: regression graphs with output <c>mean</c> (and <c>log_var</c> with <paramref name="heteroscedastic"/>); classification graphs with <c>probabilities</c>.</param>
    /// <param name="task">Regression or classification.</param>
    /// <param name="uncertainty">Whether to emit <c>logVariance</c> (regression; needs a variance head or k &gt; 1).</param>
    /// <param name="heteroscedastic">Whether members have a <c>log_var</c> output.</param>
    /// <param name="options">Producer and metadata; null for defaults.</param>
    /// <exception cref="ArgumentException">No members, members with different inputs, or a missing member output.</exception>
    public static ModelProto Combine(IReadOnlyList<ModelProto> members, ModelTask task, bool uncertainty, bool heteroscedastic, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("No member graphs.", nameof(members));
        }

        options ??= new OnnxExportOptions();
        ValueInfoProto input = members[0].Graph.Input[0];
        long[] sampleShape = [.. input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];
        var graph = new OnnxGraphBuilder("model", options.BatchDimension);
        graph.AddInput(input.Name, sampleShape);

        var outputs = new List<Dictionary<string, string>>();
        for (int m = 0; m < members.Count; m++)
        {
            GraphProto g = members[m].Graph;
            if (g.Input.Count != 1 || g.Input[0].Name != input.Name)
            {
                throw new ArgumentException($"Member {m} does not take the single input '{input.Name}'.", nameof(members));
            }

            outputs.Add(CopyMember(graph, g, $"m{m}/", input.Name));
        }

        int k = members.Count;
        string Member(int m, string output) => outputs[m].TryGetValue(output, out string? name)
            ? name
            : throw new ArgumentException($"Member {m} has no output '{output}'.", nameof(members));

        if (task == ModelTask.Classification)
        {
            long classes = members[0].Graph.Output.Single(o => o.Name == "probabilities").Type.TensorType.Shape.Dim[1].DimValue;
            string p = k == 1
                ? graph.AddNode("Identity", "probabilities", [Member(0, "probabilities")])
                : graph.AddNode("Mean", "probabilities", [.. Enumerable.Range(0, k).Select(m => Member(m, "probabilities"))]);
            graph.AddOutput(p, [classes]);
            return graph.BuildModel(OnnxExporter.IrVersion, OnnxExporter.OpsetVersion, options.ProducerName, options.ProducerVersion, options.Metadata);
        }

        string[] means = [.. Enumerable.Range(0, k).Select(m => Member(m, "mean"))];
        if (k == 1)
        {
            graph.AddNode("Identity", "mean", [means[0]]);
            graph.AddOutput("mean", [1]);
            if (uncertainty)
            {
                if (!heteroscedastic)
                {
                    throw new ArgumentException("A single member without a variance head has no uncertainty.", nameof(uncertainty));
                }

                graph.AddNode("Identity", "logVariance", [Member(0, "log_var")]);
                graph.AddOutput("logVariance", [1]);
            }

            return graph.BuildModel(OnnxExporter.IrVersion, OnnxExporter.OpsetVersion, options.ProducerName, options.ProducerVersion, options.Metadata);
        }

        string mean = graph.AddNode("Mean", "mean", means);
        graph.AddNode("Concat", "members", means, OnnxAttributes.Int("axis", 1));
        if (uncertainty)
        {
            var squares = new List<string>();
            for (int m = 0; m < k; m++)
            {
                string d = graph.AddNode("Sub", $"combine/d{m}", [means[m], mean]);
                squares.Add(graph.AddNode("Mul", $"combine/d2_{m}", [d, d]));
            }

            string epistemic = graph.AddNode("Mean", "combine/epistemic", squares);
            string total;
            if (heteroscedastic)
            {
                string[] variances = [.. Enumerable.Range(0, k).Select(m => graph.AddNode("Exp", $"combine/var{m}", [Member(m, "log_var")]))];
                string aleatoric = graph.AddNode("Mean", "combine/aleatoric", variances);
                total = graph.AddNode("Add", "combine/total", [aleatoric, epistemic]);
            }
            else
            {
                string eps = graph.AddInitializer("combine/epsilon", [Training.TrainingResult.VarianceEpsilon], []);
                total = graph.AddNode("Add", "combine/total", [epistemic, eps]);
            }

            graph.AddNode("Log", "logVariance", [total]);
        }

        graph.AddOutput("mean", [1]);
        if (uncertainty)
        {
            graph.AddOutput("logVariance", [1]);
        }

        graph.AddOutput("members", [k]);
        return graph.BuildModel(OnnxExporter.IrVersion, OnnxExporter.OpsetVersion, options.ProducerName, options.ProducerVersion, options.Metadata);
    }

    // Copies initializers and nodes with prefixed names; returns the member's output name → new name.
    private static Dictionary<string, string> CopyMember(OnnxGraphBuilder graph, GraphProto member, string prefix, string inputName)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal) { [inputName] = inputName, [string.Empty] = string.Empty };
        string Rename(string name) => names.TryGetValue(name, out string? renamed) ? renamed : throw new ArgumentException($"Value '{name}' is used before it is defined.");

        foreach (TensorProto t in member.Initializer)
        {
            string name = prefix + t.Name;
            long[] dims = [.. t.Dims];
            switch ((TensorProto.Types.DataType)t.DataType)
            {
                case TensorProto.Types.DataType.Float:
                    float[] floats = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : [.. t.FloatData];
                    graph.AddInitializer(name, floats, dims);
                    break;
                case TensorProto.Types.DataType.Int64:
                    long[] longs = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : [.. t.Int64Data];
                    graph.AddInitializer(name, longs, dims);
                    break;
                default:
                    throw new ArgumentException($"Initializer '{t.Name}' has data type {t.DataType}, which the combiner does not copy.");
            }

            names[t.Name] = name;
        }

        foreach (NodeProto node in member.Node)
        {
            string[] inputs = [.. node.Input.Select(Rename)];
            string[] outputs = [.. node.Output.Select(o => prefix + o)];
            graph.AddNode(node.OpType, prefix + node.Name, inputs, outputs, node.Attribute.Select(a => a.Clone()));
            for (int i = 0; i < node.Output.Count; i++)
            {
                names[node.Output[i]] = outputs[i];
            }
        }

        return member.Output.ToDictionary(o => o.Name, o => Rename(o.Name), StringComparer.Ordinal);
    }
}
