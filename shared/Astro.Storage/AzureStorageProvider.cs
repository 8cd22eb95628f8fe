using Astro.Services.Storage;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using Azure.Storage.Sas;

namespace Astro.Storage;

/// <summary>
/// <see cref="IStorageProvider"/> for Azure Storage: blob containers and Base64 queues of one account, authenticated by
/// an account key, a SAS, or a Microsoft Entra identity (<see cref="StorageConnection"/>).
/// </summary>
public sealed class AzureStorageProvider : IStorageProvider
{
    private readonly StorageConnection _connection;
    private readonly BlobServiceClient _blobs;
    private readonly QueueServiceClient _queues;
    private readonly BlobClientOptions _blobOptions;

    /// <summary>Creates the provider.</summary>
    /// <param name="connection">The account and its credential.</param>
    public AzureStorageProvider(StorageConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _blobOptions = new BlobClientOptions();
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (connection.SharedKey is { } key)
        {
            _blobs = new BlobServiceClient(connection.BlobServiceUri, key, _blobOptions);
            _queues = new QueueServiceClient(connection.QueueServiceUri, key, queueOptions);
        }
        else if (connection.Token is { } token)
        {
            _blobs = new BlobServiceClient(connection.BlobServiceUri, token, _blobOptions);
            _queues = new QueueServiceClient(connection.QueueServiceUri, token, queueOptions);
        }
        else
        {
            var sas = new AzureSasCredential(connection.Sas!);
            _blobs = new BlobServiceClient(connection.BlobServiceUri, sas, _blobOptions);
            _queues = new QueueServiceClient(connection.QueueServiceUri, sas, queueOptions);
        }
    }

    /// <summary>Creates the provider from a connection string.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <exception cref="FormatException">It is malformed.</exception>
    public AzureStorageProvider(string connectionString)
        : this(StorageConnection.Parse(connectionString))
    {
    }

    /// <summary>Gets the connection.</summary>
    public StorageConnection Connection => _connection;

    /// <inheritdoc/>
    public IBlobContainer GetContainer(string name) => new AzureBlobContainer(_blobs.GetBlobContainerClient(name), this);

    /// <inheritdoc/>
    public IMessageQueue GetQueue(string name) => new AzureMessageQueue(_queues.GetQueueClient(name));

    /// <inheritdoc/>
    public async Task<bool> CreateContainerIfNotExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        Response<BlobContainerInfo>? r = await _blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return r is not null;
    }

    /// <inheritdoc/>
    public async Task<bool> CreateQueueIfNotExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        Response? r = await _queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return r is not null && r.Status == 201;
    }

    /// <summary>The URL of a blob in a container, its name escaped whole (see <see cref="AzureBlobContainer"/>).</summary>
    /// <param name="container">The container.</param>
    /// <param name="blob">The blob name.</param>
    /// <returns>The URL (without credentials).</returns>
    public Uri BlobUri(string container, string blob) => ((AzureBlobContainer)GetContainer(container)).BlobUri(blob);

    internal BlobClient CreateBlobClient(Uri uri) =>
        _connection.SharedKey is { } key ? new BlobClient(uri, key, _blobOptions)
        : _connection.Token is { } token ? new BlobClient(uri, token, _blobOptions)
        : new BlobClient(uri, new AzureSasCredential(_connection.Sas!), _blobOptions);

    internal BlockBlobClient CreateBlockBlobClient(Uri uri) =>
        _connection.SharedKey is { } key ? new BlockBlobClient(uri, key, _blobOptions)
        : _connection.Token is { } token ? new BlockBlobClient(uri, token, _blobOptions)
        : new BlockBlobClient(uri, new AzureSasCredential(_connection.Sas!), _blobOptions);

    /// <summary>
    /// Makes a source blob readable by the service for a copy from URL: a one-hour read SAS when the account key is
    /// known, the caller's own SAS, or the identity's bearer token in the copy-source authorization header.
    /// </summary>
    internal async Task<Uri> AuthorizeSourceAsync(BlobClient source, StageBlockFromUriOptions options, CancellationToken cancellationToken)
    {
        if (_connection.SharedKey is not null)
        {
            return source.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
        }

        if (_connection.Token is { } token)
        {
            AccessToken t = await token.GetTokenAsync(new TokenRequestContext(["https://storage.azure.com/.default"]), cancellationToken).ConfigureAwait(false);
            options.SourceAuthentication = new HttpAuthorization("Bearer", t.Token);
            return source.Uri;
        }

        return new UriBuilder(source.Uri) { Query = _connection.Sas }.Uri;
    }
}
