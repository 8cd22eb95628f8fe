using Astro.Ml.Models;

namespace Astro.Ml.Images;

/// <summary>The image networks.</summary>
public enum ImageArchitecture
{
    /// <summary>
    /// Paper 003's custom network: 69×69 input; conv 32 5×5, 64 4×4, 128 3×3, 128 3×3 (no padding, ReLU); 2×2 max-pool and
    /// dropout after the first three; global max pool; dense 512 (ReLU); dense N.
    /// </summary>
    Custom = 1,

    /// <summary>
    /// A small ResNet: 5×5 stride-2 stem (32) + BN + ReLU, basic blocks 32, 64 (stride 2), 128 (stride 2), global average
    /// pool, dense 512 (ReLU), dropout, dense N.
    /// </summary>
    ResNet = 2,
}

/// <summary>What the network's last layers predict.</summary>
public enum ImageHeadKind
{
    /// <summary>One or more continuous targets (linear output); trained with paper 003's error-weighted L1 loss.</summary>
    Regression = 1,

    /// <summary>Galaxy Zoo answer probabilities through <see cref="AnswerProbabilitySpec"/>; trained with the L2 loss (paper 003).</summary>
    AnswerProbabilities = 2,
}

/// <summary>Builds the <see cref="ModelSpec"/>s of the image networks.</summary>
/// <remarks>
/// The trunk ends with the penultimate dense layer's activations (the features of paper 003's second stage); the head
/// <c>output</c> holds the last dense layer (and the normalisation layer for answer probabilities).
/// </remarks>
public static class ImageArchitectures
{
    /// <summary>The width of the penultimate dense layer (the CNN features).</summary>
    public const int FeatureWidth = 512;

    /// <summary>The name of the output head.</summary>
    public const string OutputHead = "output";

    /// <summary>Builds a network spec.</summary>
    /// <param name="architecture">The network.</param>
    /// <param name="bands">Input channels.</param>
    /// <param name="size">Input side in pixels (69 for paper 003's network; must leave the convolutions room).</param>
    /// <param name="outputs">Regression targets (ignored for answer probabilities, where the tree decides).</param>
    /// <param name="tree">The answer tree for <see cref="ImageHeadKind.AnswerProbabilities"/>, else null.</param>
    /// <param name="dropout">The dropout probability after the pooling layers (custom) or before the last dense layer (ResNet).</param>
    /// <exception cref="ArgumentException">The size is too small or the head does not fit.</exception>
    public static ModelSpec Create(ImageArchitecture architecture, int bands, int size, int outputs, AnswerTree? tree, double dropout)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bands);
        int width = tree?.AnswerCount ?? outputs;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width, nameof(outputs));
        List<LayerSpec> trunk = architecture switch
        {
            ImageArchitecture.Custom => Custom(bands, dropout),
            ImageArchitecture.ResNet => ResNet(bands),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Unknown architecture."),
        };

        var head = new List<LayerSpec>();
        if (architecture == ImageArchitecture.ResNet && dropout > 0)
        {
            head.Add(new DropoutSpec(dropout));
        }

        head.Add(new LinearSpec(FeatureWidth, width));
        if (tree is not null)
        {
            head.Add(new AnswerProbabilitySpec(tree));
        }

        var spec = new ModelSpec
        {
            Name = architecture == ImageArchitecture.Custom ? "cnn003" : "resnet",
            InputShape = [bands, size, size],
            Layers = trunk,
            Heads = [new HeadSpec(OutputHead, head)],
        };
        spec.ResolveOutputs();
        return spec;
    }

    private static List<LayerSpec> Custom(int bands, double dropout)
    {
        var layers = new List<LayerSpec>();
        (int In, int Out, int Kernel)[] convs = [(bands, 32, 5), (32, 64, 4), (64, 128, 3), (128, 128, 3)];
        for (int i = 0; i < convs.Length; i++)
        {
            layers.Add(new Conv2dSpec(convs[i].In, convs[i].Out, convs[i].Kernel));
            layers.Add(new ActivationSpec(Activation.Relu));
            if (i < 3)
            {
                layers.Add(new MaxPool2dSpec(2));
                if (dropout > 0)
                {
                    layers.Add(new DropoutSpec(dropout));
                }
            }
        }

        layers.Add(new GlobalPoolSpec(GlobalPool.Max));
        layers.Add(new FlattenSpec());
        layers.Add(new LinearSpec(128, FeatureWidth));
        layers.Add(new ActivationSpec(Activation.Relu));
        return layers;
    }

    private static List<LayerSpec> ResNet(int bands) =>
    [
        new Conv2dSpec(bands, 32, 5, Stride: 2, Padding: 2, Bias: false),
        new BatchNorm2dSpec(32),
        new ActivationSpec(Activation.Relu),
        new ResidualBlockSpec(32, 32),
        new ResidualBlockSpec(32, 64, 2),
        new ResidualBlockSpec(64, 128, 2),
        new GlobalPoolSpec(GlobalPool.Average),
        new FlattenSpec(),
        new LinearSpec(128, FeatureWidth),
        new ActivationSpec(Activation.Relu),
    ];
}
