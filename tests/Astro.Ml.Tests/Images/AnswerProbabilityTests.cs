using Astro.Ml.Images;
using Astro.Ml.Models;
using Astro.Ml.Onnx;
using Astro.Ml.Training;
using Astro.Onnx;
using static TorchSharp.torch;

namespace Astro.Ml.Tests.Images;

/// <summary>Paper 003's normalisation layer: answers of a question sum to the probability that the question is asked.</summary>
public sealed class AnswerProbabilityTests
{
    private const int Rows = 16;

    [Fact]
    public void GalaxyZoo2Tree_Has11QuestionsAnd37Answers()
    {
        AnswerTree tree = AnswerTree.GalaxyZoo2;
        Assert.Equal(11, tree.Questions.Count);
        Assert.Equal(37, tree.AnswerCount);
        Assert.Equal(3 + 2 + 2 + 2 + 4 + 2 + 3, tree.Offset(7));
        Assert.Equal([1], tree.ParentAnswers(1));
        Assert.Equal([0, 1], tree.ParentAnswers(5));
    }

    [Fact]
    public void ToUnconditional_MultipliesByTheParentProbability()
    {
        double[] p = AnswerTree.DecalsRings.ToUnconditional([0.8, 0.2, 0.25, 0.75, 0.4, 0.6]);
        Assert.Equal([0.8, 0.2, 0.2, 0.6, 0.24, 0.36], p.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void TreeWithUnknownParent_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AnswerTree("bad", [new("q", ["a", "b"], ["nope/x"])]));
    }

    [Theory]
    [InlineData("gz2")]
    [InlineData("decals")]
    public void Layer_SumsPerQuestion_InTorchSharpAndOnnx(string which)
    {
        AnswerTree tree = which == "gz2" ? AnswerTree.GalaxyZoo2 : AnswerTree.DecalsRings;
        TorchSetup.Initialize(TorchWorkload.Mlp);
        TorchSetup.Seed(3);
        var spec = new ModelSpec
        {
            Name = "answers",
            InputShape = [5],
            Layers = [new LinearSpec(5, tree.AnswerCount), new AnswerProbabilitySpec(tree)],
        };
        using var model = new SpecModel(spec);
        model.eval();
        var random = new Random(5);
        float[] x = [.. Enumerable.Range(0, Rows * 5).Select(_ => (float)((random.NextDouble() * 6) - 3))];
        float[] torchOut;
        using (no_grad())
        using (Tensor input = tensor(x, [Rows, 5]))
        using (Tensor y = model.call(input))
        {
            torchOut = y.data<float>().ToArray();
        }

        using var session = new OnnxModelSession(OnnxExporter.ExportToBytes(model), new OnnxModelSessionOptions());
        float[] onnxOut = session.Run(x, Rows);
        Assert.Equal(torchOut.Length, onnxOut.Length);
        Assert.True(torchOut.Zip(onnxOut).Max(p => Math.Abs(p.First - p.Second)) <= 1e-6);
        foreach (float[] output in new[] { torchOut, onnxOut })
        {
            for (int r = 0; r < Rows; r++)
            {
                double[] row = [.. output.AsSpan(r * tree.AnswerCount, tree.AnswerCount).ToArray().Select(v => (double)v)];
                Assert.All(row, v => Assert.InRange(v, 0, 1));
                for (int q = 0; q < tree.Questions.Count; q++)
                {
                    double sum = row.Skip(tree.Offset(q)).Take(tree.Questions[q].Answers.Count).Sum();
                    Assert.True(Math.Abs(tree.ParentProbability(row, q) - sum) <= 1e-5, $"question {q}: answers sum to {sum}, asked with probability {tree.ParentProbability(row, q)}");
                }
            }
        }

        // Not trivially 0/1: a child question is asked with a probability strictly between 0 and 1.
        Assert.InRange(torchOut[tree.Offset(1)] + torchOut[tree.Offset(1) + 1], 1e-4, 1 - 1e-4);
    }
}
