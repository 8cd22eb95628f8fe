using System.Diagnostics;
using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Onnx;
using Astro.Onnx.Proto;
using Astro.Ml.Training;
using Xunit.Abstractions;

namespace Astro.Ml.Tests.Onnx;

/// <summary>Exported graphs declare what the spec says: names, shapes, versions, parameters.</summary>
public sealed class OnnxStructureTests
{
    private readonly ITestOutputHelper _output;

    public OnnxStructureTests(ITestOutputHelper output)
    {
        _output = output;
        TorchSetup.Initialize(TorchWorkload.Mlp);
    }

    [Fact]
    public void Mlp_DeclaresInputsOutputsAndVersions()
    {
        using var model = new SpecModel(TestModels.Mlp());
        ModelProto proto = OnnxExporter.Export(model);
        OnnxModelDescription description = OnnxModelDescription.Describe(proto);

        Assert.Equal(8, description.IrVersion);
        Assert.Equal(17, Assert.Single(description.Opsets, o => o.Key.Length == 0).Value);
        OnnxValueDescription input = Assert.Single(description.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal(1, input.ElementType);
        Assert.Equal([new OnnxDimension(null, "batch"), new OnnxDimension(22, null)], input.Shape);
        OnnxValueDescription output = Assert.Single(description.Outputs);
        Assert.Equal("output", output.Name);
        Assert.Equal([new OnnxDimension(null, "batch"), new OnnxDimension(1, null)], output.Shape);

        // Standardisation stays visible in front; dropout leaves no node.
        Assert.Equal(["Sub", "Div", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Identity"], description.OperatorTypes);
        Assert.Empty(OnnxModelDescription.CheckStructure(proto));
    }

    [Fact]
    public void Mlp_StandardisationInitializersHoldTheSpecValues()
    {
        ModelSpec spec = TestModels.Mlp();
        var standardize = (StandardizeSpec)spec.Layers[0];
        using var model = new SpecModel(spec);
        ModelProto proto = OnnxExporter.Export(model);

        TensorProto mean = proto.Graph.Initializer.Single(t => t.Name == "layers.0.mean");
        TensorProto std = proto.Graph.Initializer.Single(t => t.Name == "layers.0.std");
        Assert.Equal([22L], mean.Dims);
        Assert.Equal(standardize.Mean, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mean.RawData.Span).ToArray());
        Assert.Equal(standardize.Std, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(std.RawData.Span).ToArray());
    }

    [Fact]
    public void Initializers_CorrespondToStateDictKeys()
    {
        using var model = new SpecModel(TestModels.Cnn());
        ModelProto proto = OnnxExporter.Export(model);

        var stateKeys = model.state_dict().Keys.Where(k => !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var initializers = proto.Graph.Initializer.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(stateKeys, initializers);
        Assert.Contains("layers.8.shortcut_conv.weight", initializers);
        Assert.DoesNotContain("layers.7.shortcut_conv.weight", initializers);
    }

    [Fact]
    public void Cnn_DeclaresShapesAndOperators()
    {
        using var model = new SpecModel(TestModels.Cnn());
        ModelProto proto = OnnxExporter.Export(model);
        OnnxModelDescription description = OnnxModelDescription.Describe(proto);

        Assert.Equal("[batch, 3, 69, 69]", $"[{string.Join(", ", description.Inputs[0].Shape)}]");
        Assert.Equal("output: [batch, 1]", description.Outputs[0].ToString());
        Assert.Equal(2, description.OperatorTypes.Count(o => o == "Add"));
        Assert.Contains("GlobalMaxPool", description.OperatorTypes);
        Assert.Contains("BatchNormalization", description.OperatorTypes);
        Assert.Equal(2, description.OperatorTypes.Count(o => o == "MaxPool"));
        Assert.Empty(OnnxModelDescription.CheckStructure(proto));
    }

    [Fact]
    public void MultiHead_DeclaresOneOutputPerHeadOrOneConcatenated()
    {
        using var separate = new SpecModel(TestModels.Heteroscedastic(concatenate: false));
        using var joined = new SpecModel(TestModels.Heteroscedastic(concatenate: true));

        OnnxModelDescription a = OnnxModelDescription.Describe(OnnxExporter.Export(separate));
        OnnxModelDescription b = OnnxModelDescription.Describe(OnnxExporter.Export(joined));

        Assert.Equal(["mean: [batch, 1]", "log_var: [batch, 1]", "class_probs: [batch, 4]", "gate: [batch, 2]"], a.Outputs.Select(o => o.ToString()));
        Assert.Equal(["output: [batch, 8]"], b.Outputs.Select(o => o.ToString()));
        Assert.Equal("Concat", b.OperatorTypes[^1]);
    }

    [Fact]
    public void CheckStructure_ReportsABrokenGraph()
    {
        using var model = new SpecModel(TestModels.Mlp());
        ModelProto proto = OnnxExporter.Export(model);
        proto.Graph.Node.RemoveAt(1); // the Div: the first Gemm now reads an undefined value

        IReadOnlyList<string> problems = OnnxModelDescription.CheckStructure(proto);

        Assert.Contains(problems, p => p.Contains("reads 'layers.0/Div' before it is defined", StringComparison.Ordinal));
    }

    [Fact]
    public void GraphBuilder_RejectsUndefinedInputsAndDuplicates()
    {
        var graph = new OnnxGraphBuilder("g");
        graph.AddInput("x", [3]);
        Assert.Throws<ArgumentException>(() => graph.AddNode("Relu", "r", ["nope"]));
        Assert.Throws<ArgumentException>(() => graph.AddInput("x", [3]));
        Assert.Throws<ArgumentException>(() => graph.AddInitializer("w", [1f, 2f], [3]));
        Assert.Throws<ArgumentException>(() => graph.AddOutput("missing", [3]));
    }

    [Fact]
    public void Spec_RejectsMismatchedLayers()
    {
        var spec = new ModelSpec { InputShape = [22], Layers = [new LinearSpec(21, 5)] };
        ArgumentException error = Assert.Throws<ArgumentException>(() => new SpecModel(spec));
        Assert.Contains("Layer 0", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ModelSpec { InputShape = [3, 8, 8], Layers = [new Conv2dSpec(3, 4, 9)] }.ResolveOutputs());
        Assert.Equal([4L, 4, 4], new Conv2dSpec(3, 4, 3, Stride: 2, Padding: 1).OutputShape([3, 8, 8]));
        Assert.Equal([4L, 3, 3], new MaxPool2dSpec(3, Stride: 2, Padding: 1).OutputShape([4, 5, 5]));
    }

    [PythonOnnxFact]
    public void ExportedModels_PassOnnxChecker()
    {
        string dir = TestPaths.NewTempDirectory();
        try
        {
            var files = new List<string>();
            foreach ((string name, ModelSpec spec) in new[] { ("mlp", TestModels.Mlp()), ("cnn", TestModels.Cnn()), ("heads", TestModels.Heteroscedastic(false)), ("concat", TestModels.Heteroscedastic(true)) })
            {
                using var model = new SpecModel(spec);
                string path = Path.Combine(dir, name + ".onnx");
                OnnxExporter.ExportToFile(model, path);
                files.Add(path);
            }

            (int exitCode, string text) = PythonOnnx.Run(
                "import sys, onnx\n" +
                "for p in sys.argv[1:]:\n" +
                "    m = onnx.load(p)\n" +
                "    onnx.checker.check_model(m, full_check=True)\n" +
                "    print('ok', p.rsplit('/', 1)[-1], 'ir', m.ir_version, 'opset', m.opset_import[0].version)\n",
                files);
            _output.WriteLine(text);
            Assert.True(exitCode == 0, text);
            Assert.Equal(4, text.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal) && l.EndsWith("ir 8 opset 17", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [PythonOnnxFact]
    public void OnnxChecker_RejectsABrokenGraph()
    {
        // The negative control: the checker is really looking.
        string dir = TestPaths.NewTempDirectory();
        try
        {
            using var model = new SpecModel(TestModels.Mlp());
            ModelProto proto = OnnxExporter.Export(model);
            proto.Graph.Node.RemoveAt(1);
            string path = Path.Combine(dir, "broken.onnx");
            File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(proto));

            (int exitCode, string text) = PythonOnnx.Run("import sys, onnx\nonnx.checker.check_model(onnx.load(sys.argv[1]))\n", [path]);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("layers.0/Div", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>A fact that is skipped, saying why, when Debian's python3-onnx is not installed.</summary>
public sealed class PythonOnnxFactAttribute : FactAttribute
{
    public PythonOnnxFactAttribute()
    {
        if (PythonOnnx.Interpreter is null)
        {
            Skip = "python3-onnx is not installed (apt-get install python3-onnx): the onnx.checker cross-check cannot run.";
        }
    }
}

/// <summary>Finds a Python with the onnx package (Debian's /usr/bin/python3 first: a pyenv shim may shadow it).</summary>
internal static class PythonOnnx
{
    private static readonly Lazy<string?> s_interpreter = new(Find);

    public static string? Interpreter => s_interpreter.Value;

    public static (int ExitCode, string Output) Run(string script, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Interpreter ?? throw new InvalidOperationException("python3-onnx is not installed."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 did not finish within 120 s.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? Find()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var start = new ProcessStartInfo(candidate, ["-c", "import onnx.checker"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                using Process? process = Process.Start(start);
                if (process is not null && process.WaitForExit(60_000) && process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not there; try the next.
            }
        }

        return null;
    }
}
