using Astro.Infra.Tests.Infrastructure;

namespace Astro.Infra.Tests.Bicep;

/// <summary>The Bicep checks can fail: broken copies of the real templates are rejected.</summary>
public sealed class BrokenTemplateTests : IDisposable
{
    private readonly string _copy = Directory.CreateTempSubdirectory("astro-infra-broken-").FullName;

    public BrokenTemplateTests()
    {
        foreach (string file in Directory.EnumerateFiles(RepoPaths.Infra, "*.bicep*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(_copy, Path.GetRelativePath(RepoPaths.Infra, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public void MisspeltPropertyInAModuleFailsTheMainBuild()
    {
        Replace("modules/storage.bicep", "minimumTlsVersion:", "minimumTlsVerison:");

        (BicepResult result, _) = BicepCli.Build(Path.Combine(_copy, "main.bicep"));

        Assert.Contains(result.Diagnostics, d => d.Code is "BCP089" or "BCP037" && d.Text.Contains("minimumTlsVerison", StringComparison.Ordinal));
        Assert.Throws<BicepFailedException>(result.EnsureClean);
    }

    [Fact]
    public void WrongValueTypeFailsTheCheck()
    {
        // Bicep reports a type mismatch in a resource body as a warning (BCP036) and still writes the template:
        // treating warnings as failures is what catches it.
        Replace("modules/container-apps.bicep", "triggerType: 'Event'", "triggerType: 42");

        (BicepResult result, _) = BicepCli.Build(Path.Combine(_copy, "main.bicep"));

        Assert.Contains(result.Diagnostics, d => d.Code == "BCP036");
        Assert.Throws<BicepFailedException>(result.EnsureClean);
    }

    [Fact]
    public void UndefinedSymbolFailsTheBuild()
    {
        Replace("main.bicep", "storageAccountName: storage.outputs.name\n    principalId: trainerIdentity", "storageAccountName: storrage.outputs.name\n    principalId: trainerIdentity");

        (BicepResult result, _) = BicepCli.Build(Path.Combine(_copy, "main.bicep"));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, d => d.Code == "BCP057");
    }

    [Fact]
    public void LinterWarningCountsAsFailure()
    {
        Replace("main.bicep", "targetScope = 'resourceGroup'", "targetScope = 'resourceGroup'\n\nparam notUsedAnywhere string = 'x'");

        (BicepResult result, _) = BicepCli.Build(Path.Combine(_copy, "main.bicep"));

        Assert.True(result.Succeeded);
        Assert.Contains(result.Warnings, d => d.Code == "no-unused-params");
        Assert.Throws<BicepFailedException>(result.EnsureClean);
    }

    private void Replace(string relative, string from, string to)
    {
        string path = Path.Combine(_copy, relative);
        string text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }
}
