using System.Diagnostics;
using Astro.Onnx;
using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Ml.Training;
using Xunit.Abstractions;

namespace Astro.Ml.Tests.Onnx;

/// <summary>TorchSharp and ONNX Runtime must agree on the exported models to 1e-5.</summary>
public sealed class OnnxParityTests
{
    private const double Tolerance = 1e-5;
    private readonly ITestOutputHelper _output;

    public OnnxParityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Mlp_22_44_66_66_1_MatchesOnnxRuntime()
    {
        TorchSetup.Initialize(TorchWorkload.Mlp);
        TorchSetup.Seed(20261123);
        using var model = new SpecModel(TestModels.Mlp());
        float[] batch = TestModels.RandomRows(1, TestModels.Rows * 22);

        float[] expected = TestModels.TorchOutputs(model, batch, [TestModels.Rows, 22])[0];
        using var session = new OnnxModelSession(OnnxExporter.ExportToBytes(model), new OnnxModelSessionOptions());
        float[] actual = session.Run(batch, TestModels.Rows);

        double diff = TestModels.MaxAbsDiff(expected, actual);
        _output.WriteLine($"MLP 22-44-66-66-1, {TestModels.Rows} rows: max |torch − onnx| = {diff:E3}, output spread {TestModels.Spread(expected):G4}");
        Assert.Equal(TestModels.Rows, actual.Length);
        Assert.True(TestModels.Spread(expected) > 1e-3, "the outputs are (nearly) constant, so the comparison would prove nothing");
        Assert.True(diff <= Tolerance, $"max abs diff {diff:E3} > {Tolerance:E0}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MultiHead_MatchesOnnxRuntime(bool concatenate)
    {
        TorchSetup.Initialize(TorchWorkload.Mlp);
        TorchSetup.Seed(7);
        using var model = new SpecModel(TestModels.Heteroscedastic(concatenate));
        float[] batch = TestModels.RandomRows(2, TestModels.Rows * 10);

        List<float[]> heads = TestModels.TorchOutputs(model, batch, [TestModels.Rows, 10]);
        using var session = new OnnxModelSession(OnnxExporter.ExportToBytes(model), new OnnxModelSessionOptions());
        IReadOnlyList<float[]> actual = session.RunAll(batch, TestModels.Rows);

        int[] widths = [1, 1, 4, 2];
        if (concatenate)
        {
            Assert.Equal(["output"], session.OutputNames);
            float[] expected = new float[TestModels.Rows * widths.Sum()];
            for (int row = 0, at = 0; row < TestModels.Rows; row++)
            {
                for (int h = 0; h < heads.Count; h++)
                {
                    Array.Copy(heads[h], row * widths[h], expected, at, widths[h]);
                    at += widths[h];
                }
            }

            double diff = TestModels.MaxAbsDiff(expected, actual[0]);
            _output.WriteLine($"4 heads concatenated: max diff {diff:E3}");
            Assert.True(diff <= Tolerance, $"max abs diff {diff:E3}");
        }
        else
        {
            Assert.Equal(["mean", "log_var", "class_probs", "gate"], session.OutputNames);
            for (int h = 0; h < heads.Count; h++)
            {
                double diff = TestModels.MaxAbsDiff(heads[h], actual[h]);
                _output.WriteLine($"head {session.OutputNames[h]}: max diff {diff:E3}");
                Assert.True(TestModels.Spread(heads[h]) > 1e-4, $"head {h} is constant");
                Assert.True(diff <= Tolerance, $"head {session.OutputNames[h]}: max abs diff {diff:E3}");
            }

            // Softmax rows sum to one in both.
            Assert.Equal(1.0, actual[2].Take(4).Sum(), 5);
        }
    }

    [Theory]
    [InlineData(GlobalPool.Max)]
    [InlineData(GlobalPool.Average)]
    public void Cnn_3x69x69_MatchesOnnxRuntime(GlobalPool pool)
    {
        TorchSetup.Initialize(TorchWorkload.Cnn);
        TorchSetup.Seed(69);
        using var model = new SpecModel(TestModels.Cnn(pool));
        TestModels.WarmBatchNorm(model, [32, 3, 69, 69], seed: 100);
        float[] batch = TestModels.RandomRows(3, TestModels.Rows * 3 * 69 * 69);

        var clock = Stopwatch.StartNew();
        float[] expected = TestModels.TorchOutputs(model, batch, [TestModels.Rows, 3, 69, 69])[0];
        TimeSpan torchTime = clock.Elapsed;
        using var session = new OnnxModelSession(OnnxExporter.ExportToBytes(model), new OnnxModelSessionOptions { IntraOpThreads = 2 });
        clock.Restart();
        float[] actual = session.Run(batch, TestModels.Rows);
        TimeSpan onnxTime = clock.Elapsed;

        double diff = TestModels.MaxAbsDiff(expected, actual);
        _output.WriteLine($"CNN ({pool}) 3×69×69, {TestModels.Rows} images: max |torch − onnx| = {diff:E3}, spread {TestModels.Spread(expected):G4}; torch {torchTime.TotalMilliseconds:F0} ms, onnx {onnxTime.TotalMilliseconds:F0} ms");
        Assert.True(TestModels.Spread(expected) > 1e-4, "the outputs are (nearly) constant");
        Assert.True(diff <= Tolerance, $"max abs diff {diff:E3} > {Tolerance:E0}");
    }
}
