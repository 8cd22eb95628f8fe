using Astro.Build.ElfVersionPatch;
using Astro.Infra.Tests.Infrastructure;

namespace Astro.Infra.Tests.Docker;

/// <summary>
/// Runs each buildable Dockerfile's <c>dotnet publish</c> line (parsed from the file, so the two cannot drift) in a copy
/// of the Docker build context made with the .dockerignore rules, the way the image's build stage does, and checks
/// the output the final stage copies. Slow (a clean restore and build of the project graph): category "Slow", run by
/// CI like every other test. The CUDA trainer is not built here: no CUDA LibTorch package is served in this sandbox.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PublishTests
{
    private const string GlibcxxVersion = "GLIBCXX_3.4.32";
    private const string SystemLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    [Fact]
    public void FunctionsImagePublishesTheFunctionHost()
    {
        (string output, ProcessResult _) = Publish("functions.Dockerfile", "functions/Astro.Functions.csproj", out Action cleanup);
        try
        {
            Assert.True(File.Exists(Path.Combine(output, "Astro.Functions.runtimeconfig.json")));
            string config = File.ReadAllText(Path.Combine(output, "Astro.Functions.runtimeconfig.json"));
            Assert.Contains("Microsoft.AspNetCore.App", config, StringComparison.Ordinal);
        }
        finally
        {
            cleanup();
        }
    }

    [Fact]
    public void CpuTrainerImagePublishesTheTrainerWithPatchedLibTorchSharp()
    {
        (string output, ProcessResult result) = Publish("trainer.cpu.Dockerfile", "trainer/Astro.Trainer.csproj", out Action cleanup);
        try
        {
            string native = Path.Combine(output, "libLibTorchSharp.so");
            Assert.True(File.Exists(native), "libLibTorchSharp.so is not in the publish folder's root (RID-specific publish).");
            Assert.True(File.Exists(Path.Combine(output, "libtorch_cpu.so")) || Directory.EnumerateFiles(output, "libtorch*.so*").Any(), "libtorch native libraries are missing.");

            // build/TorchSharpGlibcxxFix.targets ran on the published copy: it logged its line, and where this system's
            // libstdc++ lacks GLIBCXX_3.4.32 (Debian 12) the requirement is now weak.
            Assert.Contains(
                result.StandardOutput.Split('\n'),
                line => line.Contains("(publish): ", StringComparison.Ordinal) && line.Contains("libLibTorchSharp.so", StringComparison.Ordinal) && line.Contains(GlibcxxVersion, StringComparison.Ordinal));
            List<ElfVersionNeed> needs = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(native)).FindAll(n => n.Version == GlibcxxVersion);
            bool systemProvides = File.Exists(SystemLibStdCxx) && ElfVersionPatcher.ReadVersionDefinitions(File.ReadAllBytes(SystemLibStdCxx)).Contains(GlibcxxVersion);
            if (needs.Count > 0 && !systemProvides)
            {
                Assert.All(needs, n => Assert.True(n.IsWeak, $"{GlibcxxVersion} from {n.File} is not weak in the published {native}."));
            }
        }
        finally
        {
            cleanup();
        }
    }

    private static (string Output, ProcessResult Result) Publish(string dockerfile, string project, out Action cleanup)
    {
        Dockerfile docker = Dockerfile.Load(Path.Combine(RepoPaths.Docker, dockerfile));
        List<string> arguments = [.. docker.PublishArguments()];
        Assert.Equal(project, arguments[1]);

        string work = Directory.CreateTempSubdirectory("astro-docker-publish-").FullName;
        cleanup = () => Directory.Delete(work, recursive: true);
        try
        {
            string context = Path.Combine(work, "src");
            string output = Path.Combine(work, "publish");
            Directory.CreateDirectory(context);
            int files = new DockerIgnore(Path.Combine(RepoPaths.Root, ".dockerignore")).CopyContext(RepoPaths.Root, context);
            Assert.InRange(files, 10, 5000);

            int o = arguments.IndexOf("-o");
            arguments[o + 1] = output;
            ProcessResult result = ProcessRunner.Run("dotnet", arguments, context, TimeSpan.FromMinutes(9));
            Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed in the build-context copy:\n{result}");

            string entry = docker.EntryPoint()[1];
            Assert.True(File.Exists(Path.Combine(output, entry)), $"The ENTRYPOINT assembly {entry} is not in the publish output.");
            Assert.Equal(DockerfileTests.AssemblyName(project) + ".dll", entry);
            return (output, result);
        }
        catch
        {
            cleanup();
            throw;
        }
    }
}
