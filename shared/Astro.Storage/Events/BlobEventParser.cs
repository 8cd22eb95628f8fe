using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;
using Azure.Storage.Blobs;

namespace Astro.Storage.Events;

/// <summary>A blob named by a blob-created event.</summary>
/// <param name="Container">The container.</param>
/// <param name="Blob">The blob name.</param>
/// <param name="EventId">The event's id.</param>
/// <param name="ETag">The ETag the event reports, if any.</param>
public sealed record BlobCreated(string Container, string Blob, string EventId, string? ETag);

/// <summary>
/// Parses Event Grid <c>Microsoft.Storage.BlobCreated</c> events as Event Grid delivers them to a storage queue (one event,
/// or an array; Event Grid schema or CloudEvents 1.0 schema) with Azure.Messaging.EventGrid.
/// </summary>
public static class BlobEventParser
{
    /// <summary>The event type of a created blob.</summary>
    public const string BlobCreatedType = "Microsoft.Storage.BlobCreated";

    /// <summary>Parses a queue message into the created blobs it names; other event types are skipped.</summary>
    /// <param name="message">The message text (JSON).</param>
    /// <returns>The blobs.</returns>
    /// <exception cref="InvalidInputException">The message is not an Event Grid or CloudEvents event.</exception>
    public static IReadOnlyList<BlobCreated> Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var data = BinaryData.FromString(message);
        var result = new List<BlobCreated>();
        Exception? first = null;
        try
        {
            foreach (EventGridEvent e in EventGridEvent.ParseMany(data))
            {
                if (e.EventType == BlobCreatedType && e.TryGetSystemEventData(out object? system) && system is StorageBlobCreatedEventData created)
                {
                    Add(result, created.Url, e.Subject, e.Id, created.ETag);
                }
            }

            return result;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            first = e;
        }

        try
        {
            foreach (CloudEvent e in CloudEvent.ParseMany(data))
            {
                if (e.Type == BlobCreatedType && e.TryGetSystemEventData(out object? system) && system is StorageBlobCreatedEventData created)
                {
                    Add(result, created.Url, e.Subject, e.Id, created.ETag);
                }
            }

            return result;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new InvalidInputException(InputProblem.InvalidMessage, $"blob-events message is neither an Event Grid nor a CloudEvents event: {first.Message.ReplaceLineEndings(" ")}", first);
        }
    }

    /// <summary>Builds the Event Grid event the storage account would send for a created blob (for tests, the demo, and
    /// uploaders that enqueue the event themselves).</summary>
    /// <param name="blobUri">The blob's URL.</param>
    /// <param name="etag">Its ETag.</param>
    /// <param name="length">Its size.</param>
    /// <returns>The event as JSON (an array of one event, as Event Grid delivers).</returns>
    public static string CreateBlobCreatedEvent(Uri blobUri, string etag, long length)
    {
        ArgumentNullException.ThrowIfNull(blobUri);
        var builder = new BlobUriBuilder(blobUri);
        var data = new Dictionary<string, object?>
        {
            ["api"] = "PutBlob",
            ["eTag"] = etag,
            ["contentType"] = "application/octet-stream",
            ["contentLength"] = length,
            ["blobType"] = "BlockBlob",
            ["url"] = blobUri.ToString(),
            ["sequencer"] = "0",
        };
        var e = new EventGridEvent($"/blobServices/default/containers/{builder.BlobContainerName}/blobs/{builder.BlobName}", BlobCreatedType, "1", BinaryData.FromObjectAsJson(data))
        {
            Id = Guid.NewGuid().ToString(),
            Topic = $"/subscriptions/local/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/{builder.AccountName}",
        };
        return System.Text.Json.JsonSerializer.Serialize(new[] { e }, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
    }

    private static void Add(List<BlobCreated> result, string? url, string? subject, string id, string? etag)
    {
        if (!string.IsNullOrEmpty(url) && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            var b = new BlobUriBuilder(uri);
            if (!string.IsNullOrEmpty(b.BlobContainerName) && !string.IsNullOrEmpty(b.BlobName))
            {
                result.Add(new BlobCreated(b.BlobContainerName, b.BlobName, id, etag));
                return;
            }
        }

        // Subject: /blobServices/default/containers/{container}/blobs/{name}
        const string c = "/containers/";
        const string bl = "/blobs/";
        if (subject is not null && subject.IndexOf(c, StringComparison.Ordinal) is int ci and >= 0 && subject.IndexOf(bl, ci, StringComparison.Ordinal) is int bi and >= 0)
        {
            result.Add(new BlobCreated(subject[(ci + c.Length)..bi], subject[(bi + bl.Length)..], id, etag));
        }
    }
}
