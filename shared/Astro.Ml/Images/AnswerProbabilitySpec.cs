using Astro.Ml.Models;
using Astro.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Ml.Images;

/// <summary>
/// Paper 003's probability normalisation layer (after Dieleman et al. 2015), generic over an <see cref="AnswerTree"/>:
/// the answers of each question are made to sum to one (a softmax over the question's slice of the input), then
/// multiplied by the probability that the question is asked (the sum of its parent answers' unconditional
/// probabilities, computed earlier in the same layer). The output is a vector of valid unconditional probabilities.
/// </summary>
/// <remarks>
/// Paper 003 used a ReLU and division by the sum; the softmax gives the same constraint without a division by zero
/// when every answer of a question is dead. ONNX: per question <c>Slice</c> → <c>Softmax</c> → <c>Mul</c> by the
/// parent probability (<c>Slice</c>/<c>Add</c> of earlier outputs), then <c>Concat</c>; no custom operator.
/// </remarks>
/// <param name="Tree">The questions and answers.</param>
public sealed record AnswerProbabilitySpec(AnswerTree Tree) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        RequireRank(inputShape, 1, "AnswerProbability");
        if (inputShape[0] != Tree.AnswerCount)
        {
            throw new ArgumentException($"AnswerProbability({Tree.Name}) needs {Tree.AnswerCount} inputs, got {inputShape[0]}.");
        }

        return [Tree.AnswerCount];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return new AnswerProbabilityModule(Tree);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix)
    {
        var outputs = new string[Tree.Questions.Count];
        string axes = graph.AddInitializer(graph.UniqueName($"{prefix}.axes"), [1L], [1]);
        for (int q = 0; q < Tree.Questions.Count; q++)
        {
            int offset = Tree.Offset(q);
            int count = Tree.Questions[q].Answers.Count;
            string slice = Slice(graph, input, offset, offset + count, axes, $"{prefix}/q{q}");
            string soft = graph.AddNode("Softmax", $"{prefix}/q{q}/Softmax", [slice], OnnxAttributes.Int("axis", 1));
            IReadOnlyList<int> parents = Tree.ParentAnswers(q);
            if (parents.Count == 0)
            {
                outputs[q] = soft;
                continue;
            }

            string? asked = null;
            for (int i = 0; i < parents.Count; i++)
            {
                (int pq, int column) = Locate(parents[i]);
                string p = Slice(graph, outputs[pq], column, column + 1, axes, $"{prefix}/q{q}/parent{i}");
                asked = asked is null ? p : graph.AddNode("Add", $"{prefix}/q{q}/parent{i}/Add", [asked, p]);
            }

            outputs[q] = graph.AddNode("Mul", $"{prefix}/q{q}/Mul", [soft, asked!]);
        }

        return outputs.Length == 1 ? outputs[0] : graph.AddNode("Concat", $"{prefix}/Concat", outputs, OnnxAttributes.Int("axis", 1));
    }

    internal (int Question, int Column) Locate(int answer)
    {
        for (int q = Tree.Questions.Count - 1; q >= 0; q--)
        {
            if (answer >= Tree.Offset(q))
            {
                return (q, answer - Tree.Offset(q));
            }
        }

        throw new ArgumentOutOfRangeException(nameof(answer));
    }

    private static string Slice(OnnxGraphBuilder graph, string input, long start, long end, string axes, string name)
    {
        string starts = graph.AddInitializer(graph.UniqueName($"{name}.starts"), [start], [1]);
        string ends = graph.AddInitializer(graph.UniqueName($"{name}.ends"), [end], [1]);
        return graph.AddNode("Slice", $"{name}/Slice", [input, starts, ends, axes]);
    }
}

/// <summary>The TorchSharp side of <see cref="AnswerProbabilitySpec"/>.</summary>
internal sealed class AnswerProbabilityModule : nn.Module<Tensor, Tensor>
{
    private readonly AnswerTree _tree;
    private readonly AnswerProbabilitySpec _spec;

    public AnswerProbabilityModule(AnswerTree tree)
        : base(nameof(AnswerProbabilityModule))
    {
        _tree = tree;
        _spec = new AnswerProbabilitySpec(tree);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new Tensor[_tree.Questions.Count];
        for (int q = 0; q < outputs.Length; q++)
        {
            Tensor soft = nn.functional.softmax(input.narrow(1, _tree.Offset(q), _tree.Questions[q].Answers.Count), 1);
            IReadOnlyList<int> parents = _tree.ParentAnswers(q);
            if (parents.Count == 0)
            {
                outputs[q] = soft;
                continue;
            }

            Tensor? asked = null;
            foreach (int parent in parents)
            {
                (int pq, int column) = _spec.Locate(parent);
                Tensor p = outputs[pq].narrow(1, column, 1);
                asked = asked is null ? p : asked + p;
            }

            outputs[q] = soft * asked!;
        }

        return cat(outputs, 1).MoveToOuterDisposeScope();
    }
}
