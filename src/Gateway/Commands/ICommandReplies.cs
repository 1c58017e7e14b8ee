namespace SmartCity.Edge.Gateway.Commands;

/// <summary>Publishes answers on <c>{prefix}/commands/result</c>.</summary>
internal interface ICommandReplies
{
    /// <summary>Throws <see cref="Upstream.UpstreamException"/> when the broker is not reachable.</summary>
    ValueTask PublishResultAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
