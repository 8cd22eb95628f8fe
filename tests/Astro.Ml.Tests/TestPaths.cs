using System.Reflection;

namespace Astro.Ml.Tests;

/// <summary>Paths the build recorded for the tests.</summary>
internal static class TestPaths
{
    public static string NuGetPackageRoot => Metadata("NuGetPackageRoot");

    public static string ElfVersionPatchTool => Path.GetFullPath(Metadata("ElfVersionPatchTool"));

    /// <summary>The pristine copy in the NuGet cache (read only: tests copy it before touching it).</summary>
    public static string PristineLibTorchSharp => Path.Combine(NuGetPackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>The copy the build placed next to the tests (patched by build/TorchSharpGlibcxxFix.targets).</summary>
    public static string OutputLibTorchSharp => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    public static string SystemLibStdCxx => "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    public static string NewTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "astro-ml-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No {key} metadata.");
}
