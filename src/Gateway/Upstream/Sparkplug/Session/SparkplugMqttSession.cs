using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>
/// One MQTT connection of the edge node on MQTTnet 5 (a fresh client per connection, so nothing of a closed one can
/// leak into the next): CONNECT with the NDEATH as Will, the subscriptions, QoS 0 publishes, the delivery check and
/// the goodbye. Received messages are copied and handed to the edge node's loop as <see cref="SparkplugSessionEvent"/>s;
/// the receive loop never waits for the edge node (the channel drops the oldest event when full), because the edge
/// node may be waiting for an acknowledgement that this very loop has to read.
/// </summary>
internal sealed class SparkplugMqttSession : IAsyncDisposable
{
    /// <summary>NCMD and DCMD payloads we read; a command is a few metrics, so more is not one.</summary>
    public const int MaxCommandBytes = 64 * 1024;

    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Short, because the broker publishes the Will (our NDEATH) only about 1.5 keep-alives after a link dies silently
    /// (MQTT 3.1.1 §3.1.2.10), and the host shows stale values as current until then.
    /// </summary>
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(10);

    private readonly IMqttClient _client;
    private readonly SparkplugTopics _topics;
    private readonly string? _stateTopic;
    private readonly ChannelWriter<SparkplugSessionEvent> _events;
    private int _disposed;

