using System.Collections;
using System.Globalization;
using System.Text;

namespace Astro.Services.Telemetry;

/// <summary>
/// A structured log scope (key/value pairs, which the JSON console formatter and Application Insights turn into
/// properties) whose <see cref="ToString"/> renders <c>CorrelationId=c-… Blob=catalogs/x.csv Chunk=3</c> for text logs.
/// </summary>
public sealed class LogScope : IReadOnlyList<KeyValuePair<string, object>>
{
    /// <summary>The correlation id key (the same in every scope: blob → chunk → prediction → merge).</summary>
    public const string CorrelationIdKey = "CorrelationId";

    /// <summary>The input blob key (<c>container/name</c>).</summary>
    public const string BlobKey = "Blob";

    /// <summary>The chunk index key.</summary>
    public const string ChunkKey = "Chunk";

    private readonly KeyValuePair<string, object>[] _items;

    /// <summary>Creates a scope from pairs (null values are left out).</summary>
    /// <param name="items">The pairs, in the order they are rendered.</param>
    public LogScope(params IEnumerable<KeyValuePair<string, object?>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = [.. items.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, object>(p.Key, p.Value!))];
    }

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public KeyValuePair<string, object> this[int index] => _items[index];

    /// <summary>The scope of a blob (and a chunk of it).</summary>
    /// <param name="correlationId">The correlation id.</param>
    /// <param name="blob">The blob as <c>container/name</c>.</param>
    /// <param name="chunk">The chunk index, or null.</param>
    /// <returns>The scope.</returns>
    public static LogScope ForBlob(string correlationId, string blob, int? chunk = null) =>
        new(new(CorrelationIdKey, correlationId), new(BlobKey, blob), new(ChunkKey, chunk));

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Renders <c>Key=Value Key=Value</c> (values with spaces or quotes are quoted).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => RenderPairs(_items!);

    /// <summary>
    /// Renders any scope object for a text log: key/value collections whose <see cref="object.ToString"/> is only the type
    /// name (the <c>Dictionary&lt;string, object&gt;</c> scopes) as <c>Key=Value</c> pairs, everything else with its own
    /// <see cref="object.ToString"/> (message-template scopes, <see cref="LogScope"/>). WebJobs' <c>MS_</c> keys are
    /// shortened to <c>Function=</c> and <c>InvocationId=</c>; its other <c>MS_</c> keys and its <c>Category</c>/<c>LogLevel</c>
    /// scope (the line shows both already) are left out.
    /// </summary>
    /// <param name="scope">The scope state.</param>
    /// <returns>The text, or empty.</returns>
    public static string Render(object? scope)
    {
        if (scope is null)
        {
            return "";
        }

        string text = scope.ToString() ?? "";
        if (text != scope.GetType().ToString())
        {
            return text;
        }

        return scope switch
        {
            IEnumerable<KeyValuePair<string, object?>> pairs => RenderPairs(pairs),
            IEnumerable<KeyValuePair<string, string?>> strings => RenderPairs(strings.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value))),
            _ => text,
        };
    }

    private static string RenderPairs(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var sb = new StringBuilder();
        foreach ((string key, object? value) in pairs)
        {
            string? name = key switch
            {
                "MS_FunctionName" => "Function",
                "MS_FunctionInvocationId" => "InvocationId",
                _ when key.StartsWith("MS_", StringComparison.Ordinal) => null,
                "Category" or "LogLevel" => null, // WebJobs' logger scope repeats what the line already shows
                _ => key,
            };
            if (name is null || value is null)
            {
                continue;
            }

            string v = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(name).Append('=');
            if (v.Length == 0 || v.Any(c => char.IsWhiteSpace(c) || c == '"'))
            {
                sb.Append('"').Append(v.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(v);
            }
        }

        return sb.ToString();
    }
}
