using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// An integrator's subscriber: Debian's <c>mosquitto_sub</c> with a persistent session (<c>-c</c>, QoS 1), so messages
/// published while the broker restarts are queued for it, and it reconnects by itself.
/// </summary>
/// <remarks>
/// An MQTTnet client was used first; across a broker restart it lost messages that the broker had queued for its
/// persistent session (seen in CI: a whole delivered batch missing while mosquitto_sub beside it got every one), so
/// the tests use the broker's own client, an independent implementation of the receiving side.
/// </remarks>
internal sealed class MqttTestSubscriber : IAsyncDisposable
{
    private const string Marker = "MSG\t";

    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly Process _process;
    private readonly string _filter;
    private readonly int _port;

    private MqttTestSubscriber(Process process, string filter, int port)
    {
        _process = process;
        _filter = filter;
        _port = port;
    }

    public ChannelReader<ReceivedMessage> Messages => _messages.Reader;

    public static async Task<MqttTestSubscriber> ConnectAsync(int port, string filter)
    {
        // stdbuf: mosquitto_sub writes through stdio, fully buffered on a pipe; each message must arrive as it is received.
        var info = new ProcessStartInfo("stdbuf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string clientId = "test-sub-" + Guid.NewGuid().ToString("N")[..8];
        foreach (string argument in new[] { "-oL", "-eL", "mosquitto_sub", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-i", clientId, "-c", "-q", "1", "-d", "-t", filter, "-F", Marker + "%r\t%t\t%p" })
        {
            info.ArgumentList.Add(argument);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto_sub did not start");
        var subscriber = new MqttTestSubscriber(process, filter, port);
        process.OutputDataReceived += (_, e) => subscriber.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => subscriber.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await subscriber.WaitForEventAsync("received SUBACK");
        return subscriber;
    }

    /// <summary>Waits until mosquitto_sub has reconnected to its session (after a broker restart).</summary>
    public Task ReconnectAsync() => WaitForEventAsync("received CONNACK");

    /// <summary>Reads messages until <paramref name="done"/> says so, failing after <paramref name="timeout"/>.</summary>
    public async Task<List<ReceivedMessage>> CollectUntilAsync(Func<List<ReceivedMessage>, bool> done, TimeSpan timeout)
    {
        var received = new List<ReceivedMessage>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (!done(received))
            {
                received.Add(await _messages.Reader.ReadAsync(cts.Token));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"condition not met within {timeout.TotalSeconds}s after {received.Count} messages on {_filter}; last: {received.LastOrDefault()}");
        }

        return received;
    }

    /// <summary>Publishes with QoS 1 as an operator's console sending a command would (Debian's mosquitto_pub).</summary>
    public Task PublishAsync(string topic, string payload) => MosquittoPubAsync(topic, "-m", payload);

    /// <summary>Publishes raw bytes (binary, invalid UTF-8: what <c>-m</c> cannot carry) with QoS 1, as <c>mosquitto_pub -f</c>.</summary>
    public async Task PublishBytesAsync(string topic, byte[] payload)
    {
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, payload);
            await MosquittoPubAsync(topic, "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task MosquittoPubAsync(string topic, string payloadOption, string payload)
    {
        var info = new ProcessStartInfo("mosquitto_pub") { RedirectStandardError = true };
        foreach (string argument in new[] { "-h", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", topic, payloadOption, payload })
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto_pub did not start");
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Short);
        Assert.True(process.ExitCode == 0, $"mosquitto_pub to {topic} failed: {error}");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith(Marker, StringComparison.Ordinal))
        {
            string[] parts = line[Marker.Length..].Split('\t', 3);
            _messages.Writer.TryWrite(new ReceivedMessage(parts[1], parts[2], parts[0] == "1"));
        }
        else
        {
            _events.Writer.TryWrite(line);
        }
    }

    private async Task WaitForEventAsync(string text)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Long);
        try
        {
            while (!(await _events.Reader.ReadAsync(cts.Token)).Contains(text, StringComparison.Ordinal))
            {
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"mosquitto_sub did not report '{text}' within {TestTimeouts.Long.TotalSeconds}s");
        }
    }
}

internal sealed record ReceivedMessage(string Topic, string Payload, bool Retained)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;
}
