namespace Astro.Ml.Models;

/// <summary>An output head: layers applied to the trunk's output, producing one named output.</summary>
/// <param name="Name">The output's name (also the ONNX graph output's name unless heads are concatenated).</param>
/// <param name="Layers">The head's layers, applied in order; may be empty.</param>
public sealed record HeadSpec(string Name, IReadOnlyList<LayerSpec> Layers);

/// <summary>A named model output and its per-sample shape.</summary>
/// <param name="Name">The output's name.</param>
/// <param name="Shape">The per-sample shape (the batch dimension comes first and is not listed).</param>
public sealed record OutputSpec(string Name, IReadOnlyList<long> Shape);

/// <summary>
/// A whole model by value: a per-sample input shape, a trunk of layers and optionally several heads.
/// <see cref="SpecModel"/> builds the TorchSharp module from it; <see cref="Onnx.OnnxExporter"/> the ONNX graph.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Gets the model's name (the ONNX graph name).</summary>
    /// <value>The default value is <c>model</c>.</value>
    public string Name { get; init; } = "model";

    /// <summary>Gets the input's name.</summary>
    /// <value>The default value is <c>input</c>.</value>
    public string InputName { get; init; } = "input";

    /// <summary>Gets the per-sample input shape: <c>[features]</c> or <c>[channels, height, width]</c>.</summary>
    public required IReadOnlyList<long> InputShape { get; init; }

    /// <summary>Gets the trunk's layers, applied in order.</summary>
    public required IReadOnlyList<LayerSpec> Layers { get; init; }

    /// <summary>Gets the output heads. Empty means one output, the trunk's, called <see cref="OutputName"/>.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<HeadSpec> Heads { get; init; } = [];

    /// <summary>Gets the name of the single output (used when there are no heads, or when they are concatenated).</summary>
    /// <value>The default value is <c>output</c>.</value>
    public string OutputName { get; init; } = "output";

    /// <summary>
    /// Gets a value indicating whether the heads' outputs are concatenated along the feature dimension into one output
    /// called <see cref="OutputName"/> (rank-1 heads only). Otherwise each head is its own output.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ConcatenateHeads { get; init; }

    /// <summary>Builds a multilayer perceptron spec: optional standardisation, hidden layers with an activation, a linear output.</summary>
    /// <param name="inputs">The number of input features.</param>
    /// <param name="hidden">The hidden layers' widths, e.g. <c>[44, 66, 66]</c>.</param>
    /// <param name="outputs">The output width.</param>
    /// <param name="activation">The hidden activation.</param>
    /// <param name="mean">Per-feature means for standardisation, or <see langword="null"/> for none.</param>
    /// <param name="std">Per-feature standard deviations (required with <paramref name="mean"/>).</param>
    /// <param name="dropout">Dropout after each hidden activation; 0 for none.</param>
    public static ModelSpec Mlp(int inputs, IReadOnlyList<int> hidden, int outputs, Activation activation = Activation.Relu, IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null, double dropout = 0)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var layers = new List<LayerSpec>();
        if (mean is not null || std is not null)
        {
            layers.Add(new StandardizeSpec(mean ?? throw new ArgumentNullException(nameof(mean)), std ?? throw new ArgumentNullException(nameof(std))));
        }

        int width = inputs;
        foreach (int next in hidden)
        {
            layers.Add(new LinearSpec(width, next));
            layers.Add(new ActivationSpec(activation));
            if (dropout > 0)
            {
                layers.Add(new DropoutSpec(dropout));
            }

            width = next;
        }

        layers.Add(new LinearSpec(width, outputs));
        return new ModelSpec { Name = "mlp", InputShape = [inputs], Layers = layers };
    }

    /// <summary>Checks every layer against the shape it receives and returns the model's outputs.</summary>
    /// <exception cref="ArgumentException">A layer does not fit its input, or names clash.</exception>
    public IReadOnlyList<OutputSpec> ResolveOutputs()
    {
        ArgumentNullException.ThrowIfNull(InputShape);
        ArgumentNullException.ThrowIfNull(Layers);
        ArgumentException.ThrowIfNullOrEmpty(InputName);
        ArgumentException.ThrowIfNullOrEmpty(OutputName);
        if (InputShape.Count == 0 || InputShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"The input shape [{string.Join(", ", InputShape)}] must be non-empty and positive.");
        }

        long[] trunk = ShapeAfter(Layers, InputShape, "trunk");
        if (Heads.Count == 0)
        {
            CheckName(OutputName);
            return [new OutputSpec(OutputName, trunk)];
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var outputs = new List<OutputSpec>();
        foreach (HeadSpec head in Heads)
        {
            ArgumentException.ThrowIfNullOrEmpty(head.Name);
            CheckName(head.Name);
            if (!names.Add(head.Name))
            {
                throw new ArgumentException($"Two heads are named '{head.Name}'.");
            }

            outputs.Add(new OutputSpec(head.Name, ShapeAfter(head.Layers, trunk, $"head '{head.Name}'")));
        }

        if (!ConcatenateHeads)
        {
            return outputs;
        }

        if (outputs.Any(o => o.Shape.Count != 1))
        {
            throw new ArgumentException("Only rank-1 (per-sample) head outputs can be concatenated.");
        }

        CheckName(OutputName);
        return [new OutputSpec(OutputName, [outputs.Sum(o => o.Shape[0])])];
    }

    private void CheckName(string name)
    {
        if (name == InputName)
        {
            throw new ArgumentException($"An output cannot share the input's name '{name}'.");
        }
    }

    private static long[] ShapeAfter(IReadOnlyList<LayerSpec> layers, IReadOnlyList<long> shape, string where)
    {
        long[] current = [.. shape];
        for (int i = 0; i < layers.Count; i++)
        {
            try
            {
                current = layers[i].OutputShape(current);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Layer {i} of the {where} ({layers[i].GetType().Name}): {ex.Message}", ex);
            }
        }

        return current;
    }
}
