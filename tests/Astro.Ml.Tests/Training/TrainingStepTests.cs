using Astro.Ml.Models;
using Astro.Ml.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Ml.Tests.Training;

public sealed class TrainingStepTests
{
    [Fact]
    public void TrainingStep_LeavesNoLiveTensorsBehind()
    {
        TorchSetup.Initialize(TorchWorkload.Mlp);
        TorchSetup.Seed(5);
        using var model = new SpecModel(TestModels.Mlp());
        model.train();
        using optim.Optimizer optimizer = optim.Adam(model.parameters(), 1e-2);
        using Tensor x = tensor(TestModels.RandomRows(9, 64 * 22), [64, 22]);
        using Tensor y = tensor(TestModels.RandomRows(10, 64), [64, 1]);

        // The first step creates Adam's moment buffers, which legitimately live on.
        float first = TrainingStep.Run(model, optimizer, x, y, (p, t) => nn.functional.mse_loss(p, t));
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        float last = first;
        for (int i = 0; i < 20; i++)
        {
            last = TrainingStep.Run(model, optimizer, x, y, (p, t) => nn.functional.mse_loss(p, t));
        }

        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
        Assert.True(last < first, $"loss did not fall: {first} → {last}");
    }

    [Fact]
    public void StepWithoutScope_IsSeenLeaking()
    {
        // Negative control: the same work without a dispose scope leaves tensors alive, and the counter sees it.
        TorchSetup.Initialize(TorchWorkload.Mlp);
        using var model = new SpecModel(TestModels.Mlp());
        using Tensor x = tensor(TestModels.RandomRows(9, 8 * 22), [8, 22]);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Tensor leaked = model.call(x).sum();
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.True(after > before, $"live count {before} → {after}");
        leaked.Dispose();
    }

    [Fact]
    public void HeteroscedasticModel_TrainsWithGaussianNll()
    {
        TorchSetup.Initialize(TorchWorkload.Mlp);
        TorchSetup.Seed(11);
        var spec = TestModels.Heteroscedastic(concatenate: false) with
        {
            Heads = [new HeadSpec("mean", [new LinearSpec(32, 1)]), new HeadSpec("log_var", [new LinearSpec(32, 1)])],
        };
        using var model = new SpecModel(spec);
        model.train();
        using optim.Optimizer optimizer = optim.Adam(model.parameters(), 1e-2);
        using Tensor x = tensor(TestModels.RandomRows(12, 128 * 10), [128, 10]);
        using Tensor y = x[.., 0..1].mul(0.5).add(1);

        // forward() concatenates [mean, log_var] along dimension 1.
        Tensor Loss(Tensor output, Tensor target) => TrainingStep.GaussianNll(output[.., 0..1], output[.., 1..2], target);
        float first = TrainingStep.Run(model, optimizer, x, y, Loss);
        float last = first;
        for (int i = 0; i < 50; i++)
        {
            last = TrainingStep.Run(model, optimizer, x, y, Loss);
        }

        Assert.True(last < first - 0.1, $"NLL did not fall: {first} → {last}");
    }

    [Fact]
    public void Initialize_SetsThreadsPerWorkload()
    {
        TorchEnvironment mlp = TorchSetup.Initialize(TorchWorkload.Mlp);
        Assert.Equal(1, mlp.Threads);
        Assert.Equal(1, torch.get_num_threads());
        Assert.Equal(DeviceType.CPU, mlp.Device.type);
        TorchEnvironment cnn = TorchSetup.Initialize(TorchWorkload.Cnn);
        Assert.Equal(Environment.ProcessorCount, cnn.Threads);
        Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
        TorchSetup.Initialize(TorchWorkload.Mlp);
    }
}
