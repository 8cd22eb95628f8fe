using Astro.Ml.Models;
using static TorchSharp.torch;

namespace Astro.Ml.Tests;

/// <summary>The models and data the tests share, all from fixed seeds.</summary>
internal static class TestModels
{
    public const int Rows = 256;

    /// <summary>22-44-66-66-1 with a standardisation step, as the photometric-redshift MLP.</summary>
    public static ModelSpec Mlp()
    {
        var random = new Random(22);
        float[] mean = [.. Enumerable.Range(0, 22).Select(_ => (float)((random.NextDouble() * 10) - 5))];
        float[] std = [.. Enumerable.Range(0, 22).Select(_ => (float)(0.5 + (random.NextDouble() * 3)))];
        return ModelSpec.Mlp(22, [44, 66, 66], 1, Activation.Relu, mean, std, dropout: 0.1);
    }

    /// <summary>A heteroscedastic regressor: a shared trunk with every activation kind, then a mean head and a log-variance head.</summary>
    public static ModelSpec Heteroscedastic(bool concatenate) => new()
    {
        Name = "hetero",
        InputShape = [10],
        Layers =
        [
            new StandardizeSpec([.. Enumerable.Range(0, 10).Select(i => i * 0.5f)], [.. Enumerable.Range(0, 10).Select(i => 1f + (i * 0.25f))]),
            new LinearSpec(10, 32),
            new ActivationSpec(Activation.LeakyRelu, 0.2),
            new DropoutSpec(0.2),
            new LinearSpec(32, 32),
            new ActivationSpec(Activation.Tanh),
        ],
        Heads =
        [
            new HeadSpec("mean", [new LinearSpec(32, 1)]),
            new HeadSpec("log_var", [new LinearSpec(32, 1)]),
            new HeadSpec("class_probs", [new LinearSpec(32, 4), new ActivationSpec(Activation.Softmax)]),
            new HeadSpec("gate", [new LinearSpec(32, 2, Bias: false), new ActivationSpec(Activation.Sigmoid)]),
        ],
        ConcatenateHeads = concatenate,
    };

    /// <summary>3×69×69 → conv/bn/pool → conv → two residual blocks → global max → dense.</summary>
    public static ModelSpec Cnn(GlobalPool pool = GlobalPool.Max) => new()
    {
        Name = "cnn",
        InputShape = [3, 69, 69],
        Layers =
        [
            new StandardizeSpec([0.1f, -0.2f, 0.3f], [1.5f, 0.8f, 2.0f]),
            new Conv2dSpec(3, 16, 5, Stride: 1, Padding: 2),
            new BatchNorm2dSpec(16),
            new ActivationSpec(Activation.Relu),
            new MaxPool2dSpec(2),
            new Conv2dSpec(16, 32, 3, Stride: 2, Padding: 1),
            new ActivationSpec(Activation.Relu),
            new ResidualBlockSpec(32, 32),
            new ResidualBlockSpec(32, 48, Stride: 2),
            new MaxPool2dSpec(3, Stride: 2, Padding: 1),
            new GlobalPoolSpec(pool),
            new FlattenSpec(),
            new LinearSpec(48, 32),
            new ActivationSpec(Activation.Relu),
            new DropoutSpec(0.5),
            new LinearSpec(32, 1),
        ],
    };

    public static float[] RandomRows(int seed, int count)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (int i = 0; i < data.Length; i++)
        {
            // Box–Muller normal values, scaled so standardisation has something to do.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            data[i] = (float)((Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2) * 3) + 1);
        }

        return data;
    }

    /// <summary>Runs the model in eval mode and returns each head's output flattened.</summary>
    public static List<float[]> TorchOutputs(SpecModel model, float[] batch, long[] shape)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor input = tensor(batch, shape);
        return [.. model.ForwardHeads(input).Select(t => t.contiguous().data<float>().ToArray())];
    }

    /// <summary>Feeds a few batches in training mode so batch-norm running statistics are not the trivial 0/1.</summary>
    public static void WarmBatchNorm(SpecModel model, long[] shape, int seed)
    {
        model.train();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < 3; i++)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            model.call(tensor(RandomRows(seed + i, (int)count), shape));
        }

        model.eval();
    }

    public static double MaxAbsDiff(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)expected[i] - actual[i]));
        }

        return max;
    }

    public static double Spread(float[] values) => values.Max() - values.Min();
}
