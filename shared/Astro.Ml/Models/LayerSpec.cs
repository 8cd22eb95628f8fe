using Astro.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Ml.Models;

/// <summary>
/// One layer of a model, described by value. The same description builds the TorchSharp module
/// (<see cref="SpecModel"/>) and the ONNX nodes (<see cref="Astro.Ml.Onnx.OnnxExporter"/>), so the two cannot drift apart.
/// </summary>
/// <remarks>Shapes are per sample (without the batch dimension): <c>[features]</c> or <c>[channels, height, width]</c>.</remarks>
public abstract record LayerSpec
{
    private protected LayerSpec()
    {
    }

    /// <summary>Returns the per-sample output shape for a per-sample input shape.</summary>
    /// <exception cref="ArgumentException">The layer cannot take an input of that shape.</exception>
    public abstract long[] OutputShape(IReadOnlyList<long> inputShape);

    internal abstract nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape);

    internal abstract string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix);

    private protected static void RequireRank(IReadOnlyList<long> shape, int rank, string layer)
    {
        if (shape.Count != rank)
        {
            throw new ArgumentException($"{layer} needs a per-sample input of rank {rank}, got [{string.Join(", ", shape)}].");
        }
    }

    private protected static long PooledLength(long length, long kernel, long stride, long padding, string layer)
    {
        long output = ((length + (2 * padding) - kernel) / stride) + 1;
        if (output <= 0 || length + (2 * padding) < kernel)
        {
            throw new ArgumentException($"{layer}: kernel {kernel} does not fit an input of length {length} with padding {padding}.");
        }

        return output;
    }
}

/// <summary>Activation functions an <see cref="ActivationSpec"/> can apply.</summary>
public enum Activation
{
    /// <summary><c>max(0, x)</c>; ONNX <c>Relu</c>.</summary>
    Relu = 1,

    /// <summary><c>x</c> if positive, else <c>slope · x</c>; ONNX <c>LeakyRelu</c>.</summary>
    LeakyRelu = 2,

    /// <summary>Hyperbolic tangent; ONNX <c>Tanh</c>.</summary>
    Tanh = 3,

    /// <summary>Logistic function; ONNX <c>Sigmoid</c>.</summary>
    Sigmoid = 4,

    /// <summary>Softmax over the feature dimension (dimension 1 of the batch); ONNX <c>Softmax</c> with axis 1.</summary>
    Softmax = 5,
}

/// <summary>How a <see cref="GlobalPoolSpec"/> reduces each channel to one value.</summary>
public enum GlobalPool
{
    /// <summary>The maximum: TorchSharp <c>AdaptiveMaxPool2d(1×1)</c>, ONNX <c>GlobalMaxPool</c>.</summary>
    Max = 1,

    /// <summary>The mean: TorchSharp <c>AdaptiveAvgPool2d(1×1)</c>, ONNX <c>GlobalAveragePool</c>.</summary>
    Average = 2,
}

/// <summary>
/// Standardisation, <c>(x − mean) / std</c>, per feature (rank-1 input) or per channel (rank-3 input).
/// Kept as visible <c>Sub</c> and <c>Div</c> nodes in ONNX, with initializers <c>&lt;prefix&gt;.mean</c> and <c>&lt;prefix&gt;.std</c>,
/// so a manifest's scaling parameters can be checked against the graph. The values are buffers, not trained.
/// </summary>
/// <param name="Mean">One mean per feature or channel.</param>
/// <param name="Std">One standard deviation per feature or channel; each must be positive.</param>
public sealed record StandardizeSpec(IReadOnlyList<float> Mean, IReadOnlyList<float> Std) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (Mean.Count != Std.Count)
        {
            throw new ArgumentException($"Standardize: {Mean.Count} means but {Std.Count} standard deviations.");
        }

        for (int i = 0; i < Std.Count; i++)
        {
            if (!(Std[i] > 0) || !float.IsFinite(Std[i]) || !float.IsFinite(Mean[i]))
            {
                throw new ArgumentException($"Standardize: entry {i} has mean {Mean[i]} and std {Std[i]}; std must be positive and both finite.");
            }
        }

        long expected = inputShape.Count switch
        {
            1 => inputShape[0],
            3 => inputShape[0],
            _ => throw new ArgumentException($"Standardize needs a per-sample input of rank 1 or 3, got [{string.Join(", ", inputShape)}]."),
        };
        if (Mean.Count != expected)
        {
            throw new ArgumentException($"Standardize has {Mean.Count} entries but the input has {expected} {(inputShape.Count == 1 ? "features" : "channels")}.");
        }

        return [.. inputShape];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        long[] shape = inputShape.Count == 1 ? [Mean.Count] : [Mean.Count, 1, 1];
        return new StandardizeModule(Mean.ToArray(), Std.ToArray(), shape);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix)
    {
        var standardize = (StandardizeModule)module;
        string mean = TensorExport.AddInitializer(graph, $"{prefix}.mean", standardize.MeanBuffer);
        string std = TensorExport.AddInitializer(graph, $"{prefix}.std", standardize.StdBuffer);
        string centred = graph.AddNode("Sub", $"{prefix}/Sub", [input, mean]);
        return graph.AddNode("Div", $"{prefix}/Div", [centred, std]);
    }
}

