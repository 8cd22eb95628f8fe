using Astro.Ml.Models;
using static TorchSharp.torch;

namespace Astro.Ml.Training;

/// <summary>Snapshots of a model's weights for early stopping (keep the best epoch's, restore them at the end).</summary>
internal static class ModelState
{
    /// <summary>Detached copies of every tensor of the state dict.</summary>
    public static Dictionary<string, Tensor> Clone(SpecModel model)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in model.state_dict())
        {
            state[key] = value.detach().clone();
        }

        return state;
    }

    /// <summary>Releases a snapshot's native memory.</summary>
    public static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null)
        {
            return;
        }

        foreach (Tensor t in state.Values)
        {
            t.Dispose();
        }
    }
}
