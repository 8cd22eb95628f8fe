namespace Astro.Imaging.Tests.Infrastructure;

/// <summary>Finds ../shared/data (the real public data beside the checkout) and the test baselines.</summary>
internal static class SharedData
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>A path under the shared data folder.</summary>
    public static string Path_(params string[] parts) => Path.Combine([s_root.Value, .. parts]);

    /// <summary>A baseline file copied beside the test assembly.</summary>
    public static string Baseline(string name) => Path.Combine(AppContext.BaseDirectory, "Baselines", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "shared", "data", "fits-conformance", "ORACLE.json")))
            {
                return Path.Combine(dir.FullName, "shared", "data");
            }
        }

        throw new InvalidOperationException("../shared/data was not found above " + AppContext.BaseDirectory);
    }
}
