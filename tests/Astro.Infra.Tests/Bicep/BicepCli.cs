using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Astro.Infra.Tests.Infrastructure;

namespace Astro.Infra.Tests.Bicep;

/// <summary>A Bicep diagnostic line: "path(line,col) : Warning|Error CODE: message".</summary>
internal sealed partial record BicepDiagnostic(string Level, string Code, string Text)
{
    [GeneratedRegex(@"^(?<path>.+?)\((?<line>\d+),(?<col>\d+)\)\s*:\s*(?<level>Error|Warning|Info)\s+(?<code>[A-Za-z0-9-]+):", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static IReadOnlyList<BicepDiagnostic> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => (line, m: Pattern().Match(line)))
            .Where(x => x.m.Success)
            .Select(x => new BicepDiagnostic(x.m.Groups["level"].Value, x.m.Groups["code"].Value, x.line))
            .ToList();
}

/// <summary>The result of a Bicep command: exit code, diagnostics and standard output.</summary>
internal sealed record BicepResult(ProcessResult Process, IReadOnlyList<BicepDiagnostic> Diagnostics)
{
    public bool Succeeded => Process.ExitCode == 0;

    public IEnumerable<BicepDiagnostic> Errors => Diagnostics.Where(d => d.Level == "Error");

    public IEnumerable<BicepDiagnostic> Warnings => Diagnostics.Where(d => d.Level == "Warning");

    /// <summary>Throws unless the command succeeded with no warning (warnings count as failures: none is documented as unavoidable).</summary>
    public void EnsureClean()
    {
        if (!Succeeded || Diagnostics.Any(d => d.Level is "Error" or "Warning"))
        {
            throw new BicepFailedException($"Bicep reported problems:\n{Process}");
        }
    }
}

internal sealed class BicepFailedException(string message) : Exception(message);

/// <summary>Runs the Bicep CLI restored from NuGet. Offline: build and snapshot need no Azure access.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    public static BicepResult Run(string workingDirectory, params string[] arguments) => Run(workingDirectory, null, arguments);

    public static BicepResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        ProcessResult process = ProcessRunner.Run(RepoPaths.BicepCli, arguments, workingDirectory, s_timeout, environment);
        return new BicepResult(process, BicepDiagnostic.Parse(process.StandardError + "\n" + process.StandardOutput));
    }

    /// <summary><c>bicep build FILE --stdout</c>: the ARM JSON.</summary>
    public static (BicepResult Result, JsonObject? Template) Build(string bicepFile)
    {
        BicepResult result = Run(Path.GetDirectoryName(bicepFile)!, "build", bicepFile, "--stdout");
        JsonObject? template = result.Succeeded ? JsonNode.Parse(result.Process.StandardOutput)?.AsObject() : null;
        return (result, template);
    }

    /// <summary>
    /// <c>bicep snapshot</c> of main.bicep with the given parameters (a .bicepparam written to a temporary folder): the
    /// resources a deployment would create, with every expression that does not need a live resource evaluated.
    /// </summary>
    public static (BicepResult Result, JsonObject? Snapshot) Snapshot(string bicepFile, IReadOnlyDictionary<string, string> parameters)
    {
        string dir = Directory.CreateTempSubdirectory("astro-bicep-snapshot-").FullName;
        try
        {
            string relative = Path.GetRelativePath(dir, bicepFile).Replace('\\', '/');
            var lines = new List<string> { $"using '{relative}'", string.Empty };
            lines.AddRange(parameters.Select(p => $"param {p.Key} = {p.Value}"));
            string paramFile = Path.Combine(dir, "test.bicepparam");
            File.WriteAllLines(paramFile, lines);
            BicepResult result = Run(dir, "snapshot", paramFile, "--mode", "overwrite",
                "--tenant-id", "00000000-0000-0000-0000-0000000000aa",
                "--subscription-id", "00000000-0000-0000-0000-0000000000bb",
                "--resource-group", "rg-astro-test",
                "--location", "westus3",
                "--deployment-name", "astro-test");
            string snapshotFile = Path.Combine(dir, "test.snapshot.json");
            JsonObject? snapshot = result.Succeeded && File.Exists(snapshotFile) ? JsonNode.Parse(File.ReadAllText(snapshotFile))?.AsObject() : null;
            return (result, snapshot);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
