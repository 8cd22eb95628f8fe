namespace Astro.Fits.Tests.Infrastructure;

/// <summary>Finds ../shared/data (the real public data provided beside the checkout) and the test baselines.</summary>
internal static class SharedData
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The shared data folder (…/shared/data).</summary>
    public static string Root => s_root.Value;

    /// <summary>The FITS conformance corpus.</summary>
    public static string Conformance => Path.Combine(Root, "fits-conformance");

    /// <summary>A path under the shared data folder.</summary>
    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A baseline file copied beside the test assembly.</summary>
    public static string Baseline(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Baselines", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "fits-conformance", "ORACLE.json");
            if (File.Exists(candidate))
            {
                return Path.Combine(dir.FullName, "shared", "data");
            }
        }

        throw new InvalidOperationException("../shared/data was not found above " + AppContext.BaseDirectory + "; the tests need the shared data beside the checkout.");
    }
}
