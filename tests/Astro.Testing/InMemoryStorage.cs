using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Astro.Services.Storage;

namespace Astro.Testing;

/// <summary>
/// The storage interfaces in memory, for unit tests of the application services: blobs with ETags, metadata and MD5,
/// block staging and commit, and queues with visibility, receipts and dequeue counts (time from a <see cref="TimeProvider"/>).
/// </summary>
public sealed class InMemoryStorage(TimeProvider? time = null) : IStorageProvider
{
    private readonly ConcurrentDictionary<string, InMemoryContainer> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InMemoryQueue> _queues = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Gets or sets a hook run before every upload (tests inject failures with it).</summary>
    public Action<string, string>? BeforeUpload { get; set; }

    public IBlobContainer GetContainer(string name) => _containers.GetOrAdd(name, n => new InMemoryContainer(n, this));

    public IMessageQueue GetQueue(string name) => _queues.GetOrAdd(name, n => new InMemoryQueue(n, _time));

    /// <summary>The queue of a name, with its test-only views.</summary>
    /// <param name="name">The queue name.</param>
    /// <returns>The queue.</returns>
    public InMemoryQueue Queue(string name) => (InMemoryQueue)GetQueue(name);

    public Task<bool> CreateContainerIfNotExistsAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_containers.TryAdd(name, new InMemoryContainer(name, this)));

    public Task<bool> CreateQueueIfNotExistsAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_queues.TryAdd(name, new InMemoryQueue(name, _time)));

    private sealed record Blob(byte[] Content, BlobProperties Properties);

    private sealed class InMemoryContainer(string name, InMemoryStorage owner) : IBlobContainer
    {
        private readonly ConcurrentDictionary<string, Blob> _blobs = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<(string, string), byte[]> _staged = new();
        private long _etag;

        public string Name => name;

        public Task<BlobProperties?> GetPropertiesAsync(string blob, CancellationToken cancellationToken = default) =>
            Task.FromResult(_blobs.TryGetValue(blob, out Blob? b) ? b.Properties : null);

        public Task<BlobContent?> DownloadAsync(string blob, long maxBytes, CancellationToken cancellationToken = default)
        {
            if (!_blobs.TryGetValue(blob, out Blob? b))
            {
                return Task.FromResult<BlobContent?>(null);
            }

            return b.Content.Length > maxBytes
                ? throw new BlobTooLargeException(name, blob, b.Content.Length, maxBytes)
                : Task.FromResult<BlobContent?>(new BlobContent(b.Properties, b.Content));
        }

        public async Task<BlobProperties> DownloadToFileAsync(string blob, string path, string? ifMatch = null, BlobRange? range = null, CancellationToken cancellationToken = default)
        {
            Blob b = Get(blob, ifMatch);
            await File.WriteAllBytesAsync(path, Slice(b.Content, range), cancellationToken).ConfigureAwait(false);
            return b.Properties;
        }

        public Task<Stream> OpenReadAsync(string blob, string? ifMatch = null, BlobRange? range = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<Stream>(new MemoryStream(Slice(Get(blob, ifMatch).Content, range), writable: false));

        public async Task<BlobProperties> UploadAsync(string blob, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
        {
            options ??= new BlobWriteOptions();
            owner.BeforeUpload?.Invoke(name, blob);
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Put(blob, buffer.ToArray(), options);
        }

        public async IAsyncEnumerable<BlobProperties> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (KeyValuePair<string, Blob> kv in _blobs.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                yield return kv.Value.Properties;
            }
        }

        public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (string folder in _blobs.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) > 0)
                .Select(k => k[..(k.IndexOf('/', prefix.Length) + 1)]).Distinct().Order(StringComparer.Ordinal))
            {
                yield return folder;
            }
        }

        public Task<bool> DeleteAsync(string blob, CancellationToken cancellationToken = default) => Task.FromResult(_blobs.TryRemove(blob, out _));

        public Task StageBlockFromBlobAsync(string blob, string blockId, string source, BlobRange range, string? sourceIfMatch = null, CancellationToken cancellationToken = default)
        {
            _staged[(blob, blockId)] = Slice(Get(source, sourceIfMatch).Content, range);
            return Task.CompletedTask;
        }

        public Task StageBlockAsync(string blob, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            _staged[(blob, blockId)] = content.ToArray();
            return Task.CompletedTask;
        }

        public Task<BlobProperties> CommitBlocksAsync(string blob, IReadOnlyList<string> blockIds, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
        {
            byte[] content = [.. blockIds.SelectMany(id => _staged.TryGetValue((blob, id), out byte[]? b) ? b : throw new InvalidOperationException($"block {id} of {blob} was not staged"))];
            return Task.FromResult(Put(blob, content, options ?? new BlobWriteOptions()));
        }

        private BlobProperties Put(string blob, byte[] content, BlobWriteOptions options)
        {
            if (!options.Overwrite && _blobs.ContainsKey(blob))
            {
                throw new BlobChangedException(name, blob, $"Blob '{name}/{blob}' already exists.");
            }

            string etag = $"\"0x{Interlocked.Increment(ref _etag):X8}\"";
            var props = new BlobProperties(blob, etag, content.Length, DateTimeOffset.UtcNow, options.ContentType, options.StoreMd5 ? MD5.HashData(content) : null,
                new Dictionary<string, string>(options.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase));
            _blobs[blob] = new Blob(content, props);
            return props;
        }

        private Blob Get(string blob, string? ifMatch) =>
            _blobs.TryGetValue(blob, out Blob? b) && (ifMatch is null || b.Properties.ETag == ifMatch)
                ? b
                : throw new BlobChangedException(name, blob, $"Blob '{name}/{blob}' is gone or changed.");

        private static byte[] Slice(byte[] content, BlobRange? range) =>
            range is { } r ? content.AsSpan((int)Math.Min(r.Offset, content.Length), (int)Math.Min(r.Length, Math.Max(0, content.Length - r.Offset))).ToArray() : content;
    }
}

