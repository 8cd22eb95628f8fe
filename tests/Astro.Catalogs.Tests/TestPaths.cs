namespace Astro.Catalogs.Tests;

/// <summary>Finds the shared data (the folder holding shared/data, i.e. the parent of the repo root) and the repo's profiles/ folder by walking up from the test assembly.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> s_dataRoot = new(() => WalkUp(d => Directory.Exists(Path.Combine(d, "shared", "data", "photometry")), "a folder containing shared/data/photometry"));
    private static readonly Lazy<string> s_repoRoot = new(() => WalkUp(d => File.Exists(Path.Combine(d, "profiles", "dustpedia.json")), "the repository root containing profiles/"));

    public static string Photometry => Path.Combine(s_dataRoot.Value, "shared", "data", "photometry");

    public static string Profile(string name) => Path.Combine(s_repoRoot.Value, "profiles", name);

    public static string Data(params string[] parts) => Path.Combine([Photometry, .. parts]);

    private static string WalkUp(Func<string, bool> match, string what)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (match(d.FullName))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Could not find {what} above {AppContext.BaseDirectory}.");
    }
}