/// <summary>A fully connected layer, <c>y = x·Wᵀ + b</c>; ONNX <c>Gemm</c> with <c>transB = 1</c>.</summary>
/// <param name="InFeatures">The input width.</param>
/// <param name="OutFeatures">The output width.</param>
/// <param name="Bias">Whether the layer has a bias.</param>
public sealed record LinearSpec(int InFeatures, int OutFeatures, bool Bias = true) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        RequireRank(inputShape, 1, "Linear");
        if (inputShape[0] != InFeatures)
        {
            throw new ArgumentException($"Linear({InFeatures} → {OutFeatures}) got {inputShape[0]} input features.");
        }

        return [OutFeatures];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return nn.Linear(InFeatures, OutFeatures, hasBias: Bias);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix)
    {
        var linear = (TorchSharp.Modules.Linear)module;
        string weight = TensorExport.AddInitializer(graph, $"{prefix}.weight", linear.weight!);
        var inputs = new List<string> { input, weight };
        if (linear.bias is not null)
        {
            inputs.Add(TensorExport.AddInitializer(graph, $"{prefix}.bias", linear.bias));
        }

        return graph.AddNode("Gemm", $"{prefix}/Gemm", inputs, OnnxAttributes.Int("transB", 1));
    }
}

/// <summary>An element-wise activation (or softmax over features).</summary>
/// <param name="Kind">The function.</param>
/// <param name="NegativeSlope">The slope for negative inputs; used only by <see cref="Activation.LeakyRelu"/>.</param>
public sealed record ActivationSpec(Activation Kind, double NegativeSlope = 0.01) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (Kind == Activation.Softmax)
        {
            RequireRank(inputShape, 1, "Softmax");
        }

        return [.. inputShape];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return Kind switch
        {
            Activation.Relu => nn.ReLU(),
            Activation.LeakyRelu => nn.LeakyReLU(NegativeSlope),
            Activation.Tanh => nn.Tanh(),
            Activation.Sigmoid => nn.Sigmoid(),
            Activation.Softmax => nn.Softmax(1),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown activation."),
        };
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) => Kind switch
    {
        Activation.Relu => graph.AddNode("Relu", $"{prefix}/Relu", [input]),
        Activation.LeakyRelu => graph.AddNode("LeakyRelu", $"{prefix}/LeakyRelu", [input], OnnxAttributes.Float("alpha", (float)NegativeSlope)),
        Activation.Tanh => graph.AddNode("Tanh", $"{prefix}/Tanh", [input]),
        Activation.Sigmoid => graph.AddNode("Sigmoid", $"{prefix}/Sigmoid", [input]),
        Activation.Softmax => graph.AddNode("Softmax", $"{prefix}/Softmax", [input], OnnxAttributes.Int("axis", 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown activation."),
    };
}

/// <summary>Dropout while training; the identity in evaluation, so it adds no ONNX node.</summary>
/// <param name="Probability">The probability of zeroing an element while training.</param>
public sealed record DropoutSpec(double Probability) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (Probability is < 0 or >= 1)
        {
            throw new ArgumentException($"Dropout probability {Probability} is outside [0, 1).");
        }

        return [.. inputShape];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return nn.Dropout(Probability);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) => input;
}