/// <summary>An in-memory queue with visibility timeouts, receipts and dequeue counts.</summary>
public sealed class InMemoryQueue(string name, TimeProvider time) : IMessageQueue
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];
    private long _ids;

    public string Name => name;

    /// <summary>Gets the texts of every message, visible or not, in send order.</summary>
    public IReadOnlyList<string> Texts
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Select(e => e.Text)];
            }
        }
    }

    public Task SendAsync(string message, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _entries.Add(new Entry((++_ids).ToString(System.Globalization.CultureInfo.InvariantCulture), message) { VisibleAt = time.GetUtcNow() + (visibilityDelay ?? TimeSpan.Zero) });
        }

        return Task.CompletedTask;
    }

    public Task<QueuedMessage?> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            Entry? e = _entries.FirstOrDefault(x => x.VisibleAt <= now);
            if (e is null)
            {
                return Task.FromResult<QueuedMessage?>(null);
            }

            e.DequeueCount++;
            e.Receipt = Guid.NewGuid().ToString("N");
            e.VisibleAt = now + visibility;
            return Task.FromResult<QueuedMessage?>(new QueuedMessage(e.Id, e.Receipt, e.Text, e.DequeueCount));
        }
    }

    public Task<QueuedMessage> UpdateVisibilityAsync(QueuedMessage message, TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Entry e = Held(message);
            e.Receipt = Guid.NewGuid().ToString("N");
            e.VisibleAt = time.GetUtcNow() + visibility;
            return Task.FromResult(message with { Receipt = e.Receipt });
        }
    }

    public Task DeleteAsync(QueuedMessage message, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _entries.Remove(Held(message));
        }

        return Task.CompletedTask;
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_entries.Count);
        }
    }

    private Entry Held(QueuedMessage message) =>
        _entries.FirstOrDefault(e => e.Id == message.Id && e.Receipt == message.Receipt) ?? throw new MessageLostException(name, message.Id);

    private sealed class Entry(string id, string text)
    {
        public string Id { get; } = id;

        public string Text { get; } = text;

        public string? Receipt { get; set; }

        public long DequeueCount { get; set; }

        public DateTimeOffset VisibleAt { get; set; }
    }
}
