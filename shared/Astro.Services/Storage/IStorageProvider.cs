namespace Astro.Services.Storage;

/// <summary>Makes containers and queues by name: the one thing a storage adapter registers.</summary>
public interface IStorageProvider
{
    /// <summary>A container (it need not exist yet).</summary>
    /// <param name="name">The container name.</param>
    /// <returns>The container.</returns>
    IBlobContainer GetContainer(string name);

    /// <summary>A queue (it need not exist yet).</summary>
    /// <param name="name">The queue name.</param>
    /// <returns>The queue.</returns>
    IMessageQueue GetQueue(string name);

    /// <summary>Creates a container if it does not exist.</summary>
    /// <param name="name">The container name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was created now.</returns>
    Task<bool> CreateContainerIfNotExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Creates a queue if it does not exist.</summary>
    /// <param name="name">The queue name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was created now.</returns>
    Task<bool> CreateQueueIfNotExistsAsync(string name, CancellationToken cancellationToken = default);
}
