using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Astro.Training.Worker;

/// <summary>
/// Keeps a received queue message invisible while a job runs: a background loop renews its visibility timeout with
/// UpdateMessage every interval (each update returns a new pop receipt), and the message is finally deleted (done),
/// made visible later (retry) or left alone. If a renewal fails because the message is gone or was taken over
/// (404 / 400 pop-receipt mismatch), <see cref="Lost"/> is cancelled so the job stops instead of publishing twice.
/// </summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly TimeSpan _visibility;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;
    private string _popReceipt;
    private int _renewals;
    private bool _ended;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan visibility, TimeSpan interval, ILogger logger)
    {
        _queue = queue;
        MessageId = message.MessageId;
        _popReceipt = message.PopReceipt;
        _visibility = visibility;
        _interval = interval;
        _logger = logger;
        _loop = Task.Run(RenewLoopAsync);
    }

    public string MessageId { get; }

    /// <summary>Cancelled when the lease is lost (another worker may have the message now).</summary>
    public CancellationToken Lost => _lost.Token;

    public int Renewals => Volatile.Read(ref _renewals);

    /// <summary>Deletes the message (the job is done).</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => EndWithAsync(pop => _queue.DeleteMessageAsync(MessageId, pop, cancellationToken));

    /// <summary>Makes the message visible again after <paramref name="delay"/> (the job will be retried).</summary>
    public Task ReleaseAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        EndWithAsync(pop => _queue.UpdateMessageAsync(MessageId, pop, visibilityTimeout: delay, cancellationToken: cancellationToken));

    /// <summary>Stops renewing without touching the message (it reappears when its visibility runs out).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
        _gate.Dispose();
    }

    /// <summary>Stops renewing and runs a final operation with the current pop receipt (delete, release, poison).</summary>
    public async Task EndWithAsync(Func<string, Task> operation)
    {
        await StopLoopAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            await operation(_popReceipt).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private async Task RenewLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(_interval, _stop.Token).ConfigureAwait(false);
            await _gate.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                if (_ended)
                {
                    return;
                }

                Response<UpdateReceipt> r = await _queue.UpdateMessageAsync(MessageId, _popReceipt, visibilityTimeout: _visibility, cancellationToken: _stop.Token).ConfigureAwait(false);
                _popReceipt = r.Value.PopReceipt;
                int n = Interlocked.Increment(ref _renewals);
                _logger.LogDebug("Message {MessageId}: visibility renewed ({Renewals}), invisible until {NextVisibleUtc:O}", MessageId, n, r.Value.NextVisibleOn);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 400)
            {
                _logger.LogWarning("Message {MessageId}: the lease is lost ({Status} {ErrorCode}); stopping the job", MessageId, e.Status, e.ErrorCode);
                _ended = true;
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException)
            {
                // A transient failure: the next renewal comes well before the visibility runs out (interval < timeout).
                _logger.LogWarning("Message {MessageId}: visibility renewal failed ({Reason}); trying again in {Interval}", MessageId, e.Message.Split('\n')[0].Trim(), _interval);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
