using System.Diagnostics;
using Astro.Build.ElfVersionPatch;

namespace Astro.Ml.Tests.Build;

/// <summary>The ELF patch, tested on copies of the real libLibTorchSharp.so from the NuGet cache.</summary>
public sealed class ElfVersionPatcherTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static byte[] Pristine() => File.ReadAllBytes(TestPaths.PristineLibTorchSharp);

    [Fact]
    public void Pristine_RequiresGlibcxx3432StrongFromLibStdCxx()
    {
        List<ElfVersionNeed> needs = ElfVersionPatcher.ReadVersionNeeds(Pristine());

        ElfVersionNeed need = Assert.Single(needs, n => n.Version == Version);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        Assert.Contains(needs, n => n.Version == "GLIBC_2.2.5" && n.File == "libc.so.6");
        Assert.True(needs.Count > 10, $"only {needs.Count} requirements read");
    }

    [Fact]
    public void MarkWeak_ChangesExactlyThatFlag()
    {
        byte[] original = Pristine();
        byte[] patched = (byte[])original.Clone();

        ElfPatchOutcome outcome = ElfVersionPatcher.TryMarkWeak(patched, Version, out List<ElfVersionNeed> touched);

        Assert.Equal(ElfPatchOutcome.Patched, outcome);
        long offset = Assert.Single(touched).FlagsOffset;
        int[] changed = [.. Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i])];
        Assert.Equal([(int)offset], changed);
        Assert.Equal(original[offset] | ElfVersionPatcher.VerFlagWeak, patched[offset]);

        List<ElfVersionNeed> before = ElfVersionPatcher.ReadVersionNeeds(original);
        List<ElfVersionNeed> after = ElfVersionPatcher.ReadVersionNeeds(patched);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Version, after[i].Version);
            Assert.Equal(before[i].Version == Version, after[i].IsWeak);
        }

        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionPatcher.TryMarkWeak(patched, Version, out _));
        Assert.Equal(ElfPatchOutcome.NotReferenced, ElfVersionPatcher.TryMarkWeak(patched, "GLIBCXX_9.9.9", out _));
    }

    [Fact]
    public void MarkWeak_AgreesWithReadelf()
    {
        string dir = TestPaths.NewTempDirectory();
        try
        {
            string path = Path.Combine(dir, "libLibTorchSharp.so");
            byte[] bytes = Pristine();
            ElfVersionPatcher.TryMarkWeak(bytes, Version, out _);
            File.WriteAllBytes(path, bytes);

            string? text = Readelf(path);
            if (text is null)
            {
                return; // binutils absent: the other tests still check the bytes.
            }

            string line = Assert.Single(text.Split('\n'), l => l.Contains("Name: " + Version, StringComparison.Ordinal));
            Assert.Contains("Flags: WEAK", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SystemLibStdCxx_VersionDefinitionsAreRead()
    {
        if (!File.Exists(TestPaths.SystemLibStdCxx))
        {
            return;
        }

        List<string> versions = ElfVersionPatcher.ReadVersionDefinitions(File.ReadAllBytes(TestPaths.SystemLibStdCxx));

        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
        Assert.True(versions.Count > 30, $"only {versions.Count} definitions");
    }

    [Theory]
    [InlineData(0, 0x00, "bad ELF magic")]
    [InlineData(4, 1, "not ELF64")]
    [InlineData(5, 2, "not little-endian")]
    public void Malformed_IsRejected(int offset, byte value, string reason)
    {
        byte[] bytes = Pristine();
        bytes[offset] = value;
        ElfFormatException error = Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.ReadVersionNeeds(bytes));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_IsRejected()
    {
        byte[] bytes = Pristine();
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.ReadVersionNeeds(bytes.AsSpan(0, 40)));
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.ReadVersionNeeds(bytes.AsSpan(0, bytes.Length / 2)));
    }

    [Fact]
    public void BuildOutputCopy_IsPatchedAndTheCacheIsNot()
    {
        Assert.True(File.Exists(TestPaths.OutputLibTorchSharp), TestPaths.OutputLibTorchSharp);
        ElfVersionNeed output = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(TestPaths.OutputLibTorchSharp)).Single(n => n.Version == Version);
        ElfVersionNeed cache = ElfVersionPatcher.ReadVersionNeeds(Pristine()).Single(n => n.Version == Version);

        bool systemHasIt = File.Exists(TestPaths.SystemLibStdCxx)
            && ElfVersionPatcher.ReadVersionDefinitions(File.ReadAllBytes(TestPaths.SystemLibStdCxx)).Contains(Version);
        Assert.Equal(!systemHasIt, output.IsWeak);
        Assert.False(cache.IsWeak);
    }

    [Fact]
    public void Tool_PatchesThenReportsAlreadyWeak_AndRefusesTheCache()
    {
        string dir = TestPaths.NewTempDirectory();
        try
        {
            string path = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(TestPaths.PristineLibTorchSharp, path);
            DateTime stamp = File.GetLastWriteTimeUtc(path);
            string noSystemLib = Path.Combine(dir, "missing-libstdc++.so.6");
            string providing = Path.Combine(dir, "fake-libstdc++.so.6");
            File.WriteAllBytes(providing, [.. "not an ELF, but names "u8, .. System.Text.Encoding.ASCII.GetBytes(Version), 0]);

            (int code1, string out1) = RunTool(path, "--system-lib", providing);
            (int code2, string out2) = RunTool(path, "--system-lib", noSystemLib);
            (int code3, string out3) = RunTool(path, "--system-lib", noSystemLib);
            (int code4, string out4) = RunTool(TestPaths.PristineLibTorchSharp, "--forbid-under", TestPaths.NuGetPackageRoot);

            Assert.Equal((0, $"ElfVersionPatch: libLibTorchSharp.so: {providing} provides {Version}; nothing to do."), (code1, out1));
            Assert.Equal(0, code2);
            Assert.StartsWith($"ElfVersionPatch: libLibTorchSharp.so: marked {Version} (from libstdc++.so.6) weak (VER_FLG_WEAK) in {path}; ", out2, StringComparison.Ordinal);
            Assert.Equal((0, $"ElfVersionPatch: libLibTorchSharp.so: {Version} (from libstdc++.so.6) is already weak; nothing to do."), (code3, out3));
            Assert.Equal(2, code4);
            Assert.Contains("refusing", out4, StringComparison.Ordinal);
            Assert.True(ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(path)).Single(n => n.Version == Version).IsWeak);
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int ExitCode, string Output) RunTool(string file, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(TestPaths.ElfVersionPatchTool);
        start.ArgumentList.Add(file);
        start.ArgumentList.Add(Version);
        foreach (string option in options)
        {
            start.ArgumentList.Add(option);
        }

        using Process process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, text.Trim());
    }

    private static string? Readelf(string path)
    {
        try
        {
            var start = new ProcessStartInfo("readelf", ["-V", "-W", path]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using Process process = Process.Start(start)!;
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
