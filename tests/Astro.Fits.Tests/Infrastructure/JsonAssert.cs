using System.Text.Json;
using System.Text.Json.Nodes;

namespace Astro.Fits.Tests.Infrastructure;

/// <summary>Compares JSON trees: same keys, integers exact, floating values to a relative tolerance.</summary>
internal static class JsonAssert
{
    public static void Equivalent(JsonNode expected, JsonNode actual, string context, double relativeTolerance = 1e-6)
    {
        var problems = new List<string>();
        Compare(expected, actual, "$", relativeTolerance, problems);
        Assert.True(problems.Count == 0, $"{context}: {string.Join("; ", problems.Take(6))}");
    }

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, double tolerance, List<string> problems)
    {
        switch (expected)
        {
            case null:
                if (actual is not null)
                {
                    problems.Add($"{path}: expected null, got {actual.ToJsonString()}");
                }

                break;
            case JsonObject eo:
                if (actual is not JsonObject ao)
                {
                    problems.Add($"{path}: expected an object");
                    return;
                }

                foreach (var (key, value) in eo)
                {
                    if (!ao.ContainsKey(key))
                    {
                        problems.Add($"{path}.{key}: missing");
                        continue;
                    }

                    Compare(value, ao[key], $"{path}.{key}", tolerance, problems);
                }

                foreach (var (key, value) in ao)
                {
                    if (!eo.ContainsKey(key))
                    {
                        problems.Add($"{path}.{key}: unexpected {value?.ToJsonString()}");
                    }
                }

                break;
            case JsonArray ea:
                if (actual is not JsonArray aa || aa.Count != ea.Count)
                {
                    problems.Add($"{path}: expected {ea.Count} elements, got {(actual as JsonArray)?.Count.ToString() ?? actual?.ToJsonString()}");
                    return;
                }

                for (int i = 0; i < ea.Count; i++)
                {
                    Compare(ea[i], aa[i], $"{path}[{i}]", tolerance, problems);
                }

                break;
            default:
                var ev = expected.AsValue();
                if (ev.GetValueKind() == JsonValueKind.Number)
                {
                    if (actual is not JsonValue av || av.GetValueKind() != JsonValueKind.Number)
                    {
                        problems.Add($"{path}: expected {ev.ToJsonString()}, got {actual?.ToJsonString()}");
                        return;
                    }

                    double e = ev.GetValue<double>();
                    double a = av.GetValue<double>();
                    bool close = e == a || Math.Abs(e - a) <= tolerance * Math.Max(Math.Abs(e), Math.Abs(a)) || Math.Abs(e - a) < 1e-300;
                    if (!close)
                    {
                        problems.Add($"{path}: expected {e:R}, got {a:R}");
                    }
                }
                else if (!JsonNode.DeepEquals(expected, actual))
                {
                    problems.Add($"{path}: expected {expected.ToJsonString()}, got {actual?.ToJsonString()}");
                }

                break;
        }
    }
}
