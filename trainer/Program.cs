using System.CommandLine;
using Astro.Trainer.Commands;

namespace Astro.Trainer;

/// <summary>The <c>astro</c> command line: FITS tools now; training, evaluation, prediction and the worker as they arrive.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Astro: FITS tools, photometric and image models for survey data.");
        root.Subcommands.Add(FitsCommands.Create());
        root.Subcommands.Add(BenchCommands.Create());
        root.Subcommands.Add(PredictCommands.Create());
        root.Subcommands.Add(TrainCommands.Create());
        root.Subcommands.Add(EvaluateCommands.Create());
        root.Subcommands.Add(CutoutCommands.Create());
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(DemoCommands.Create());
        root.Subcommands.Add(ImageTrainCommands.Create());
        root.Subcommands.Add(WorkerCommands.Create());
        return CommandRunner.Run(root, args);
    }
}
