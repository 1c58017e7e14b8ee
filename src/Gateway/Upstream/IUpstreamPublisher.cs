namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>A destination for upstream messages. <see cref="PublishAsync"/> returns once the destination has taken responsibility for the message (MQTT QoS 1: PUBACK).</summary>
internal interface IUpstreamPublisher : IUpstreamConnection, IAsyncDisposable
{
    /// <summary>Connects if needed. Throws <see cref="UpstreamException"/> when the destination cannot be reached.</summary>
    ValueTask EnsureConnectedAsync(CancellationToken cancellationToken);

    /// <summary>Throws <see cref="UpstreamException"/> when the message was not acknowledged; the caller retries from the buffer.</summary>
    ValueTask PublishAsync(UpstreamMessage message, CancellationToken cancellationToken);

    /// <summary>Says goodbye cleanly (MQTT: retained <c>offline</c>, then DISCONNECT).</summary>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}
