using System.Text;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary><c>upstream.console: true</c>: prints every published message as <c>topic payload</c> on standard output (logs go to standard error).</summary>
internal sealed class ConsolePublisher(TextWriter output) : IUpstreamPublisher
{
    public string Name => "console";

    public bool IsConnected => true;

    public ValueTask EnsureConnectedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask PublishAsync(UpstreamMessage message, CancellationToken cancellationToken)
    {
        string line = message.Topic + " " + Encoding.UTF8.GetString(message.Payload.Span);
        await output.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
