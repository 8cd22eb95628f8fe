namespace Astro.Services.Storage;

/// <summary>The blob asked for is gone, or is no longer the version asked for (or exists where it must not).</summary>
/// <param name="container">The container.</param>
/// <param name="blob">The blob name.</param>
/// <param name="message">What happened.</param>
/// <param name="inner">The storage error.</param>
public sealed class BlobChangedException(string container, string blob, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Gets the container.</summary>
    public string Container { get; } = container;

    /// <summary>Gets the blob name.</summary>
    public string Blob { get; } = blob;
}

/// <summary>A blob is larger than the caller accepts; nothing was read.</summary>
/// <param name="container">The container.</param>
/// <param name="blob">The blob name.</param>
/// <param name="length">Its size in bytes.</param>
/// <param name="limit">The most bytes accepted.</param>
public sealed class BlobTooLargeException(string container, string blob, long length, long limit)
    : Exception($"Blob '{container}/{blob}' has {length} bytes; at most {limit} are read into memory.")
{
    /// <summary>Gets the blob's size.</summary>
    public long Length { get; } = length;

    /// <summary>Gets the limit.</summary>
    public long Limit { get; } = limit;
}

/// <summary>A received queue message is no longer ours: it was deleted, or its visibility ran out and another consumer took it.</summary>
/// <param name="queue">The queue.</param>
/// <param name="messageId">The message id.</param>
/// <param name="inner">The storage error.</param>
public sealed class MessageLostException(string queue, string messageId, Exception? inner = null)
    : Exception($"Message {messageId} of queue {queue} is no longer held by this consumer.", inner);
