namespace Astro.Services.Storage;

/// <summary>
/// One blob container, as the application services need it. Implementations: Azure Blob Storage (Astro.Storage) and an
/// in-memory container for tests. Blob names are used exactly as given — including names with dot segments
/// (<c>../x.csv</c>), control characters or spaces — and never normalised.
/// </summary>
/// <remarks>
/// Conditions the services act on are reported in these terms: a missing blob as <see langword="null"/> or
/// <see cref="BlobChangedException"/>, a changed version as <see cref="BlobChangedException"/>. Every other storage failure
/// (network, throttling, authorisation) propagates as the implementation's own exception: the trigger retries it.
/// </remarks>
public interface IBlobContainer
{
    /// <summary>Gets the container's name.</summary>
    string Name { get; }

    /// <summary>Reads a blob's properties.</summary>
    /// <param name="name">The blob name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The properties, or <see langword="null"/> when the blob does not exist.</returns>
    Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Downloads a small blob into memory.</summary>
    /// <param name="name">The blob name.</param>
    /// <param name="maxBytes">The most bytes accepted; a larger blob throws <see cref="BlobTooLargeException"/> without being read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The content and properties, or <see langword="null"/> when the blob does not exist.</returns>
    /// <exception cref="BlobTooLargeException">The blob is larger than <paramref name="maxBytes"/>.</exception>
    Task<BlobContent?> DownloadAsync(string name, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Downloads one version of a blob (or a byte range of it) to a local file.</summary>
    /// <param name="name">The blob name.</param>
    /// <param name="path">The local file (overwritten).</param>
    /// <param name="ifMatch">The version (ETag) wanted, or <see langword="null"/> for whatever is there.</param>
    /// <param name="range">The byte range, or <see langword="null"/> for the whole blob.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The properties of the version downloaded.</returns>
    /// <exception cref="BlobChangedException">The blob is gone or is no longer that version.</exception>
    Task<BlobProperties> DownloadToFileAsync(string name, string path, string? ifMatch = null, BlobRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Opens a read stream over one version of a blob (or a byte range of it).</summary>
    /// <param name="name">The blob name.</param>
    /// <param name="ifMatch">The version (ETag) wanted, or <see langword="null"/>.</param>
    /// <param name="range">The byte range, or <see langword="null"/> for the whole blob.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream (the caller disposes it).</returns>
    /// <exception cref="BlobChangedException">The blob is gone or is no longer that version.</exception>
    Task<Stream> OpenReadAsync(string name, string? ifMatch = null, BlobRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Uploads a blob.</summary>
    /// <param name="name">The blob name.</param>
    /// <param name="content">The content (read to its end).</param>
    /// <param name="options">Content type, metadata, overwrite and integrity options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version's properties.</returns>
    /// <exception cref="BlobChangedException"><see cref="BlobWriteOptions.Overwrite"/> is false and the blob exists.</exception>
    Task<BlobProperties> UploadAsync(string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the blobs whose names start with a prefix, in name order.</summary>
    /// <param name="prefix">The prefix ("" for all).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The blobs with their properties and metadata.</returns>
    IAsyncEnumerable<BlobProperties> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Lists the "folders" one level below a prefix (the distinct name parts up to the next '/').</summary>
    /// <param name="prefix">The prefix ("" for the top level).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The prefixes, each ending with '/'.</returns>
    IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob if it exists.</summary>
    /// <param name="name">The blob name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it existed.</returns>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stages a block of a block blob from a range of another blob of the same account, on the server: no byte passes
    /// through the caller. Blocks become the blob only with <see cref="CommitBlocksAsync"/>.
    /// </summary>
    /// <param name="name">The blob being composed.</param>
    /// <param name="blockId">The block id (Base64 of at most 64 bytes; every id of one blob has the same length).</param>
    /// <param name="source">The source blob name in this container.</param>
    /// <param name="range">The source byte range (at most 4000 MiB).</param>
    /// <param name="sourceIfMatch">The source version required, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="BlobChangedException">The source is gone or is no longer that version.</exception>
    Task StageBlockFromBlobAsync(string name, string blockId, string source, BlobRange range, string? sourceIfMatch = null, CancellationToken cancellationToken = default);

    /// <summary>Stages a block of a block blob from bytes the caller holds (small header and trailer blocks).</summary>
    /// <param name="name">The blob being composed.</param>
    /// <param name="blockId">The block id.</param>
    /// <param name="content">The block's bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task StageBlockAsync(string name, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Makes the staged blocks, in this order, the content of the blob (replacing it).</summary>
    /// <param name="name">The blob.</param>
    /// <param name="blockIds">The staged block ids in order (at most 50,000).</param>
    /// <param name="options">Content type and metadata.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version's properties.</returns>
    Task<BlobProperties> CommitBlocksAsync(string name, IReadOnlyList<string> blockIds, BlobWriteOptions? options = null, CancellationToken cancellationToken = default);
}
