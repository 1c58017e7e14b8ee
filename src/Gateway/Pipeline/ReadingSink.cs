using System.Threading.Channels;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>The drivers' side of the readings channel.</summary>
internal sealed class ReadingSink : IReadingSink
{
    private readonly ChannelWriter<Reading> _writer;

    public ReadingSink(ChannelWriter<Reading> writer) => _writer = writer;

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken) =>
        _writer.TryWrite(reading) ? ValueTask.CompletedTask : _writer.WriteAsync(reading, cancellationToken);
}
