using Astro.Testing;

namespace Astro.Fits.Tests.Infrastructure;

/// <summary>The FITS conformance corpus in the shared data (../shared/data/fits-conformance: 240 files of 8 projects' test suites).</summary>
internal static class ConformanceCorpus
{
    /// <summary>The corpus folder.</summary>
    public static string Root => TestPaths.SharedData("fits-conformance");

    /// <summary>A corpus file by its path relative to the corpus folder, as ORACLE.json and MANIFEST.tsv name it.</summary>
    public static string File(string relative) => Path.Combine(Root, relative);
}
