using Astro.Ml.Models;
using Astro.Onnx;
using Astro.Onnx.Proto;
using Google.Protobuf;

namespace Astro.Ml.Onnx;

/// <summary>Options for <see cref="OnnxExporter"/>.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>Gets or sets the producer name written into the model.</summary>
    /// <value>The default value is <c>Astro.Ml</c>.</value>
    public string ProducerName { get; set; } = "Astro.Ml";

    /// <summary>Gets or sets the producer version written into the model.</summary>
    /// <value>The default value is the Astro.Ml assembly's version.</value>
    public string ProducerVersion { get; set; } = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Gets or sets the symbolic name of the batch dimension of every input and output.</summary>
    /// <value>The default value is <c>batch</c>.</value>
    public string BatchDimension { get; set; } = "batch";

    /// <summary>Gets metadata entries written into <c>metadata_props</c> (for example a manifest's hash).</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>
/// Exports a <see cref="SpecModel"/> to ONNX (IR version <see cref="IrVersion"/>, default-domain opset
/// <see cref="OpsetVersion"/>) in evaluation semantics: dropout is dropped and batch normalisation uses running statistics.
/// </summary>
/// <remarks>
/// Every layer emits its own nodes (see <see cref="LayerSpec"/>); initializers carry the same names as the model's
/// <c>state_dict()</c> keys. The graph has one float input <c>[batch, ..InputShape]</c> and one float output per
/// <see cref="SpecModel.Outputs"/> entry, each <c>[batch, ..shape]</c>.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX IR version written (8: ONNX 1.10–1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>The default-domain opset imported.</summary>
    public const long OpsetVersion = 17;

    /// <summary>Builds the ONNX model.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static ModelProto Export(SpecModel model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        ModelSpec spec = model.Spec;
        var graph = new OnnxGraphBuilder(spec.Name, options.BatchDimension);
        string x = graph.AddInput(spec.InputName, [.. spec.InputShape]);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            x = spec.Layers[i].Emit(graph, x, model.Layer(i), $"layers.{i}");
        }

        var headOutputs = new List<string>();
        for (int h = 0; h < spec.Heads.Count; h++)
        {
            HeadSpec head = spec.Heads[h];
            string y = x;
            for (int i = 0; i < head.Layers.Count; i++)
            {
                y = head.Layers[i].Emit(graph, y, model.HeadLayer(h, i), $"head_{head.Name}.{i}");
            }

            headOutputs.Add(y);
        }

        if (spec.Heads.Count == 0)
        {
            Name(graph, x, spec.OutputName);
        }
        else if (spec.ConcatenateHeads)
        {
            graph.AddNode("Concat", spec.OutputName, headOutputs, OnnxAttributes.Int("axis", 1));
        }
        else
        {
            for (int h = 0; h < spec.Heads.Count; h++)
            {
                Name(graph, headOutputs[h], spec.Heads[h].Name);
            }
        }

        foreach (OutputSpec output in model.Outputs)
        {
            graph.AddOutput(output.Name, [.. output.Shape]);
        }

        return graph.BuildModel(IrVersion, OpsetVersion, options.ProducerName, options.ProducerVersion, options.Metadata);
    }

    /// <summary>Builds the ONNX model and returns its serialised bytes.</summary>
    public static byte[] ExportToBytes(SpecModel model, OnnxExportOptions? options = null) => Export(model, options).ToByteArray();

    /// <summary>Builds the ONNX model and writes it to <paramref name="path"/> (replacing any file there).</summary>
    public static void ExportToFile(SpecModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ExportToBytes(model, options));
    }

    // Gives the value its public name: an Identity node unless it already has it.
    private static void Name(OnnxGraphBuilder graph, string value, string name)
    {
        if (value != name)
        {
            graph.AddNode("Identity", name, [value]);
        }
    }
}
