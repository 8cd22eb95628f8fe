using System.Diagnostics;
using Astro.Fits.Headers;
using Astro.Fits.Writing;

namespace Astro.Fits.Tests.Writing;

/// <summary>Helpers shared by the writer tests: write to memory, write to a temp file, run fitsverify.</summary>
internal static class WritingFixtures
{
    /// <summary>Writes HDUs with a fresh writer into memory and returns the bytes.</summary>
    public static byte[] Write(Action<FitsWriter> write, FitsWriterOptions? options = null)
    {
        var stream = new MemoryStream();
        using (var writer = new FitsWriter(stream, options ?? new FitsWriterOptions { LeaveOpen = true }))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    /// <summary>Writes a single image as the primary HDU.</summary>
    public static byte[] WriteImage(FitsImage image, Header? header = null) => Write(w => w.WriteImage(image, header));

    /// <summary>Writes a single table (after the empty primary HDU).</summary>
    public static byte[] WriteTable(params TableColumn[] columns) => Write(w => w.WriteTable(columns));

    /// <summary>The fitsverify program, or null when it is not installed (test.sh installs it).</summary>
    public static string? FitsVerify { get; } = new[] { "/usr/bin/fitsverify", "/usr/local/bin/fitsverify" }.FirstOrDefault(File.Exists);

    /// <summary>Runs <c>fitsverify -q</c> on a file and returns its one-line verdict.</summary>
    public static (bool Ok, string Output) RunFitsVerify(string path)
    {
        string text = Run(path, quiet: true);

        // "verification OK: file" or "verification FAILED: file, 1 warnings and 0 errors".
        bool ok = text.StartsWith("verification OK", StringComparison.Ordinal) ||
            text.Contains("0 warnings and 0 errors", StringComparison.Ordinal);
        if (!ok)
        {
            // Say which warnings: the full report's "*** Warning" / "*** Error" lines.
            string[] problems = Run(path, quiet: false).Split('\n').Where(l => l.Contains("***", StringComparison.Ordinal)).ToArray();
            text += " | " + string.Join(" | ", problems.Select(l => l.Trim()));
        }

        return (ok, text);
    }

    private static string Run(string path, bool quiet)
    {
        string program = FitsVerify ?? throw new InvalidOperationException("fitsverify is not installed; ./test.sh installs the Debian package.");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (quiet)
        {
            start.ArgumentList.Add("-q");
        }

        start.ArgumentList.Add(path);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"fitsverify did not finish on {path}");
        }

        return output.Trim();
    }

    /// <summary>A temporary directory removed on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "astro-fits-writer-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
