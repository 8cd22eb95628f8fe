using System.Text.Json;
using System.Text.RegularExpressions;

namespace Astro.Infra.Tests.Docker;

/// <summary>A Dockerfile instruction: keyword (upper case) and its arguments, continuation lines joined.</summary>
internal sealed record Instruction(string Keyword, string Arguments, int Stage);

/// <summary>The parts of a Dockerfile the tests check: stages, ARG defaults, the publish command, USER, ENTRYPOINT.</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<Instruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<string> BaseImages => Instructions.Where(i => i.Keyword == "FROM").Select(i => Expand(i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])).ToList();

    /// <summary>ARG defaults (global and per stage; a later default of the same name wins).</summary>
    public IReadOnlyDictionary<string, string> ArgDefaults =>
        Instructions.Where(i => i.Keyword == "ARG" && i.Arguments.Contains('=', StringComparison.Ordinal))
            .Select(i => i.Arguments.Split('=', 2))
            .GroupBy(kv => kv[0].Trim())
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim());

    public static Dockerfile Load(string path)
    {
        var instructions = new List<Instruction>();
        string? pending = null;
        int stage = -1;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.TrimEnd();
            if (pending is null && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (pending is not null && line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            bool continues = line.EndsWith('\\');
            string content = continues ? line[..^1] : line;
            pending = pending is null ? content.Trim() : pending + " " + content.Trim();
            if (continues)
            {
                continue;
            }

            Match m = InstructionPattern().Match(pending);
            if (!m.Success)
            {
                throw new FormatException($"{path}: cannot parse '{pending}'.");
            }

            string keyword = m.Groups["kw"].Value.ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new Instruction(keyword, m.Groups["args"].Value.Trim(), stage));
            pending = null;
        }

        return new Dockerfile(path, instructions);
    }

    /// <summary>Replaces <c>${NAME}</c> and <c>$NAME</c> by the ARG defaults.</summary>
    public string Expand(string text) =>
        VariablePattern().Replace(text, m =>
        {
            string name = m.Groups["a"].Success ? m.Groups["a"].Value : m.Groups["b"].Value;
            return ArgDefaults.TryGetValue(name, out string? value) ? value : m.Value;
        });

    /// <summary>The one <c>dotnet publish</c> command, as arguments after <c>dotnet</c>, ARGs expanded.</summary>
    public IReadOnlyList<string> PublishArguments()
    {
        Instruction run = Assert.Single(Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        string command = run.Arguments;
        Assert.DoesNotContain("&&", command, StringComparison.Ordinal);
        Assert.DoesNotContain("\"", command, StringComparison.Ordinal);
        string[] tokens = Expand(command).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["dotnet", "publish"], tokens[..2]);
        return tokens[1..];
    }

    /// <summary>The exec-form ENTRYPOINT of the final stage.</summary>
    public IReadOnlyList<string> EntryPoint()
    {
        Instruction entry = Instructions.Last(i => i.Keyword == "ENTRYPOINT");
        return JsonSerializer.Deserialize<string[]>(entry.Arguments) ?? throw new FormatException($"{Path}: ENTRYPOINT is not in exec form.");
    }

    /// <summary>The last USER of the final stage, ARGs and well-known image variables left as written.</summary>
    public string? FinalUser()
    {
        int last = Instructions.Max(i => i.Stage);
        return Instructions.LastOrDefault(i => i.Keyword == "USER" && i.Stage == last)?.Arguments;
    }

    [GeneratedRegex(@"^(?<kw>[A-Za-z]+)\s+(?<args>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex InstructionPattern();

    [GeneratedRegex(@"\$\{(?<a>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<b>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();
}
