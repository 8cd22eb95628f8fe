using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Astro.Infra.Tests.Infrastructure;

namespace Astro.Infra.Tests.Docker;

/// <summary>
/// What can be checked of the Dockerfiles without a Docker engine: pinned multi-stage bases, a non-root final user, one
/// <c>dotnet publish</c> of exactly the expected project whose entry assembly the ENTRYPOINT starts, a build context
/// (.dockerignore) that keeps what the build needs, and the CUDA image's LibTorch package swap.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string, string> Images => new()
    {
        { "functions.Dockerfile", "functions/Astro.Functions.csproj", "mcr.microsoft.com/dotnet/aspnet:10.0" },
        { "trainer.cpu.Dockerfile", "trainer/Astro.Trainer.csproj", "mcr.microsoft.com/dotnet/runtime:10.0" },
        { "trainer.cuda.Dockerfile", "trainer/Astro.Trainer.csproj", "nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void BuildsInStagesFromPinnedBases(string file, string project, string finalBase)
    {
        Dockerfile docker = Dockerfile.Load(Path.Combine(RepoPaths.Docker, file));

        Assert.True(docker.BaseImages.Count >= 2, $"{file} is not multi-stage.");
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", docker.BaseImages[0]);
        Assert.Equal(finalBase, docker.BaseImages[^1]);
        Assert.All(docker.BaseImages, image => Assert.Matches(PinnedImage(), image));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project)), project);
    }

    [Fact]
    public void CudaBaseIsA128CudnnRuntimeOnUbuntu2404()
    {
        Dockerfile docker = Dockerfile.Load(Path.Combine(RepoPaths.Docker, "trainer.cuda.Dockerfile"));

        Assert.Matches(@"^nvidia/cuda:12\.8\.\d+-cudnn-runtime-ubuntu24\.04$", docker.BaseImages[^1]);
        Assert.Contains("mcr.microsoft.com/dotnet/runtime:10.0", docker.BaseImages);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void RunsAsANonRootUser(string file, string project, string finalBase)
    {
        _ = (project, finalBase);
        Dockerfile docker = Dockerfile.Load(Path.Combine(RepoPaths.Docker, file));

        string? user = docker.FinalUser();
        Assert.NotNull(user);
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        if (!user.StartsWith('$'))
        {
            Assert.Matches(@"^[1-9]\d*$|^[a-z_][a-z0-9_-]*$", user);
        }
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void PublishesExactlyTheProjectInReleaseAndStartsItsAssembly(string file, string project, string finalBase)
    {
        _ = finalBase;
        Dockerfile docker = Dockerfile.Load(Path.Combine(RepoPaths.Docker, file));

        IReadOnlyList<string> publish = docker.PublishArguments();
        Assert.Equal(project, Assert.Single(publish, a => a.EndsWith(".csproj", StringComparison.Ordinal)));
        Assert.Equal(project, publish[1]);
        Assert.Equal("Release", publish[publish.ToList().IndexOf("-c") + 1]);
        Assert.Contains("-o", publish);

        IReadOnlyList<string> entry = docker.EntryPoint();
        Assert.Equal("dotnet", entry[0]);
        Assert.Equal(AssemblyName(project) + ".dll", entry[1]);
    }

    [Fact]
    public void CudaTrainerPublishesLikeTheCpuTrainerWithTheCudaLibTorch()
    {
        IReadOnlyList<string> cpu = Dockerfile.Load(Path.Combine(RepoPaths.Docker, "trainer.cpu.Dockerfile")).PublishArguments();
        IReadOnlyList<string> cuda = Dockerfile.Load(Path.Combine(RepoPaths.Docker, "trainer.cuda.Dockerfile")).PublishArguments();

        string[] swap = [.. cuda.Except(cpu)];
        Assert.Equal(cpu, cuda.Where(a => !swap.Contains(a)));
        Assert.Equal(
            ["-p:CustomAfterMicrosoftCommonTargets=/src/docker/LibTorchPackage.targets", "-p:LibTorchPackage=libtorch-cuda-12.8-linux-x64", "-p:LibTorchVersion=2.10.0"],
            swap);
    }

    [Fact]
    public void LibTorchSwapReplacesTheCpuPackageOnlyWhereItIsReferenced()
    {
        IReadOnlyList<string> cuda = Dockerfile.Load(Path.Combine(RepoPaths.Docker, "trainer.cuda.Dockerfile")).PublishArguments();
        string[] properties = [.. cuda.Where(a => a.StartsWith("-p:", StringComparison.Ordinal) && !a.StartsWith("-p:UseAppHost", StringComparison.Ordinal))
            .Select(a => a.Replace("/src/", RepoPaths.Root + "/", StringComparison.Ordinal))];

        string mlVersion = PackageVersion("shared/Astro.Ml/Astro.Ml.csproj", "TorchSharp");
        IReadOnlyDictionary<string, string> plain = PackageReferences("shared/Astro.Ml/Astro.Ml.csproj");
        IReadOnlyDictionary<string, string> swapped = PackageReferences("shared/Astro.Ml/Astro.Ml.csproj", properties);
        IReadOnlyDictionary<string, string> onnx = PackageReferences("shared/Astro.Onnx/Astro.Onnx.csproj", properties);

        Assert.True(plain.ContainsKey("libtorch-cpu-linux-x64"));
        Assert.False(swapped.ContainsKey("libtorch-cpu-linux-x64"));
        Assert.Equal(plain["libtorch-cpu-linux-x64"], swapped["libtorch-cuda-12.8-linux-x64"]);
        Assert.Equal(mlVersion, swapped["TorchSharp"]);
        Assert.DoesNotContain(onnx.Keys, k => k.StartsWith("libtorch", StringComparison.Ordinal));
    }

    [Fact]
    public void BuildContextKeepsWhatTheBuildNeedsAndLeavesOutTheRest()
    {
        var ignore = new DockerIgnore(Path.Combine(RepoPaths.Root, ".dockerignore"));

        string[] kept =
        [
            "Directory.Build.props", "global.json", "host.json", "profiles", "build", "build/ElfVersionPatch/ElfVersionPatcher.cs",
            "build/TorchSharpGlibcxxFix.targets", "shared", "shared/Astro.Ml/Astro.Ml.csproj", "trainer", "functions",
            "docker/LibTorchPackage.targets", ".editorconfig",
        ];
        Assert.All(kept, path => Assert.False(ignore.IsExcluded(path, !Path.HasExtension(path)), path));
        string[] dropped = [".git", "tests", "node_modules", "trainer/bin", "trainer/obj", "shared/Astro.Ml/obj", "build/ElfVersionPatch/bin", "README.md", "samples"];
        Assert.All(dropped, path => Assert.True(ignore.IsExcluded(path, !path.EndsWith(".md", StringComparison.Ordinal)), path));

        // Every COPY --from=build /src/… of a final stage names something the context holds.
        foreach (string file in Directory.EnumerateFiles(RepoPaths.Docker, "*.Dockerfile"))
        {
            foreach (Instruction copy in Dockerfile.Load(file).Instructions.Where(i => i.Keyword == "COPY" && i.Arguments.Contains("/src/", StringComparison.Ordinal)))
            {
                string source = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]["/src/".Length..];
                Assert.True(File.Exists(Path.Combine(RepoPaths.Root, source)) || Directory.Exists(Path.Combine(RepoPaths.Root, source)), $"{file}: {source}");
                Assert.False(ignore.IsExcluded(source, Directory.Exists(Path.Combine(RepoPaths.Root, source))), $"{file}: {source} is excluded by .dockerignore");
            }
        }
    }

    internal static string AssemblyName(string project)
    {
        XDocument doc = XDocument.Load(Path.Combine(RepoPaths.Root, project));
        return doc.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault() ?? Path.GetFileNameWithoutExtension(project);
    }

    private static string PackageVersion(string project, string package) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, project)).Descendants("PackageReference")
            .Single(e => (string?)e.Attribute("Include") == package).Attribute("Version")!.Value;

    private static IReadOnlyDictionary<string, string> PackageReferences(string project, params string[] properties)
    {
        ProcessResult result = ProcessRunner.Run("dotnet", ["msbuild", project, "-getItem:PackageReference", .. properties], RepoPaths.Root, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.ToString());
        JsonNode json = JsonNode.Parse(result.StandardOutput)!;
        return json["Items"]!["PackageReference"]!.AsArray().ToDictionary(i => (string)i!["Identity"]!, i => (string?)i!["Version"] ?? string.Empty);
    }

    [GeneratedRegex(@"^[a-z0-9.\-/]+:(?!latest$)[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PinnedImage();
}
