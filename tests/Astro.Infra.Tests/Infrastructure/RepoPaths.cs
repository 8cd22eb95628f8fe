using System.Reflection;

namespace Astro.Infra.Tests.Infrastructure;

/// <summary>Where the repository and the tools are, found from the test assembly.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository root: the first folder up from the test binaries that holds Functions.sln and infra/.</summary>
    public static string Root => s_root.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string Docker => Path.Combine(Root, "docker");

    /// <summary>The Bicep CLI restored by this project's PackageReference (tools/bicep), made executable.</summary>
    public static string BicepCli => s_bicep.Value;

    private static readonly Lazy<string> s_bicep = new(FindBicep);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")) && Directory.Exists(Path.Combine(dir.FullName, "infra")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder holding Functions.sln and infra/ above {AppContext.BaseDirectory}.");
    }

    private static string FindBicep()
    {
        string? package = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepCliPackage")?.Value;
        if (string.IsNullOrEmpty(package))
        {
            throw new InvalidOperationException("The test assembly carries no BicepCliPackage metadata: restore did not provide Azure.Bicep.CommandLine.linux-x64.");
        }

        string cli = Path.Combine(package, "tools", "bicep");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"The Bicep CLI is not at {cli}.");
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The tests restore the linux-x64 Bicep CLI.");
        }

        // NuGet extracts it executable by owner only (or not at all): add the execute bits where we may.
        UnixFileMode mode = File.GetUnixFileMode(cli);
        UnixFileMode wanted = mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (mode != wanted)
        {
            try
            {
                File.SetUnixFileMode(cli, wanted);
            }
            catch (UnauthorizedAccessException) when ((mode & UnixFileMode.UserExecute) != 0)
            {
                // Not the owner, but already executable for the owner; running it will tell.
            }
        }

        return cli;
    }
}
