using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Astro.Ml.Training;

/// <summary>The kind of network being trained; it decides the default number of torch threads.</summary>
public enum TorchWorkload
{
    /// <summary>Small fully connected networks: fastest and steadiest on 1 thread.</summary>
    Mlp = 1,

    /// <summary>Convolutional networks: gain from every core (≈1.6× from 2 threads on this project's machines).</summary>
    Cnn = 2,
}

/// <summary>What <see cref="TorchSetup.Initialize"/> chose.</summary>
/// <param name="Device">The device to train on.</param>
/// <param name="Threads">The intra-op thread count now set in libtorch.</param>
public sealed record TorchEnvironment(Device Device, int Threads);

/// <summary>Process-wide TorchSharp set-up: native library check, thread count, device choice and seeding.</summary>
public static class TorchSetup
{
    /// <summary>Returns the default thread count for a workload: 1 for MLPs, every core for CNNs.</summary>
    public static int DefaultThreads(TorchWorkload workload) => workload switch
    {
        TorchWorkload.Mlp => 1,
        TorchWorkload.Cnn => Math.Max(1, Environment.ProcessorCount),
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, "Unknown workload."),
    };

    /// <summary>
    /// Loads libtorch (throwing a clear message when it cannot), sets the thread count and picks the device.
    /// </summary>
    /// <param name="workload">Decides the thread count unless <paramref name="threads"/> is given.</param>
    /// <param name="threads">An explicit thread count, or <see langword="null"/> for <see cref="DefaultThreads"/>.</param>
    /// <param name="logger">Receives one line about the device and threads; <see langword="null"/> for none.</param>
    /// <exception cref="InvalidOperationException">The native TorchSharp libraries cannot be loaded.</exception>
    public static TorchEnvironment Initialize(TorchWorkload workload, int? threads = null, ILogger? logger = null)
    {
        EnsureNativeLoaded();
        int count = threads ?? DefaultThreads(workload);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count, nameof(threads));
        torch.set_num_threads(count);
        Device device = SelectDevice(logger);
        (logger ?? NullLogger.Instance).LogInformation("TorchSharp: {Workload} workload on {Device} with {Threads} thread(s).", workload, device, count);
        return new TorchEnvironment(device, count);
    }

    /// <summary>Returns <c>cuda</c> when a CUDA device is available, else the CPU (saying so through <paramref name="logger"/>).</summary>
    public static Device SelectDevice(ILogger? logger = null)
    {
        EnsureNativeLoaded();
        if (torch.cuda.is_available())
        {
            return torch.CUDA;
        }

        (logger ?? NullLogger.Instance).LogInformation("TorchSharp: CUDA is not available; using the CPU.");
        return torch.CPU;
    }

    /// <summary>Seeds libtorch's generators (CPU and, when present, CUDA) so runs repeat.</summary>
    public static void Seed(long seed)
    {
        EnsureNativeLoaded();
        torch.manual_seed(seed);
        if (torch.cuda.is_available())
        {
            torch.cuda.manual_seed_all(seed);
        }
    }

    /// <summary>Loads the native TorchSharp libraries, explaining the usual cause when that fails.</summary>
    /// <exception cref="InvalidOperationException">The native libraries cannot be loaded.</exception>
    public static void EnsureNativeLoaded()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            throw new InvalidOperationException(
                "TorchSharp's native libraries did not load. On Debian 12 this is usually libLibTorchSharp.so requiring " +
                "GLIBCXX_3.4.32: import build/TorchSharpGlibcxxFix.targets in the project that runs the code, and rebuild. " +
                "Inner error: " + ex.GetBaseException().Message,
                ex);
        }
    }
}
