using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Astro.Services.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using BlobProperties = Astro.Services.Storage.BlobProperties;
using SdkProperties = Azure.Storage.Blobs.Models.BlobProperties;

namespace Astro.Storage;

/// <summary>
/// <see cref="IBlobContainer"/> over Azure Blob Storage (and Azurite). Every blob is addressed by a URL whose name is
/// escaped whole — '/' included — so names with dot segments (<c>../x.csv</c>), control characters or '%' reach the
/// blob they name: the SDK's own <c>GetBlobClient</c> lets the URI parser collapse <c>a/../b</c> into <c>b</c>.
/// </summary>
internal sealed class AzureBlobContainer : IBlobContainer
{
    private readonly BlobContainerClient _client;
    private readonly AzureStorageProvider _provider;

    public AzureBlobContainer(BlobContainerClient client, AzureStorageProvider provider)
    {
        _client = client;
        _provider = provider;
    }

    public string Name => _client.Name;

    public async Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            Response<SdkProperties> r = await Blob(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return Map(name, r.Value);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<BlobContent?> DownloadAsync(string name, long maxBytes, CancellationToken cancellationToken = default)
    {
        BlobProperties? props = await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false);
        if (props is null)
        {
            return null;
        }

        if (props.Length > maxBytes)
        {
            throw new BlobTooLargeException(Name, name, props.Length, maxBytes);
        }

        try
        {
            Response<BlobDownloadResult> r = await Blob(name).DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(props.ETag) } }, cancellationToken).ConfigureAwait(false);
            return new BlobContent(props, r.Value.Content.ToMemory());
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Replaced or deleted between the two calls: the caller sees what a later call would see.
            return await DownloadAsync(name, maxBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<BlobProperties> DownloadToFileAsync(string name, string path, string? ifMatch = null, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        BlobClient blob = Blob(name);
        var conditions = new BlobRequestConditions { IfMatch = ifMatch is null ? null : new ETag(ifMatch) };
        try
        {
            if (range is null)
            {
                Response<SdkProperties> props = await blob.GetPropertiesAsync(conditions, cancellationToken).ConfigureAwait(false);
                await blob.DownloadToAsync(path, new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = props.Value.ETag } }, cancellationToken).ConfigureAwait(false);
                return Map(name, props.Value);
            }

            BlobRange r = range.Value;
            Response<BlobDownloadStreamingResult> part = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(r.Offset, r.Length), Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            await using (Stream content = part.Value.Content)
            await using (FileStream file = File.Create(path))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            BlobDownloadDetails d = part.Value.Details;
            return new BlobProperties(name, d.ETag.ToString(), TotalLength(d.ContentRange) ?? r.Length, d.LastModified, d.ContentType, d.BlobContentHash, Metadata(d.Metadata));
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw Changed(name, ifMatch, e);
        }
    }

    public async Task<Stream> OpenReadAsync(string name, string? ifMatch = null, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        var conditions = new BlobRequestConditions { IfMatch = ifMatch is null ? null : new ETag(ifMatch) };
        try
        {
            if (range is { } r)
            {
                Response<BlobDownloadStreamingResult> part = await Blob(name).DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(r.Offset, r.Length), Conditions = conditions }, cancellationToken).ConfigureAwait(false);
                return part.Value.Content;
            }

            // Read in 4 MiB requests, each conditional on the version the stream started with.
            return await Blob(name).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = conditions, BufferSize = 4 << 20 }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw Changed(name, ifMatch, e);
        }
    }

    public async Task<BlobProperties> UploadAsync(string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new BlobWriteOptions();
        byte[]? md5 = null;
        if (options.StoreMd5)
        {
            if (!content.CanSeek)
            {
                throw new ArgumentException("StoreMd5 needs a seekable stream.", nameof(content));
            }

            long start = content.Position;
            md5 = await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
            content.Position = start;
        }

        var counting = new CountingStream(content);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = options.ContentType, ContentHash = md5 },
            Metadata = options.Metadata?.ToDictionary(),
            Conditions = options.Overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            Response<BlobContentInfo> r = await Blob(name).UploadAsync(counting, upload, cancellationToken).ConfigureAwait(false);
            return new BlobProperties(name, r.Value.ETag.ToString(), counting.Count, r.Value.LastModified, options.ContentType, md5, Metadata(options.Metadata));
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 && !options.Overwrite)
        {
            throw new BlobChangedException(Name, name, $"Blob '{Name}/{BlobNames.Printable(name)}' already exists.", e);
        }
    }

    public async IAsyncEnumerable<BlobProperties> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (BlobItem item in _client.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, string.IsNullOrEmpty(prefix) ? null : prefix, cancellationToken).ConfigureAwait(false))
        {
            BlobItemProperties p = item.Properties;
            yield return new BlobProperties(item.Name, p.ETag?.ToString() ?? "", p.ContentLength ?? 0, p.LastModified ?? DateTimeOffset.MinValue, p.ContentType, p.ContentHash, Metadata(item.Metadata));
        }
    }

    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (BlobHierarchyItem item in _client.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", string.IsNullOrEmpty(prefix) ? null : prefix, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                yield return item.Prefix;
            }
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        Response<bool> r = await Blob(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return r.Value;
    }

    public async Task StageBlockFromBlobAsync(string name, string blockId, string source, BlobRange range, string? sourceIfMatch = null, CancellationToken cancellationToken = default)
    {
        var options = new StageBlockFromUriOptions
        {
            SourceRange = new HttpRange(range.Offset, range.Length),
            SourceConditions = sourceIfMatch is null ? null : new BlobRequestConditions { IfMatch = new ETag(sourceIfMatch) },
        };
        Uri sourceUri = await _provider.AuthorizeSourceAsync(Blob(source), options, cancellationToken).ConfigureAwait(false);
        try
        {
            await BlockBlob(name).StageBlockFromUriAsync(sourceUri, blockId, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412 && e.ErrorCode is not "BlobNotFound" || e.ErrorCode is "CannotVerifyCopySource" or "SourceConditionNotMet")
        {
            throw Changed(source, sourceIfMatch, e);
        }
    }

    public async Task StageBlockAsync(string name, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await BlockBlob(name).StageBlockAsync(blockId, stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<BlobProperties> CommitBlocksAsync(string name, IReadOnlyList<string> blockIds, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobWriteOptions();
        Response<BlobContentInfo> r = await BlockBlob(name).CommitBlockListAsync(blockIds, new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = options.ContentType },
            Metadata = options.Metadata?.ToDictionary(),
        }, cancellationToken).ConfigureAwait(false);
        BlobProperties? props = await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false);
        return props ?? new BlobProperties(name, r.Value.ETag.ToString(), 0, r.Value.LastModified, options.ContentType, null, Metadata(options.Metadata));
    }

    internal Uri BlobUri(string name) => new($"{_client.Uri.AbsoluteUri.TrimEnd('/')}/{Uri.EscapeDataString(name)}");

    private BlobClient Blob(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _provider.CreateBlobClient(BlobUri(name));
    }

    private BlockBlobClient BlockBlob(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _provider.CreateBlockBlobClient(BlobUri(name));
    }

    private BlobChangedException Changed(string name, string? ifMatch, RequestFailedException e) =>
        new(Name, name, e.Status == 404 ? $"Blob '{Name}/{BlobNames.Printable(name)}' does not exist." : $"Blob '{Name}/{BlobNames.Printable(name)}' is no longer version {ifMatch}.", e);

    private static BlobProperties Map(string name, SdkProperties p) =>
        new(name, p.ETag.ToString(), p.ContentLength, p.LastModified, p.ContentType, p.ContentHash is { Length: > 0 } h ? h : null, Metadata(p.Metadata));

    private static Dictionary<string, string> Metadata(IEnumerable<KeyValuePair<string, string>>? metadata) =>
        new(metadata ?? [], StringComparer.OrdinalIgnoreCase);

    private static long? TotalLength(string? contentRange)
    {
        // "bytes 0-99/1234"
        int slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), out long total) ? total : null;
    }

    /// <summary>Counts the bytes the SDK reads, so an upload reports its length without a second call.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set
            {
                inner.Position = value;
                Count = value;
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Count += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            long p = inner.Seek(offset, origin);
            Count = p;
            return p;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
