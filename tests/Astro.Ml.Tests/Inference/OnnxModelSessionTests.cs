using Astro.Onnx;
using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Ml.Training;

namespace Astro.Ml.Tests.Inference;

public sealed class OnnxModelSessionTests
{
    private static byte[] ExportMlp()
    {
        TorchSetup.Initialize(TorchWorkload.Mlp);
        TorchSetup.Seed(3);
        using var model = new SpecModel(TestModels.Mlp());
        return OnnxExporter.ExportToBytes(model);
    }

    [Fact]
    public void Session_ReportsShapesAndRejectsWrongBatchLength()
    {
        using var session = new OnnxModelSession(ExportMlp(), new OnnxModelSessionOptions());
        Assert.Equal("input", session.InputName);
        Assert.Equal([22L], session.InputSampleShape);
        Assert.Equal(22, session.InputSampleSize);
        Assert.Equal(["output"], session.OutputNames);
        Assert.Equal([1L], session.OutputSampleShapes[0]);
        Assert.Throws<ArgumentException>(() => session.Run(new float[21], 1));
    }

    [Fact]
    public void Session_GivesTheSameAnswersFromManyThreads()
    {
        using var session = new OnnxModelSession(ExportMlp(), new OnnxModelSessionOptions { IntraOpThreads = 1 });
        float[][] batches = [.. Enumerable.Range(0, 16).Select(i => TestModels.RandomRows(100 + i, 33 * 22))];
        float[][] sequential = [.. batches.Select(b => session.Run(b, 33))];
        var parallel = new float[batches.Length][];

        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = session.Run(batches[i], 33));

        for (int i = 0; i < batches.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }

        Assert.NotEqual(sequential[0], sequential[1]);
    }

    [Fact]
    public void GetShared_ReturnsOneSessionPerPathAndOptions()
    {
        string dir = TestPaths.NewTempDirectory();
        try
        {
            string path = Path.Combine(dir, "mlp.onnx");
            File.WriteAllBytes(path, ExportMlp());
            OnnxModelSession a = OnnxModelSession.GetShared(path);
            OnnxModelSession b = OnnxModelSession.GetShared(Path.Combine(dir, ".", "mlp.onnx"));
            OnnxModelSession c = OnnxModelSession.GetShared(path, new OnnxModelSessionOptions { IntraOpThreads = 2 });
            Assert.Same(a, b);
            Assert.NotSame(a, c);
            a.Dispose(); // a no-op for shared sessions
            Assert.Single(b.Run(new float[22], 1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