/// <summary>A square 2-D convolution with zero padding; ONNX <c>Conv</c>.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels (filters).</param>
/// <param name="KernelSize">The kernel's side.</param>
/// <param name="Stride">The stride in both directions.</param>
/// <param name="Padding">Zero padding on every side.</param>
/// <param name="Bias">Whether the layer has a bias.</param>
public sealed record Conv2dSpec(int InChannels, int OutChannels, int KernelSize, int Stride = 1, int Padding = 0, bool Bias = true) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        RequireRank(inputShape, 3, "Conv2d");
        if (inputShape[0] != InChannels)
        {
            throw new ArgumentException($"Conv2d({InChannels} → {OutChannels}) got {inputShape[0]} input channels.");
        }

        if (KernelSize <= 0 || Stride <= 0 || Padding < 0)
        {
            throw new ArgumentException($"Conv2d: kernel {KernelSize}, stride {Stride}, padding {Padding} are not valid.");
        }

        return [OutChannels, PooledLength(inputShape[1], KernelSize, Stride, Padding, "Conv2d"), PooledLength(inputShape[2], KernelSize, Stride, Padding, "Conv2d")];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return nn.Conv2d(InChannels, OutChannels, KernelSize, stride: Stride, padding: Padding, bias: Bias);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) =>
        EmitConv(graph, input, (TorchSharp.Modules.Conv2d)module, prefix, KernelSize, Stride, Padding);

    internal static string EmitConv(OnnxGraphBuilder graph, string input, TorchSharp.Modules.Conv2d conv, string prefix, long kernel, long stride, long padding)
    {
        string weight = TensorExport.AddInitializer(graph, $"{prefix}.weight", conv.weight!);
        var inputs = new List<string> { input, weight };
        if (conv.bias is not null)
        {
            inputs.Add(TensorExport.AddInitializer(graph, $"{prefix}.bias", conv.bias));
        }

        return graph.AddNode(
            "Conv",
            $"{prefix}/Conv",
            inputs,
            OnnxAttributes.Ints("kernel_shape", kernel, kernel),
            OnnxAttributes.Ints("strides", stride, stride),
            OnnxAttributes.Ints("pads", padding, padding, padding, padding),
            OnnxAttributes.Ints("dilations", 1, 1),
            OnnxAttributes.Int("group", 1));
    }
}

/// <summary>Batch normalisation over channels; uses running statistics in evaluation. ONNX <c>BatchNormalization</c>.</summary>
/// <param name="Channels">The number of channels.</param>
/// <param name="Epsilon">Added to the variance.</param>
/// <param name="Momentum">The running-statistics momentum while training (PyTorch convention).</param>
public sealed record BatchNorm2dSpec(int Channels, double Epsilon = 1e-5, double Momentum = 0.1) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        RequireRank(inputShape, 3, "BatchNorm2d");
        if (inputShape[0] != Channels)
        {
            throw new ArgumentException($"BatchNorm2d({Channels}) got {inputShape[0]} channels.");
        }

        return [.. inputShape];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return nn.BatchNorm2d(Channels, Epsilon, Momentum);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) =>
        EmitBatchNorm(graph, input, (TorchSharp.Modules.BatchNorm2d)module, prefix);

    internal static string EmitBatchNorm(OnnxGraphBuilder graph, string input, TorchSharp.Modules.BatchNorm2d norm, string prefix)
    {
        string scale = TensorExport.AddInitializer(graph, $"{prefix}.weight", norm.weight!);
        string bias = TensorExport.AddInitializer(graph, $"{prefix}.bias", norm.bias!);
        string mean = TensorExport.AddInitializer(graph, $"{prefix}.running_mean", norm.running_mean!);
        string variance = TensorExport.AddInitializer(graph, $"{prefix}.running_var", norm.running_var!);
        return graph.AddNode(
            "BatchNormalization",
            $"{prefix}/BatchNormalization",
            [input, scale, bias, mean, variance],
            OnnxAttributes.Float("epsilon", (float)norm.eps));
    }
}

/// <summary>Square max pooling; ONNX <c>MaxPool</c>.</summary>
/// <param name="KernelSize">The window's side.</param>
/// <param name="Stride">The stride; <see langword="null"/> means the kernel size (the PyTorch default).</param>
/// <param name="Padding">Implicit −∞ padding on every side.</param>
public sealed record MaxPool2dSpec(int KernelSize, int? Stride = null, int Padding = 0) : LayerSpec
{
    private int EffectiveStride => Stride ?? KernelSize;

    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        RequireRank(inputShape, 3, "MaxPool2d");
        if (KernelSize <= 0 || EffectiveStride <= 0 || Padding < 0 || Padding * 2 > KernelSize)
        {
            throw new ArgumentException($"MaxPool2d: kernel {KernelSize}, stride {EffectiveStride}, padding {Padding} are not valid.");
        }

        return [inputShape[0], PooledLength(inputShape[1], KernelSize, EffectiveStride, Padding, "MaxPool2d"), PooledLength(inputShape[2], KernelSize, EffectiveStride, Padding, "MaxPool2d")];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return nn.MaxPool2d(KernelSize, EffectiveStride, Padding);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) =>
        graph.AddNode(
            "MaxPool",
            $"{prefix}/MaxPool",
            [input],
            OnnxAttributes.Ints("kernel_shape", KernelSize, KernelSize),
            OnnxAttributes.Ints("strides", EffectiveStride, EffectiveStride),
            OnnxAttributes.Ints("pads", Padding, Padding, Padding, Padding));
}

