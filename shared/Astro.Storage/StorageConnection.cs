using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Microsoft.Extensions.Configuration;

namespace Astro.Storage;

/// <summary>
/// How to reach a storage account, read from the same settings the Functions host reads for a connection name
/// (<c>AzureWebJobsStorage</c> by default): either a connection string in the setting itself, or identity-based
/// settings below it — <c>{name}__blobServiceUri</c> and <c>{name}__queueServiceUri</c> (or <c>{name}__accountName</c>),
/// with <c>{name}__credential = managedidentity</c> and <c>{name}__clientId</c> for a user-assigned identity.
/// </summary>
public sealed class StorageConnection
{
    private StorageConnection(Uri blobService, Uri queueService, StorageSharedKeyCredential? sharedKey, string? sas, TokenCredential? token, string account)
    {
        BlobServiceUri = blobService;
        QueueServiceUri = queueService;
        SharedKey = sharedKey;
        Sas = sas;
        Token = token;
        AccountName = account;
    }

    /// <summary>Gets the blob service endpoint.</summary>
    public Uri BlobServiceUri { get; }

    /// <summary>Gets the queue service endpoint.</summary>
    public Uri QueueServiceUri { get; }

    /// <summary>Gets the account name.</summary>
    public string AccountName { get; }

    /// <summary>Gets the shared-key credential (connection strings with an account key).</summary>
    public StorageSharedKeyCredential? SharedKey { get; }

    /// <summary>Gets the SAS token (connection strings with a shared access signature), without the leading '?'.</summary>
    public string? Sas { get; }

    /// <summary>Gets the Microsoft Entra credential (identity-based settings).</summary>
    public TokenCredential? Token { get; }

    /// <summary>Gets whether the connection authenticates with an identity rather than a key or SAS.</summary>
    public bool UsesIdentity => Token is not null;

    /// <summary>Reads a connection from configuration.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="name">The connection name.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="FormatException">Neither form is configured, or a setting is malformed; the message names the setting.</exception>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(name);
        string? connectionString = configuration[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Parse(connectionString, name);
        }

        IConfigurationSection section = configuration.GetSection(name);
        string? account = section["accountName"];
        Uri? blob = ReadUri(section, "blobServiceUri", name) ?? (account is null ? null : new Uri($"https://{account}.blob.core.windows.net"));
        Uri? queue = ReadUri(section, "queueServiceUri", name) ?? (account is null ? null : new Uri($"https://{account}.queue.core.windows.net"));
        if (blob is null || queue is null)
        {
            throw new FormatException($"the storage connection '{name}' is not set: give a connection string in {name}, or {name}__blobServiceUri and {name}__queueServiceUri (or {name}__accountName) for an identity");
        }

        string? credential = section["credential"];
        if (credential is not null && !credential.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"{name}__credential is '{credential}'; the only value is 'managedidentity' (leave it out for the default Azure credential chain)");
        }

        string? clientId = section["clientId"];
        TokenCredential token = credential is null && clientId is null
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
        return new StorageConnection(blob, queue, null, null, token, account ?? blob.Host.Split('.')[0]);
    }

    /// <summary>Parses a connection string (account key, SAS, or <c>UseDevelopmentStorage=true</c>).</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="setting">The setting's name, for messages.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="FormatException">The string is malformed; the message names the setting and the part.</exception>
    public static StorageConnection Parse(string connectionString, string setting = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"the storage connection string in {setting} is malformed (a part has no 'key=value')");
            }

            parts[part[..eq]] = part[(eq + 1)..];
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out string? dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            const string devAccount = "devstoreaccount1";
            const string devKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
            return new StorageConnection(new Uri($"http://127.0.0.1:10000/{devAccount}"), new Uri($"http://127.0.0.1:10001/{devAccount}"), new StorageSharedKeyCredential(devAccount, devKey), null, null, devAccount);
        }

        parts.TryGetValue("AccountName", out string? account);
        string protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        string suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        Uri? blob = Endpoint(parts, "BlobEndpoint", setting) ?? (account is null ? null : new Uri($"{protocol}://{account}.blob.{suffix}"));
        Uri? queue = Endpoint(parts, "QueueEndpoint", setting) ?? (account is null ? null : new Uri($"{protocol}://{account}.queue.{suffix}"));
        if (blob is null || queue is null)
        {
            throw new FormatException($"the storage connection string in {setting} names neither an AccountName nor BlobEndpoint and QueueEndpoint");
        }

        account ??= blob.Host.Split('.')[0];
        if (parts.TryGetValue("AccountKey", out string? key))
        {
            try
            {
                return new StorageConnection(blob, queue, new StorageSharedKeyCredential(account, key), null, null, account);
            }
            catch (FormatException)
            {
                throw new FormatException($"the AccountKey of the storage connection string in {setting} is not Base64");
            }
        }

        if (parts.TryGetValue("SharedAccessSignature", out string? sas) && sas.Length > 0)
        {
            return new StorageConnection(blob, queue, null, sas.TrimStart('?'), null, account);
        }

        throw new FormatException($"the storage connection string in {setting} has neither an AccountKey nor a SharedAccessSignature");
    }

    private static Uri? Endpoint(Dictionary<string, string> parts, string key, string setting)
    {
        if (!parts.TryGetValue(key, out string? value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"the {key} of the storage connection string in {setting} is not an http(s) URL");
    }

    private static Uri? ReadUri(IConfigurationSection section, string key, string name)
    {
        string? value = section[key];
        if (value is null)
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"{name}__{key} '{value}' is not an http(s) URL");
    }
}
