using Astro.Services.Storage;
using Microsoft.Extensions.Logging;

namespace Astro.Training.Worker;

/// <summary>
/// Keeps a received queue message invisible while a job runs: a background loop renews its visibility timeout every
/// interval (each update returns a new receipt), and the message is finally deleted (done), made visible later
/// (retry) or left alone. If a renewal finds the message gone or taken over (<see cref="MessageLostException"/>),
/// <see cref="Lost"/> is cancelled so the job stops instead of publishing twice. Time comes from a
/// <see cref="TimeProvider"/>, so tests drive the renewals with a fake clock.
/// </summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly IMessageQueue _queue;
    private readonly TimeSpan _visibility;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;
    private QueuedMessage _message;
    private int _renewals;
    private bool _ended;

    public MessageLease(IMessageQueue queue, QueuedMessage message, TimeSpan visibility, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _queue = queue;
        _message = message;
        _visibility = visibility;
        _interval = interval;
        _time = time;
        _logger = logger;
        _loop = Task.Run(RenewLoopAsync);
    }

    public string MessageId => _message.Id;

    /// <summary>Cancelled when the lease is lost (another worker may have the message now).</summary>
    public CancellationToken Lost => _lost.Token;

    public int Renewals => Volatile.Read(ref _renewals);

    /// <summary>Deletes the message (the job is done).</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => EndWithAsync(m => _queue.DeleteAsync(m, cancellationToken));

    /// <summary>Makes the message visible again after <paramref name="delay"/> (the job will be retried).</summary>
    public Task ReleaseAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        EndWithAsync(m => _queue.UpdateVisibilityAsync(m, delay, cancellationToken));

    /// <summary>Stops renewing without touching the message (it reappears when its visibility runs out).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
        _gate.Dispose();
    }

    /// <summary>Stops renewing and runs a final operation with the current receipt (delete, release, poison).</summary>
    public async Task EndWithAsync(Func<QueuedMessage, Task> operation)
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
            await operation(_message).ConfigureAwait(false);
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
            await Task.Delay(_interval, _time, _stop.Token).ConfigureAwait(false);
            await _gate.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                if (_ended)
                {
                    return;
                }

                _message = await _queue.UpdateVisibilityAsync(_message, _visibility, _stop.Token).ConfigureAwait(false);
                int n = Interlocked.Increment(ref _renewals);
                _logger.LogDebug("Message {MessageId}: visibility renewed ({Renewals}) for {Visibility}", _message.Id, n, _visibility);
            }
            catch (MessageLostException e)
            {
                _logger.LogWarning("Message {MessageId}: the lease is lost ({Reason}); stopping the job", _message.Id, e.Message);
                _ended = true;
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A transient failure: the next renewal comes well before the visibility runs out (interval < timeout).
                _logger.LogWarning("Message {MessageId}: visibility renewal failed ({Reason}); trying again in {Interval}", _message.Id, e.Message.Split('\n')[0].Trim(), _interval);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
