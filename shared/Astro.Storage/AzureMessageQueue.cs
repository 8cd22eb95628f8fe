using Astro.Services.Storage;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Astro.Storage;

/// <summary><see cref="IMessageQueue"/> over Azure Queue Storage, with Base64 messages as the Functions queue trigger expects.</summary>
internal sealed class AzureMessageQueue(QueueClient client) : IMessageQueue
{
    public string Name => client.Name;

    public async Task SendAsync(string message, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await client.SendMessageAsync(message, visibilityDelay, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<QueuedMessage?> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        Response<QueueMessage?> r = await client.ReceiveMessageAsync(visibility, cancellationToken).ConfigureAwait(false);
        return r.Value is { } m ? new QueuedMessage(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount) : null;
    }

    public async Task<QueuedMessage> UpdateVisibilityAsync(QueuedMessage message, TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            Response<UpdateReceipt> r = await client.UpdateMessageAsync(message.Id, message.Receipt, visibilityTimeout: visibility, cancellationToken: cancellationToken).ConfigureAwait(false);
            return message with { Receipt = r.Value.PopReceipt };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 400)
        {
            throw new MessageLostException(Name, message.Id, e);
        }
    }

    public async Task DeleteAsync(QueuedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await client.DeleteMessageAsync(message.Id, message.Receipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 400)
        {
            throw new MessageLostException(Name, message.Id, e);
        }
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        Response<QueueProperties> r = await client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        return r.Value.ApproximateMessagesCount;
    }
}
