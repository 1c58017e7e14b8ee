using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// An integrator's subscriber: a persistent session (clean session off, QoS 1), so messages published while it is
/// disconnected or while the broker restarts are queued for it, exactly as a real receiver would set up.
/// </summary>
internal sealed class MqttTestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly int _port;
    private readonly string _clientId = "test-sub-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _filter;

    private MqttTestSubscriber(int port, string filter)
    {
        _port = port;
        _filter = filter;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            string payload = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            _messages.Writer.TryWrite(new ReceivedMessage(e.ApplicationMessage.Topic, payload, e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
    }

    public ChannelReader<ReceivedMessage> Messages => _messages.Reader;

    public static async Task<MqttTestSubscriber> ConnectAsync(int port, string filter)
    {
        var subscriber = new MqttTestSubscriber(port, filter);
        await subscriber.ReconnectAsync();
        await subscriber._client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return subscriber;
    }

    /// <summary>Reconnects to the same persistent session (after a broker restart), retrying until the broker answers.</summary>
    public async Task ReconnectAsync()
    {
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _port)
            .WithClientId(_clientId)
            .WithCleanSession(false)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311) // 3.1.1: clean session off keeps the session; v5 would need an expiry interval
            .Build();
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            try
            {
                await _client.ConnectAsync(options);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

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

    /// <summary>Publishes with QoS 1 on the subscriber's connection (an operator's console sending a command).</summary>
    public async Task PublishAsync(string topic, string payload)
    {
        MqttClientPublishResult result = await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }

        _client.Dispose();
    }
}

internal sealed record ReceivedMessage(string Topic, string Payload, bool Retained)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;
}