    private SparkplugMqttSession(IMqttClient client, SparkplugServerAddress server, long connection, SparkplugTopics topics, string? stateTopic, ChannelWriter<SparkplugSessionEvent> events)
    {
        _client = client;
        Server = server;
        Connection = connection;
        _topics = topics;
        _stateTopic = stateTopic;
        _events = events;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            string reason = e.Exception?.GetBaseException().Message ?? e.Reason.ToString();
            _events.TryWrite(new SparkplugSessionEvent(Connection, SparkplugSessionEventKind.Disconnected, string.Empty, [], reason));
            return Task.CompletedTask;
        };
    }

    public SparkplugServerAddress Server { get; }

    /// <summary>Numbers the connections of an edge node, so events of a closed one are told apart.</summary>
    public long Connection { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>
    /// Connects with Clean Session 1 (tck-id-principles-persistence-clean-session-311) and the NDEATH as Will: QoS 1,
    /// not retained (tck-id-message-flow-edge-node-birth-publish-will-message-qos, …-will-retained). Throws
    /// <see cref="SparkplugConnectException"/>, which says whether the CONNECT can have reached the broker.
    /// </summary>
    public static async Task<SparkplugMqttSession> ConnectAsync(
        SparkplugUpstreamConfiguration configuration,
        SparkplugServerAddress server,
        long connection,
        SparkplugTopics topics,
        string? stateTopic,
        ReadOnlyMemory<byte> will,
        ChannelWriter<SparkplugSessionEvent> events,
        CancellationToken cancellationToken)
    {
        MqttClientOptions options = BuildOptions(configuration, server, topics, will);
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var session = new SparkplugMqttSession(client, server, connection, topics, stateTopic, events);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_connectTimeout);
            MqttClientConnectResult result = await client.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new SparkplugConnectException($"{server} refused the connection: {result.ResultCode} (check client_id, username and password)", connectSent: true);
            }

            return session;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not SparkplugConnectException)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw Describe(server, ex);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Subscribes at QoS 1 and waits for the SUBACK (§5.2: before the NBIRTH). Throws when the broker refuses one.</summary>
    public async Task SubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        MqttClientSubscribeOptionsBuilder builder = new();
        foreach (string filter in filters)
        {
            builder.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        MqttClientSubscribeResult result = await _client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        foreach (MqttClientSubscribeResultItem item in result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw new SparkplugSessionLostException($"{Server} refused the subscription to {item.TopicFilter.Topic} (check its ACL)");
            }
        }
    }

    /// <summary>
    /// Publishes at QoS 0, not retained: what the spec requires of every birth, data and DDEATH message
    /// (tck-id-payloads-nbirth-qos … -ddata-qos). Returns once MQTTnet wrote the packet to the connection.
    /// </summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(false)
            .Build();
        return _client.PublishAsync(message, cancellationToken);
    }

    /// <summary>
    /// Returns once the broker has read every packet this connection sent before the call: the "acknowledged through"
    /// primitive behind the delivery guarantee of QoS 0 data (docs/upstream.md).
    /// </summary>
    /// <remarks>
    /// An UNSUBSCRIBE of a filter we never subscribed to, and its UNSUBACK: the broker must answer it even when nothing
    /// was subscribed (MQTT 3.1.1 §3.10.4, [MQTT-3.10.4-5]), the packet changes nothing, and its answer carries our
    /// packet identifier. A broker reads one connection's packets in order off an ordered TCP stream, so the UNSUBACK
    /// says the PUBLISHes before it were received and processed. A PINGREQ would do the same on the wire, but MQTTnet
    /// 5's PingAsync completes on any PINGRESP, including the answer to a keep-alive ping its own timer sent before our
    /// publishes (MqttPacketDispatcher matches PINGRESP by type only), which would acknowledge data the broker has not
    /// read yet.
    /// </remarks>
    public async Task ConfirmDeliveryAsync(CancellationToken cancellationToken)
    {
        MqttClientUnsubscribeOptions options = new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(_topics.DeliveryCheckFilter).Build();
        await _client.UnsubscribeAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The deliberate end of a session (tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath, -packet):
    /// the NDEATH with the session's bdSeq and no seq, at QoS 1 and awaited, then DISCONNECT (which discards the Will,
    /// MQTT 3.1.1 §3.14.4, so the host sees exactly one NDEATH). Best effort: a broken connection ends with the Will.
    /// </summary>
    public async Task SayGoodbyeAsync(ReadOnlyMemory<byte> ndeath, TimeSpan timeout)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        using var goodbye = new CancellationTokenSource(timeout);
        try
        {
            await _client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(_topics.NDeath)
                    .WithPayload(new ReadOnlySequence<byte>(ndeath))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithRetainFlag(false)
                    .Build(),
                goodbye.Token).ConfigureAwait(false);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), goodbye.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or SocketException or IOException or InvalidOperationException)
        {
            // The connection is going anyway: if the explicit NDEATH did not get through, the Will says the same.
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        MqttApplicationMessage message = e.ApplicationMessage;
        string topic = message.Topic;
        long length = message.Payload.Length;
        SparkplugSessionEventKind kind;
        int limit;
        if (topic == _topics.NCmd)
        {
            (kind, limit) = (SparkplugSessionEventKind.NodeCommand, MaxCommandBytes);
        }
        else if (_topics.DeviceOfCommand(topic) is not null)
        {
            (kind, limit) = (SparkplugSessionEventKind.DeviceCommand, MaxCommandBytes);
        }
        else if (_stateTopic is not null && topic == _stateTopic)
        {
            (kind, limit) = (SparkplugSessionEventKind.HostState, SparkplugHostState.MaxPayloadBytes);
        }
        else
        {
            // Only ours can arrive (the subscriptions are literal), but a broker is not to be trusted on it either.
            _events.TryWrite(new SparkplugSessionEvent(Connection, SparkplugSessionEventKind.Rejected, topic, [], "a topic this node did not subscribe to"));
            return Task.CompletedTask;
        }

        if (length > limit)
        {
            _events.TryWrite(new SparkplugSessionEvent(Connection, SparkplugSessionEventKind.Rejected, topic, [], $"{length} bytes, more than the {limit} a {kind} may have") { Oversized = true });
        }
        else if (message.Retain && kind != SparkplugSessionEventKind.HostState)
        {
            // A retained command would run again on every reconnect (§4.4: commands are not retained).
            _events.TryWrite(new SparkplugSessionEvent(Connection, SparkplugSessionEventKind.Rejected, topic, [], "a retained command (commands are never retained; clear it with an empty retained message)"));
        }
        else
        {
            _events.TryWrite(new SparkplugSessionEvent(Connection, kind, topic, message.Payload.ToArray()));
        }

        return Task.CompletedTask;
    }

    private static MqttClientOptions BuildOptions(SparkplugUpstreamConfiguration configuration, SparkplugServerAddress server, SparkplugTopics topics, ReadOnlyMemory<byte> will)
    {
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(server.Host, server.Port)
            .WithClientId(configuration.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(s_keepAlive)
            .WithTimeout(s_connectTimeout)
            .WithWillTopic(topics.NDeath)
            .WithWillPayload(will.ToArray())
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(false);
        if (configuration.Username is not null)
        {
            builder.WithCredentials(configuration.Username, configuration.Password ?? string.Empty);
        }

        if (server.UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true).WithTargetHost(server.Host);
                if (configuration.Tls?.Roots is { } roots)
                {
                    // Trust exactly the configured CA for the broker, as mosquitto's cafile does.
                    tls.WithTrustChain(roots);
                }

                if (configuration.Tls?.ClientCertificate is { } client)
                {
                    tls.WithClientCertificates([client]);
                    // Present it whatever CA list the broker announces: the operator configured it for this broker.
                    tls.WithCertificateSelectionHandler(_ => client);
                }
            });
        }

        return builder.Build();
    }

    private static SparkplugConnectException Describe(SparkplugServerAddress server, Exception ex)
    {
        if (ex.GetBaseException() is SocketException socket)
        {
            // These fail before a TCP connection exists: no CONNECT can have gone out.
            bool beforeConnect = socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData or SocketError.AddressNotAvailable;
            return new SparkplugConnectException($"cannot reach {server}: {socket.SocketErrorCode}", connectSent: !beforeConnect, ex);
        }

        if (ex.GetBaseException() is AuthenticationException auth)
        {
            // The TLS handshake comes before the CONNECT.
            return new SparkplugConnectException($"TLS handshake with {server} failed: {auth.Message} (check ca_file and the broker's certificate name)", connectSent: false, ex);
        }

        if (ex is OperationCanceledException)
        {
            return new SparkplugConnectException($"no answer from {server} within {s_connectTimeout.TotalSeconds:0}s", connectSent: true, ex);
        }

        return new SparkplugConnectException($"{server}: {ex.GetBaseException().Message}", connectSent: true, ex);
    }
}
