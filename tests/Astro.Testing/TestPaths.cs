namespace Astro.Testing;

/// <summary>
/// Where the tests find things: the repository (the first folder above the test binaries that holds Functions.sln),
/// the real public data provided beside the checkout (<c>../shared/data</c>) and the baselines copied beside the test
/// assembly (<c>Baselines/</c>).
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repository = new(() => FindUp("Functions.sln", isFile: true)
        ?? throw new InvalidOperationException($"No folder holding Functions.sln above {AppContext.BaseDirectory}."));

    private static readonly Lazy<string> s_sharedData = new(FindSharedData);

    /// <summary>The repository root.</summary>
    public static string Repository => s_repository.Value;

    /// <summary>The shared data folder (<c>…/shared/data</c> beside the checkout).</summary>
    /// <exception cref="InvalidOperationException">It is not there (a user's clone has no ../shared).</exception>
    public static string SharedDataRoot => s_sharedData.Value;

    /// <summary>A path under the repository.</summary>
    /// <param name="parts">Path segments.</param>
    /// <returns>The full path.</returns>
    public static string InRepository(params string[] parts) => Path.Combine([Repository, .. parts]);

    /// <summary>A path under the shared data folder.</summary>
    /// <param name="parts">Path segments.</param>
    /// <returns>The full path.</returns>
    public static string SharedData(params string[] parts) => Path.Combine([SharedDataRoot, .. parts]);

    /// <summary>A baseline file copied beside the test assembly (<c>Baselines/…</c>).</summary>
    /// <param name="parts">Path segments under Baselines/.</param>
    /// <returns>The full path.</returns>
    public static string Baseline(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Baselines", .. parts]);

    private static string FindSharedData()
    {
        // The marker is a file every copy of the shared data holds; the repository's own shared/ (class libraries) does not.
        string? root = FindUp(Path.Combine("shared", "data", "fits-conformance", "ORACLE.json"), isFile: true);
        return root is null
            ? throw new InvalidOperationException($"../shared/data was not found above {AppContext.BaseDirectory}; these tests need the shared data beside the checkout.")
            : Path.Combine(root, "shared", "data");
    }

    private static string? FindUp(string relative, bool isFile)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (isFile ? File.Exists(candidate) : Directory.Exists(candidate))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
