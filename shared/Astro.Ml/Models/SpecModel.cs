using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Astro.Ml.Models;

/// <summary>
/// The TorchSharp module built from a <see cref="ModelSpec"/>. Parameter and buffer names follow the spec:
/// <c>layers.{i}.weight</c> for the trunk and <c>head_{name}.{i}.weight</c> for heads, and the ONNX exporter
/// names its initializers the same way, so <c>state_dict()</c> keys and ONNX initializers correspond one to one.
/// </summary>
public sealed class SpecModel : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _layers;
    private readonly List<ModuleList<nn.Module<Tensor, Tensor>>> _heads = [];

    /// <summary>Initializes a new instance of the <see cref="SpecModel"/> class with freshly initialised parameters.</summary>
    /// <param name="spec">The model description; validated here.</param>
    /// <exception cref="ArgumentException">The spec is inconsistent (see <see cref="ModelSpec.ResolveOutputs"/>).</exception>
    public SpecModel(ModelSpec spec)
        : base((spec ?? throw new ArgumentNullException(nameof(spec))).Name)
    {
        Outputs = spec.ResolveOutputs();
        Spec = spec;
        _layers = Build(spec.Layers, spec.InputShape, out long[] trunkShape);
        register_module("layers", _layers);
        foreach (HeadSpec head in spec.Heads)
        {
            ModuleList<nn.Module<Tensor, Tensor>> modules = Build(head.Layers, trunkShape, out _);
            register_module($"head_{head.Name}", modules);
            _heads.Add(modules);
        }
    }

    /// <summary>Gets the description the model was built from.</summary>
    public ModelSpec Spec { get; }

    /// <summary>Gets the model's outputs (names and per-sample shapes), as exported to ONNX.</summary>
    public IReadOnlyList<OutputSpec> Outputs { get; }

    /// <summary>
    /// Runs the model and returns one tensor: the trunk's output when there are no heads, otherwise the heads'
    /// outputs concatenated along dimension 1 (in head order), whether or not the spec exports them concatenated.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        if (_heads.Count == 0)
        {
            return RunSequence(_layers, input);
        }

        IReadOnlyList<Tensor> heads = ForwardHeads(input);
        if (heads.Count == 1)
        {
            return heads[0];
        }

        try
        {
            return cat([.. heads], 1);
        }
        finally
        {
            foreach (Tensor head in heads)
            {
                head.Dispose();
            }
        }
    }

    /// <summary>Runs the model and returns each head's output separately (the trunk's output alone when there are no heads).</summary>
    public IReadOnlyList<Tensor> ForwardHeads(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor trunk = RunSequence(_layers, input);
        if (_heads.Count == 0)
        {
            return [trunk];
        }

        var outputs = new List<Tensor>(_heads.Count);
        foreach (ModuleList<nn.Module<Tensor, Tensor>> head in _heads)
        {
            outputs.Add(RunSequence(head, trunk));
        }

        trunk.Dispose();

        return outputs;
    }

    internal nn.Module<Tensor, Tensor> Layer(int index) => _layers[index];

    internal nn.Module<Tensor, Tensor> HeadLayer(int head, int index) => _heads[head][index];

    private static ModuleList<nn.Module<Tensor, Tensor>> Build(IReadOnlyList<LayerSpec> layers, IReadOnlyList<long> inputShape, out long[] outputShape)
    {
        var modules = new ModuleList<nn.Module<Tensor, Tensor>>();
        long[] shape = [.. inputShape];
        foreach (LayerSpec layer in layers)
        {
            modules.Add(layer.CreateModule(shape));
            shape = layer.OutputShape(shape);
        }

        outputShape = shape;
        return modules;
    }

    // Runs modules in order, disposing each intermediate once the next module has consumed it. Never disposes
    // the caller's input and never returns it: an empty sequence (or a pass-through) yields a new alias.
    private static Tensor RunSequence(ModuleList<nn.Module<Tensor, Tensor>> modules, Tensor input)
    {
        Tensor current = input;
        foreach (nn.Module<Tensor, Tensor> module in modules)
        {
            Tensor next = module.call(current);
            if (!ReferenceEquals(current, input) && !ReferenceEquals(next, current))
            {
                current.Dispose();
            }

            current = next;
        }

        return ReferenceEquals(current, input) ? input.alias() : current;
    }
}
