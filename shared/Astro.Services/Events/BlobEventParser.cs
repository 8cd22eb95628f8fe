using System.Text.Json;
using System.Text.Json.Nodes;

namespace Astro.Services.Events;

/// <summary>A blob named by a blob-created event.</summary>
/// <param name="Container">The container.</param>
/// <param name="Blob">The blob name, exactly as stored (never normalised: <c>../x.csv</c> stays <c>../x.csv</c>).</param>
/// <param name="EventId">The event's id.</param>
/// <param name="ETag">The ETag the event reports, if any.</param>
public sealed record BlobCreated(string Container, string Blob, string EventId, string? ETag);

/// <summary>
/// Parses <c>Microsoft.Storage.BlobCreated</c> events as Event Grid delivers them to a storage queue: one event or an
/// array, in the Event Grid schema (<c>eventType</c>) or the CloudEvents 1.0 schema (<c>type</c>).
/// </summary>
/// <remarks>
/// The blob is taken from the event's subject (<c>/blobServices/default/containers/{container}/blobs/{name}</c>), which
/// carries the name as stored; the <c>data.url</c> is used only when there is no subject, and is decoded without URI
/// normalisation (a URI parser would turn <c>catalogs/../../x.csv</c> into <c>/x.csv</c>, a different blob).
/// </remarks>
public static class BlobEventParser
{
    /// <summary>The event type of a created blob.</summary>
    public const string BlobCreatedType = "Microsoft.Storage.BlobCreated";

    private const string ContainersSegment = "/containers/";
    private const string BlobsSegment = "/blobs/";

    /// <summary>Parses a queue message into the created blobs it names; other event types are skipped.</summary>
    /// <param name="message">The message text (JSON).</param>
    /// <returns>The blobs.</returns>
    /// <exception cref="InvalidInputException">The message is not an Event Grid or CloudEvents event, or a blob-created event names no blob.</exception>
    public static IReadOnlyList<BlobCreated> Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(message, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw Invalid($"not JSON ({e.Message})");
        }

        IEnumerable<JsonNode?> events = root switch
        {
            JsonArray array => array,
            JsonObject one => [one],
            _ => throw Invalid("neither an event object nor an array of events"),
        };

        var result = new List<BlobCreated>();
        int index = 0;
        foreach (JsonNode? node in events)
        {
            if (node is not JsonObject e)
            {
                throw Invalid($"event {index} is not a JSON object");
            }

            string? type = Text(e, "eventType") ?? Text(e, "type");
            string? id = Text(e, "id");
            if (type is null || id is null)
            {
                throw Invalid($"event {index} has no {(type is null ? "eventType (Event Grid) or type (CloudEvents)" : "id")}");
            }

            if (type == BlobCreatedType)
            {
                JsonObject? data = e["data"] as JsonObject;
                string? etag = data is null ? null : Text(data, "eTag");
                (string Container, string Blob)? blob = FromSubject(Text(e, "subject")) ?? FromUrl(data is null ? null : Text(data, "url"));
                if (blob is not { } b)
                {
                    throw Invalid($"blob-created event {Astro.Services.Printable.Line(id, 100)} names no blob (no subject '/blobServices/default/containers/…/blobs/…' and no data.url)");
                }

                result.Add(new BlobCreated(b.Container, b.Blob, id, etag));
            }

            index++;
        }

        return result;
    }

    /// <summary>
    /// Builds the event the storage account would send for a created blob (Event Grid schema, an array of one event, as
    /// Event Grid delivers to a queue): for tests, the demo, and uploaders that enqueue the event themselves.
    /// </summary>
    /// <param name="account">The storage account name.</param>
    /// <param name="container">The container.</param>
    /// <param name="blob">The blob name.</param>
    /// <param name="blobUrl">The blob's URL (as the account's endpoint spells it).</param>
    /// <param name="etag">Its ETag.</param>
    /// <param name="length">Its size.</param>
    /// <returns>The JSON.</returns>
    public static string CreateBlobCreatedEvent(string account, string container, string blob, string blobUrl, string etag, long length)
    {
        var e = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["topic"] = $"/subscriptions/local/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/{account}",
            ["subject"] = $"/blobServices/default{ContainersSegment}{container}{BlobsSegment}{blob}",
            ["eventType"] = BlobCreatedType,
            ["eventTime"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["dataVersion"] = "1",
            ["metadataVersion"] = "1",
            ["data"] = new JsonObject
            {
                ["api"] = "PutBlob",
                ["eTag"] = etag,
                ["contentType"] = "application/octet-stream",
                ["contentLength"] = length,
                ["blobType"] = "BlockBlob",
                ["url"] = blobUrl,
                ["sequencer"] = "0",
            },
        };
        return new JsonArray(e).ToJsonString();
    }

    private static (string, string)? FromSubject(string? subject)
    {
        // /blobServices/default/containers/{container}/blobs/{name}: container names hold no '/', names may hold anything.
        if (subject is null || subject.IndexOf(ContainersSegment, StringComparison.Ordinal) is not (int ci and >= 0))
        {
            return null;
        }

        int start = ci + ContainersSegment.Length;
        int bi = subject.IndexOf(BlobsSegment, start, StringComparison.Ordinal);
        if (bi <= start)
        {
            return null;
        }

        string container = subject[start..bi];
        string blob = subject[(bi + BlobsSegment.Length)..];
        return container.Contains('/', StringComparison.Ordinal) || blob.Length == 0 ? null : (container, blob);
    }

    private static (string, string)? FromUrl(string? url)
    {
        // scheme://host[:port]/[account/]container/name — path split by hand and percent-decoded, never normalised.
        int scheme = url?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        int pathStart = scheme < 0 ? -1 : url!.IndexOf('/', scheme + 3);
        if (pathStart < 0)
        {
            return null;
        }

        string path = url![(pathStart + 1)..];
        int query = path.IndexOfAny(['?', '#']);
        path = query >= 0 ? path[..query] : path;
        string[] parts = path.Split('/', 2);
        if (parts.Length == 2 && parts[0] == "devstoreaccount1")
        {
            // Azurite's path-style URL: /{account}/{container}/{name}
            parts = parts[1].Split('/', 2);
        }

        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1])) : null;
    }

    private static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static InvalidInputException Invalid(string why) =>
        new(InputProblem.InvalidMessage, $"blob-events message is not an Event Grid or CloudEvents blob event: {Astro.Services.Printable.Line(why, 500)}.");
}
