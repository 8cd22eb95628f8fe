using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Onnx;
using Astro.Onnx.Proto;
using Google.Protobuf;

namespace Astro.Ml.Images;

/// <summary>
/// Exports trained image networks as one ONNX graph (IR 8, opset 17): input <c>input</c> [batch, bands, size, size];
/// outputs <c>output</c> (the members' mean; answer probabilities or regression values), <c>output_std</c> (the members'
/// population standard deviation; zeros for one member) and <c>features</c> (each member's penultimate dense activations,
/// concatenated: paper 003's CNN features for the LightGBM stage). With test-time augmentation the graph stacks the 8
/// dihedral transforms of the batch (<c>Transpose</c> and reversing <c>Slice</c>s, as <see cref="ImageAugmentation.Dihedral"/>),
/// runs the networks once on the stack and averages outputs and features over the transforms.
/// </summary>
public static class ImageOnnxExport
{
    /// <summary>The graph's input name.</summary>
    public const string InputName = "input";

    /// <summary>The mean output.</summary>
    public const string OutputName = "output";

    /// <summary>The ensemble spread.</summary>
    public const string StdName = "output_std";

    /// <summary>The CNN features.</summary>
    public const string FeaturesName = "features";

    /// <summary>Builds the graph.</summary>
    public static ModelProto Export(IReadOnlyList<SpecModel> members, bool testTimeAugmentation, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("No members to export.", nameof(members));
        }

        ModelSpec spec = members[0].Spec;
        int outputs = (int)members[0].Outputs[0].Shape[0];
        var graph = new OnnxGraphBuilder(spec.Name, "batch");
        string x = graph.AddInput(InputName, [.. spec.InputShape]);
        if (testTimeAugmentation)
        {
            x = Dihedral(graph, x);
        }

        var memberOutputs = new List<string>();
        var memberFeatures = new List<string>();
        for (int m = 0; m < members.Count; m++)
        {
            SpecModel model = members[m];
            string y = x;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                y = spec.Layers[i].Emit(graph, y, model.Layer(i), $"m{m}.layers.{i}");
            }

            string features = y;
            HeadSpec head = spec.Heads[0];
            for (int i = 0; i < head.Layers.Count; i++)
            {
                y = head.Layers[i].Emit(graph, y, model.HeadLayer(0, i), $"m{m}.head_{head.Name}.{i}");
            }

            if (testTimeAugmentation)
            {
                y = MeanOverTransforms(graph, y, outputs, $"m{m}/tta_output");
                features = MeanOverTransforms(graph, features, ImageArchitectures.FeatureWidth, $"m{m}/tta_features");
            }

            memberOutputs.Add(y);
            memberFeatures.Add(features);
        }

        string axis1 = graph.AddInitializer("axes_1", [1L], [1]);
        var stacked = memberOutputs.Select((y, m) => graph.AddNode("Unsqueeze", $"ensemble/unsqueeze{m}", [y, axis1])).ToList();
        string stack = stacked.Count == 1 ? stacked[0] : graph.AddNode("Concat", "ensemble/stack", stacked, OnnxAttributes.Int("axis", 1));
        graph.AddNode("ReduceMean", OutputName, [stack], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 0));
        string keep = graph.AddNode("ReduceMean", "ensemble/mean_keep", [stack], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 1));
        string d = graph.AddNode("Sub", "ensemble/deviation", [stack, keep]);
        string sq = graph.AddNode("Mul", "ensemble/square", [d, d]);
        string variance = graph.AddNode("ReduceMean", "ensemble/variance", [sq], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 0));
        graph.AddNode("Sqrt", StdName, [variance]);
        if (memberFeatures.Count == 1)
        {
            graph.AddNode("Identity", FeaturesName, [memberFeatures[0]]);
        }
        else
        {
            graph.AddNode("Concat", FeaturesName, memberFeatures, OnnxAttributes.Int("axis", 1));
        }

        graph.AddOutput(OutputName, [outputs]);
        graph.AddOutput(StdName, [outputs]);
        graph.AddOutput(FeaturesName, [members.Count * ImageArchitectures.FeatureWidth]);
        var options = new OnnxExportOptions();
        return graph.BuildModel(OnnxExporter.IrVersion, OnnxExporter.OpsetVersion, "Astro.Ml.Images", options.ProducerVersion, metadata);
    }

    /// <summary>Builds the graph and returns its bytes.</summary>
    public static byte[] ExportToBytes(IReadOnlyList<SpecModel> members, bool testTimeAugmentation, IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        Export(members, testTimeAugmentation, metadata).ToByteArray();

    // [B, C, H, W] → [8B, C, H, W]: the 8 dihedral transforms stacked along the batch, transform-major.
    private static string Dihedral(OnnxGraphBuilder graph, string input)
    {
        string starts = graph.AddInitializer("tta.starts", [-1L], [1]);
        string ends = graph.AddInitializer("tta.ends", [long.MinValue], [1]);
        string steps = graph.AddInitializer("tta.steps", [-1L], [1]);
        string axis2 = graph.AddInitializer("tta.axis2", [2L], [1]);
        string axis3 = graph.AddInitializer("tta.axis3", [3L], [1]);
        var variants = new List<string>();
        for (int k = 0; k < ImageAugmentation.DihedralCount; k++)
        {
            string v = input;
            if ((k & 4) != 0)
            {
                v = graph.AddNode("Transpose", $"tta/t{k}/Transpose", [v], OnnxAttributes.Ints("perm", 0, 1, 3, 2));
            }

            if ((k & 2) != 0)
            {
                v = graph.AddNode("Slice", $"tta/t{k}/FlipRows", [v, starts, ends, axis2, steps]);
            }

            if ((k & 1) != 0)
            {
                v = graph.AddNode("Slice", $"tta/t{k}/FlipColumns", [v, starts, ends, axis3, steps]);
            }

            variants.Add(v);
        }

        return graph.AddNode("Concat", "tta/stack", variants, OnnxAttributes.Int("axis", 0));
    }

    // [8B, N] → mean over the 8 transforms → [B, N].
    private static string MeanOverTransforms(OnnxGraphBuilder graph, string value, int width, string name)
    {
        string shape = graph.AddInitializer($"{name}.shape", [(long)ImageAugmentation.DihedralCount, -1L, width], [3]);
        string reshaped = graph.AddNode("Reshape", $"{name}/Reshape", [value, shape]);
        return graph.AddNode("ReduceMean", $"{name}/ReduceMean", [reshaped], OnnxAttributes.Ints("axes", 0), OnnxAttributes.Int("keepdims", 0));
    }
}
