namespace Astro.Services.Storage;

/// <summary>What the services know about one blob version.</summary>
/// <param name="Name">The blob name, exactly as stored.</param>
/// <param name="ETag">The version's ETag.</param>
/// <param name="Length">The size in bytes.</param>
/// <param name="LastModified">When the version was written (storage clock).</param>
/// <param name="ContentType">The content type, or <see langword="null"/>.</param>
/// <param name="ContentMd5">The stored MD5 of the content, or <see langword="null"/> when none was stored.</param>
/// <param name="Metadata">The metadata (keys compared without case).</param>
public sealed record BlobProperties(string Name, string ETag, long Length, DateTimeOffset LastModified, string? ContentType, byte[]? ContentMd5, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The value of a metadata key (any case), or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public string? MetadataValue(string key)
    {
        foreach (KeyValuePair<string, string> kv in Metadata)
        {
            if (string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return kv.Value;
            }
        }

        return null;
    }
}

/// <summary>A small blob read into memory.</summary>
/// <param name="Properties">The version read.</param>
/// <param name="Content">Its bytes.</param>
public sealed record BlobContent(BlobProperties Properties, ReadOnlyMemory<byte> Content)
{
    /// <summary>The content as UTF-8 text.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Content.Span);
}

/// <summary>A byte range of a blob.</summary>
/// <param name="Offset">The first byte.</param>
/// <param name="Length">The number of bytes.</param>
public readonly record struct BlobRange(long Offset, long Length);

/// <summary>How a blob is written.</summary>
public sealed class BlobWriteOptions
{
    /// <summary>Gets or sets the content type.</summary>
    /// <value>The default value is <see langword="null"/> (none).</value>
    public string? ContentType { get; init; }

    /// <summary>Gets or sets the metadata (keys must be C# identifiers; values ASCII).</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Gets or sets whether an existing blob is replaced.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Overwrite { get; init; } = true;

    /// <summary>Gets or sets whether the content's MD5 is sent, stored and checked by the service.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool StoreMd5 { get; init; }
}
