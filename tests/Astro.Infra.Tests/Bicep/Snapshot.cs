using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Astro.Infra.Tests.Bicep;

/// <summary>A role assignment of the snapshot: who (the identity's resource name), which role (GUID), where (scope path).</summary>
internal sealed record RoleAssignment(string Principal, string RoleId, string Scope);

/// <summary>Typed access to a <c>bicep snapshot</c> (predictedResources, outputs).</summary>
internal sealed partial class Snapshot(JsonObject root)
{
    public IReadOnlyList<JsonObject> Resources { get; } = root["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public JsonObject Outputs { get; } = root["outputs"]!.AsObject();

    public IEnumerable<JsonObject> OfType(string type) => Resources.Where(r => (string?)r["type"] == type);

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    /// <summary>Names of the child resources of a type, last segment only (for example container names).</summary>
    public IReadOnlyList<string> ChildNames(string type) =>
        OfType(type).Select(r => ((string)r["name"]!).Split('/')[^1]).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<RoleAssignment> RoleAssignments() =>
        OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            string id = (string)r["id"]!;
            string scope = id.StartsWith("[extensionResourceId('", StringComparison.Ordinal)
                ? id["[extensionResourceId('".Length..id.IndexOf('\'', "[extensionResourceId('".Length)]
                : id[..id.IndexOf("/providers/Microsoft.Authorization/roleAssignments", StringComparison.Ordinal)];
            string principalId = (string)r["properties"]!["principalId"]!;
            Match who = PrincipalPattern().Match(principalId);
            string principal = who.Success ? who.Groups["name"].Value : principalId;
            string role = ((string)r["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            return new RoleAssignment(principal, role, scope);
        }).ToList();

    [GeneratedRegex(@"(?:userAssignedIdentities|systemTopics)/(?<name>[^'/]+)'", RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalPattern();
}
