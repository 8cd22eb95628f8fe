using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Astro.Ml.Models;

/// <summary><c>(x − mean) / std</c> with <c>mean</c> and <c>std</c> held as (persistent) buffers.</summary>
internal sealed class StandardizeModule : nn.Module<Tensor, Tensor>
{
    public StandardizeModule(float[] mean, float[] std, long[] shape)
        : base(nameof(StandardizeModule))
    {
        register_buffer("mean", tensor(mean).reshape(shape));
        register_buffer("std", tensor(std).reshape(shape));
    }

    public Tensor MeanBuffer => get_buffer("mean")!;

    public Tensor StdBuffer => get_buffer("std")!;

    public override Tensor forward(Tensor input)
    {
        using Tensor centred = input - MeanBuffer;
        return centred / StdBuffer;
    }
}

/// <summary>The ResNet basic block described by <see cref="ResidualBlockSpec"/>.</summary>
/// <remarks>
/// TorchSharp registers a submodule's fields by reflection when it is added to a parent; <c>[field: ComponentName]</c>
/// gives the backing fields the names registered here, so parameters are not listed twice under compiler names.
/// </remarks>
internal sealed class ResidualBlockModule : nn.Module<Tensor, Tensor>
{
    public ResidualBlockModule(long inChannels, long outChannels, long stride, bool projection)
        : base(nameof(ResidualBlockModule))
    {
        Conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        Bn1 = nn.BatchNorm2d(outChannels);
        Conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        Bn2 = nn.BatchNorm2d(outChannels);
        register_module("conv1", Conv1);
        register_module("bn1", Bn1);
        register_module("conv2", Conv2);
        register_module("bn2", Bn2);
        if (projection)
        {
            ShortcutConv = nn.Conv2d(inChannels, outChannels, 1, stride: stride, padding: 0L, bias: false);
            ShortcutBn = nn.BatchNorm2d(outChannels);
            register_module("shortcut_conv", ShortcutConv);
            register_module("shortcut_bn", ShortcutBn);
        }
    }

    [field: ComponentName(Name = "conv1")]
    public Conv2d Conv1 { get; }

    [field: ComponentName(Name = "bn1")]
    public BatchNorm2d Bn1 { get; }

    [field: ComponentName(Name = "conv2")]
    public Conv2d Conv2 { get; }

    [field: ComponentName(Name = "bn2")]
    public BatchNorm2d Bn2 { get; }

    [field: ComponentName(Name = "shortcut_conv")]
    public Conv2d? ShortcutConv { get; }

    [field: ComponentName(Name = "shortcut_bn")]
    public BatchNorm2d? ShortcutBn { get; }

    public override Tensor forward(Tensor input)
    {
        using Tensor a = Conv1.call(input);
        using Tensor b = Bn1.call(a);
        using Tensor c = nn.functional.relu(b);
        using Tensor d = Conv2.call(c);
        using Tensor e = Bn2.call(d);
        Tensor sum;
        if (ShortcutConv is not null && ShortcutBn is not null)
        {
            using Tensor s1 = ShortcutConv.call(input);
            using Tensor s2 = ShortcutBn.call(s1);
            sum = e + s2;
        }
        else
        {
            sum = e + input;
        }

        using (sum)
        {
            return nn.functional.relu(sum);
        }
    }
}

/// <summary>Copies tensors out of TorchSharp into ONNX initializers.</summary>
internal static class TensorExport
{
    public static string AddInitializer(Astro.Onnx.OnnxGraphBuilder graph, string name, Tensor value)
    {
        using var scope = NewDisposeScope();
        Tensor cpu = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        float[] data = cpu.data<float>().ToArray();
        return graph.AddInitializer(name, data, cpu.shape);
    }
}
