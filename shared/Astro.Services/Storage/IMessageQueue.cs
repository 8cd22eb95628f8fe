namespace Astro.Services.Storage;

/// <summary>
/// One storage queue, as the services need it: sending (every service) and, for the training worker that consumes
/// jobs itself, receiving with a visibility lease. Implementations: Azure Queue Storage (Base64 messages, as the
/// Functions queue trigger expects) and an in-memory queue for tests.
/// </summary>
public interface IMessageQueue
{
    /// <summary>Gets the queue's name.</summary>
    string Name { get; }

    /// <summary>Sends a message.</summary>
    /// <param name="message">The text (at most 48 KiB after Base64).</param>
    /// <param name="visibilityDelay">How long it stays invisible, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SendAsync(string message, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default);

    /// <summary>Receives one message and makes it invisible to others for <paramref name="visibility"/>.</summary>
    /// <param name="visibility">The visibility timeout.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message, or <see langword="null"/> when the queue is empty.</returns>
    Task<QueuedMessage?> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default);

    /// <summary>Extends or shortens a received message's invisibility.</summary>
    /// <param name="message">The message (its receipt).</param>
    /// <param name="visibility">The new visibility timeout from now.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message with its new receipt.</returns>
    /// <exception cref="MessageLostException">The receipt is no longer valid.</exception>
    Task<QueuedMessage> UpdateVisibilityAsync(QueuedMessage message, TimeSpan visibility, CancellationToken cancellationToken = default);

    /// <summary>Deletes a received message.</summary>
    /// <param name="message">The message (its receipt).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MessageLostException">The receipt is no longer valid.</exception>
    Task DeleteAsync(QueuedMessage message, CancellationToken cancellationToken = default);

    /// <summary>Approximate number of messages (visible or not).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    Task<int> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>A received message.</summary>
/// <param name="Id">The message id.</param>
/// <param name="Receipt">The receipt that proves this consumer holds it (changes with every visibility update).</param>
/// <param name="Text">The message text.</param>
/// <param name="DequeueCount">How many times it has been received, this time included.</param>
public sealed record QueuedMessage(string Id, string Receipt, string Text, long DequeueCount);
