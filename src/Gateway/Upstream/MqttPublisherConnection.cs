namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// One connection of <see cref="MqttPublisher"/> to its broker, from the connect attempt on: what a reload ends (the
/// attempt in progress and the publishes in flight on it) and what a received command remembers, so that its
/// acknowledgement goes out only on the connection it came on.
/// </summary>
internal sealed class MqttPublisherConnection
{
    private readonly CancellationTokenSource _ended = new();
    private int _publishesInFlight;

    /// <summary>Cancelled when a reload ends this connection: its connect attempt and its publishes in flight give up.</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Publishes between their start and their PUBACK.</summary>
    public int PublishesInFlight => Volatile.Read(ref _publishesInFlight);

    /// <summary>Counts a publish as in flight; call <see cref="PublishEnded"/> once it is done, whatever the outcome.</summary>
    public void PublishStarted() => Interlocked.Increment(ref _publishesInFlight);

    public void PublishEnded() => Interlocked.Decrement(ref _publishesInFlight);

    /// <summary>Ends this connection's attempt and publishes, then waits until no publish is left in flight on it.</summary>
    public async ValueTask EndAsync(CancellationToken cancellationToken)
    {
        await _ended.CancelAsync().ConfigureAwait(false);
        while (PublishesInFlight > 0)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }
}