/// <summary>Reduces each channel to 1×1: TorchSharp adaptive pooling to 1×1, ONNX <c>GlobalMaxPool</c>/<c>GlobalAveragePool</c>.</summary>
/// <param name="Kind">Maximum or mean.</param>
public sealed record GlobalPoolSpec(GlobalPool Kind) : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        RequireRank(inputShape, 3, "GlobalPool");
        return [inputShape[0], 1, 1];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);

        // AdaptiveMaxPool2d(1) does not compile against TorchSharp 0.107; the long[] overload does.
        return Kind switch
        {
            GlobalPool.Max => nn.AdaptiveMaxPool2d(new long[] { 1, 1 }),
            GlobalPool.Average => nn.AdaptiveAvgPool2d(new long[] { 1, 1 }),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown pooling."),
        };
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) => Kind switch
    {
        GlobalPool.Max => graph.AddNode("GlobalMaxPool", $"{prefix}/GlobalMaxPool", [input]),
        GlobalPool.Average => graph.AddNode("GlobalAveragePool", $"{prefix}/GlobalAveragePool", [input]),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown pooling."),
    };
}

/// <summary>Flattens each sample to one dimension; ONNX <c>Flatten</c> with axis 1.</summary>
public sealed record FlattenSpec : LayerSpec
{
    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        long size = 1;
        foreach (long dim in inputShape)
        {
            size *= dim;
        }

        return [size];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape) => nn.Flatten();

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix) =>
        graph.AddNode("Flatten", $"{prefix}/Flatten", [input], OnnxAttributes.Int("axis", 1));
}

/// <summary>
/// A ResNet basic block: 3×3 conv (stride <paramref name="Stride"/>) → BN → ReLU → 3×3 conv → BN, plus a shortcut
/// (the identity, or 1×1 conv with that stride → BN when the shape changes), added and passed through ReLU.
/// Convolutions have no bias, as in torchvision's ResNet.
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Stride">The first convolution's (and the shortcut's) stride.</param>
public sealed record ResidualBlockSpec(int InChannels, int OutChannels, int Stride = 1) : LayerSpec
{
    /// <summary>Gets a value indicating whether the shortcut needs a projection (1×1 conv + BN).</summary>
    public bool HasProjection => Stride != 1 || InChannels != OutChannels;

    /// <inheritdoc/>
    public override long[] OutputShape(IReadOnlyList<long> inputShape)
    {
        RequireRank(inputShape, 3, "ResidualBlock");
        if (inputShape[0] != InChannels)
        {
            throw new ArgumentException($"ResidualBlock({InChannels} → {OutChannels}) got {inputShape[0]} channels.");
        }

        if (Stride <= 0)
        {
            throw new ArgumentException($"ResidualBlock: stride {Stride} is not valid.");
        }

        return [OutChannels, PooledLength(inputShape[1], 3, Stride, 1, "ResidualBlock"), PooledLength(inputShape[2], 3, Stride, 1, "ResidualBlock")];
    }

    internal override nn.Module<Tensor, Tensor> CreateModule(IReadOnlyList<long> inputShape)
    {
        OutputShape(inputShape);
        return new ResidualBlockModule(InChannels, OutChannels, Stride, HasProjection);
    }

    internal override string Emit(OnnxGraphBuilder graph, string input, nn.Module<Tensor, Tensor> module, string prefix)
    {
        var block = (ResidualBlockModule)module;
        string x = Conv2dSpec.EmitConv(graph, input, block.Conv1, $"{prefix}.conv1", 3, Stride, 1);
        x = BatchNorm2dSpec.EmitBatchNorm(graph, x, block.Bn1, $"{prefix}.bn1");
        x = graph.AddNode("Relu", $"{prefix}/Relu1", [x]);
        x = Conv2dSpec.EmitConv(graph, x, block.Conv2, $"{prefix}.conv2", 3, 1, 1);
        x = BatchNorm2dSpec.EmitBatchNorm(graph, x, block.Bn2, $"{prefix}.bn2");
        string shortcut = input;
        if (block.ShortcutConv is not null && block.ShortcutBn is not null)
        {
            shortcut = Conv2dSpec.EmitConv(graph, input, block.ShortcutConv, $"{prefix}.shortcut_conv", 1, Stride, 0);
            shortcut = BatchNorm2dSpec.EmitBatchNorm(graph, shortcut, block.ShortcutBn, $"{prefix}.shortcut_bn");
        }

        string sum = graph.AddNode("Add", $"{prefix}/Add", [x, shortcut]);
        return graph.AddNode("Relu", $"{prefix}/Relu2", [sum]);
    }
}
