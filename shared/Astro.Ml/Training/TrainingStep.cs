using static TorchSharp.torch;

namespace Astro.Ml.Training;

/// <summary>One optimisation step whose every intermediate tensor is released before it returns.</summary>
public static class TrainingStep
{
    /// <summary>
    /// Runs forward, loss, backward and the optimiser step inside a dispose scope, and returns the loss value.
    /// </summary>
    /// <param name="model">The model (put in training mode by the caller).</param>
    /// <param name="optimizer">The optimiser over the model's parameters.</param>
    /// <param name="inputs">A batch of inputs.</param>
    /// <param name="targets">The matching targets.</param>
    /// <param name="loss">Computes a scalar loss from the model's output and the targets.</param>
    /// <returns>The loss before the step.</returns>
    public static float Run(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor inputs, Tensor targets, Func<Tensor, Tensor, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(loss);
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Tensor output = model.call(inputs);
        Tensor value = loss(output, targets);
        value.backward();
        optimizer.step();
        return value.item<float>();
    }

    /// <summary>The Gaussian negative log-likelihood (without the constant) for a mean head and a log-variance head.</summary>
    /// <returns>The mean over the batch of <c>½·(logσ² + (y − μ)² / σ²)</c>.</returns>
    public static Tensor GaussianNll(Tensor mean, Tensor logVariance, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor squared = (target - mean).square();
        Tensor perSample = 0.5 * (logVariance + (squared * (-logVariance).exp()));
        return perSample.mean().MoveToOuterDisposeScope();
    }
}
