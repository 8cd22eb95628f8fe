using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Onnx;
using Astro.Ml.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Astro.Ml.Tests.Onnx;

/// <summary>
/// The onnx checker's verdict, kept as a fixture so machines without python3-onnx still rely on it:
/// <c>Fixtures/zoo.onnx</c> is the export of <see cref="Zoo"/> (every layer kind, deterministic weights) and
/// <c>Fixtures/zoo.onnx.checker.txt</c> is what <c>onnx.checker.check_model(full_check=True)</c> said about it.
/// The first test proves today's exporter still writes exactly those bytes, so the verdict still applies;
/// the second re-asks the checker where it is installed. Regenerate with ASTRO_ML_WRITE_FIXTURES=1.
/// </summary>
public sealed class OnnxCheckerFixtureTests
{
    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private readonly ITestOutputHelper _output;

    public OnnxCheckerFixtureTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>A small model using every layer kind and both output styles' building blocks.</summary>
    public static ModelSpec Zoo() => new()
    {
        Name = "zoo",
        InputShape = [2, 9, 9],
        Layers =
        [
            new StandardizeSpec([0.5f, -1f], [2f, 0.25f]),
            new Conv2dSpec(2, 4, 3, Stride: 1, Padding: 1),
            new BatchNorm2dSpec(4),
            new ActivationSpec(Activation.Relu),
            new MaxPool2dSpec(2, Stride: 1),
            new ResidualBlockSpec(4, 4),
            new ResidualBlockSpec(4, 6, Stride: 2),
            new GlobalPoolSpec(GlobalPool.Max),
            new FlattenSpec(),
            new LinearSpec(6, 8),
            new ActivationSpec(Activation.LeakyRelu, 0.1),
            new DropoutSpec(0.3),
            new LinearSpec(8, 8),
            new ActivationSpec(Activation.Tanh),
        ],
        Heads =
        [
            new HeadSpec("mean", [new LinearSpec(8, 1)]),
            new HeadSpec("log_var", [new LinearSpec(8, 1)]),
            new HeadSpec("probs", [new LinearSpec(8, 3), new ActivationSpec(Activation.Softmax)]),
            new HeadSpec("gate", [new LinearSpec(8, 2, Bias: false), new ActivationSpec(Activation.Sigmoid)]),
        ],
        ConcatenateHeads = true,
    };

    public static byte[] ExportZoo()
    {
        TorchSetup.Initialize(TorchWorkload.Mlp);
        using var model = new SpecModel(Zoo());
        var random = new Random(2026);
        using (no_grad())
        {
            foreach ((string name, Tensor value) in model.state_dict().OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                if (value.dtype != ScalarType.Float32)
                {
                    continue;
                }

                bool positive = name.EndsWith(".running_var", StringComparison.Ordinal) || name.EndsWith(".std", StringComparison.Ordinal);
                float[] data = [.. Enumerable.Range(0, (int)value.numel()).Select(_ => positive ? (float)(0.5 + random.NextDouble()) : (float)(random.NextDouble() - 0.5))];
                using Tensor source = tensor(data).reshape(value.shape);
                value.copy_(source);
            }
        }

        return OnnxExporter.ExportToBytes(model, new OnnxExportOptions { ProducerVersion = "fixture" });
    }

    [Fact]
    public void Exporter_StillWritesTheCheckedFixture()
    {
        byte[] today = ExportZoo();
        string fixture = Path.Combine(s_fixtures, "zoo.onnx");
        if (Environment.GetEnvironmentVariable("ASTRO_ML_WRITE_FIXTURES") == "1")
        {
            string source = Path.Combine(SourceFixtures(), "zoo.onnx");
            File.WriteAllBytes(source, today);
            _output.WriteLine($"wrote {source}");
            return;
        }

        byte[] expected = File.ReadAllBytes(fixture);
        Assert.True(expected.AsSpan().SequenceEqual(today), $"The export of Zoo() ({today.Length} bytes) differs from {fixture} ({expected.Length} bytes): re-run the checker and regenerate the fixture.");
        Assert.StartsWith("ok ir 8 opset 17", File.ReadAllText(Path.Combine(s_fixtures, "zoo.onnx.checker.txt")), StringComparison.Ordinal);
    }

    [PythonOnnxFact]
    public void Checker_StillAcceptsTheFixture()
    {
        (int exitCode, string text) = PythonOnnx.Run(
            "import sys, onnx\n" +
            "m = onnx.load(sys.argv[1])\n" +
            "onnx.checker.check_model(m, full_check=True)\n" +
            "print('ok ir', m.ir_version, 'opset', m.opset_import[0].version, '(onnx.checker.check_model full_check=True, onnx', onnx.__version__ + ')')\n",
            [Path.Combine(s_fixtures, "zoo.onnx")]);
        _output.WriteLine(text);
        Assert.True(exitCode == 0, text);
        Assert.Equal(File.ReadAllText(Path.Combine(s_fixtures, "zoo.onnx.checker.txt")).Trim(), text.Trim());
    }

    private static string SourceFixtures() =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Fixtures"));
}
