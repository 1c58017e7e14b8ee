using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// The MQTT upstream on MQTTnet. Announces <c>online</c> retained on <c>{prefix}/status</c> after every connect,
/// with a retained <c>offline</c> last will for crashes and network loss, and an explicit retained <c>offline</c>
/// on clean shutdown (a clean DISCONNECT suppresses the will). With a <see cref="CommandChannel"/> it subscribes to
/// <c>{prefix}/commands/ack</c> and <c>{prefix}/commands/write</c> with QoS 1 and hands received commands to <see cref="CommandService"/>, which
/// acknowledges each to the broker (PUBACK) only once it is executed and durable (<see cref="MqttCommandDelivery"/>).
/// </summary>
/// <remarks>
/// By default the session is persistent (clean session off, MQTT 3.1.1 §3.1.2.4) under the stable client id: the
/// broker keeps the subscription while the gateway is away — stopped, restarting, or cut off — and queues the QoS 1
/// commands published meanwhile; it sends them right after the next CONNACK, before any packet of ours, which is why
/// the receive handler is attached in the constructor. MQTTnet 5 neither restores nor re-sends anything itself on
/// <c>SessionPresent</c>: it resets its packet ids on every connect and fails publishes that were in flight when the
/// connection dropped, so our outgoing at-least-once stays the forwarder's (it re-publishes from the disk buffer,
/// as with a clean session). We subscribe again after every connect all the same: it is idempotent on the broker,
/// and it repairs a session the broker expired or lost (SessionPresent false).
/// <para>
/// A reload with new connection settings (<see cref="ReconfigureAsync"/>) says goodbye on the old connection
/// (retained <c>offline</c>, clean DISCONNECT) and leaves the next connect to the forwarder, with the new settings
/// only: a publish in flight fails and the forwarder re-publishes from the buffer, oldest first, so nothing is lost
/// or reordered. If the new settings do not work, the gateway buffers and retries them like any broker outage.
/// </para>
/// </remarks>
internal sealed class MqttPublisher : IUpstreamPublisher, ICommandReplies
{
    private static readonly TimeSpan s_goodbyeTimeout = TimeSpan.FromSeconds(2);

    private readonly UpstreamTopics _topics;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly CommandChannel? _commands;

    /// <summary>Serialises connecting with switching settings: a connect never mixes old and new options.</summary>
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private volatile MqttUpstreamConfiguration _configuration;
    private volatile MqttClientOptions _options;

    /// <summary>An <see cref="MqttPublisherState"/>, as an int for <see cref="Interlocked"/>; changed only by <see cref="TryMove"/> and <see cref="Enter"/>.</summary>
    private int _state;

    /// <summary>
    /// The connection of the last connect attempt (from the constructor on, one that never connected): a reload ends
    /// it, and a received command remembers it (<see cref="IsCurrentConnection"/>).
    /// </summary>
    private MqttPublisherConnection _connection = new();

    /// <summary>
    /// Set after the first successful connect with the current broker and client id: a later connect without
    /// SessionPresent means the broker lost our session. Knowledge about the broker's session, not the publisher's
    /// state, so it is not part of <see cref="MqttPublisherState"/>; read and written under the connect gate only.
    /// </summary>
    private bool _sessionEstablished;

    /// <summary>Why the broker's certificate was refused in the last handshake that refused it (<see cref="ValidateBrokerCertificate"/>).</summary>
    private volatile string? _certificateProblem;

    /// <summary>Cancelled by <see cref="CloseAsync"/>: a receive handler waiting for room in the command channel gives up.</summary>
    private readonly CancellationTokenSource _closing = new();

    public MqttPublisher(MqttUpstreamConfiguration configuration, UpstreamTopics topics, ILogger logger, CommandChannel? commands = null)
    {
        _configuration = configuration;
        _topics = topics;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _options = BuildOptions(configuration, topics);
        WarnIfPlaintext(configuration);
        _commands = commands;
        if (commands is not null)
        {
            _client.ApplicationMessageReceivedAsync += OnCommandReceivedAsync;
        }

        // Raised once MQTTnet has torn the connection down (IsConnected is false by then); the forwarder notices only
        // when it next publishes, so this is the moment commands in flight lose their connection.
        _client.DisconnectedAsync += e =>
        {
            TryMove(MqttPublisherState.Connected, MqttPublisherState.Disconnected);
            if (e.ClientWasConnected)
            {
                UpstreamLog.Disconnected(_logger, Name, e.Exception?.GetBaseException().Message ?? e.Reason.ToString());
            }

            return Task.CompletedTask;
        };
    }

    public string Name => "mqtt " + _configuration.Host + ":" + _configuration.Port;

    /// <summary>True while <paramref name="connection"/> is the one up.</summary>
    internal bool IsCurrentConnection(MqttPublisherConnection connection) => _client.IsConnected && ReferenceEquals(Volatile.Read(ref _connection), connection);

    /// <summary>What the publisher is doing now.</summary>
    internal MqttPublisherState State => (MqttPublisherState)Volatile.Read(ref _state);

    public bool IsConnected => _client.IsConnected;

    /// <summary>The connection settings in use now (the last a reload applied).</summary>
    public MqttUpstreamConfiguration Configuration => _configuration;

    public async ValueTask EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            return;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client.IsConnected)
            {
                return;
            }

            // A new connection before connecting: the broker sends queued commands right after its CONNACK, before
            // ConnectAsync returns, and they must carry it (MQTTnet finished the previous connection's message loop
            // before it allows a new connect). Set before the state moves, so a reload that moves to Switching after
            // this attempt moved to Connecting finds it and ends it.
            var connection = new MqttPublisherConnection();
            Volatile.Write(ref _connection, connection);

            // Refused while a reload switches settings: the gate may come to this attempt before the reload that
            // waits for it, and it would connect with the old settings.
            MqttPublisherState state;
            do
            {
                state = State;
                if (state is MqttPublisherState.Switching or MqttPublisherState.Closed)
                {
                    throw new UpstreamException(state == MqttPublisherState.Closed ? "the MQTT upstream is closed" : "the upstream settings are being switched by a reload");
                }
            }
            while (!TryMove(state, MqttPublisherState.Connecting));

            try
            {
                await ConnectAsync(connection, cancellationToken).ConfigureAwait(false);
                TryMove(MqttPublisherState.Connecting, MqttPublisherState.Connected);
            }
            catch
            {
                TryMove(MqttPublisherState.Connecting, MqttPublisherState.Disconnected);
                throw;
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>
    /// Switches to new connection settings (a reload): cancels a connect attempt in progress, says goodbye on the
    /// current connection and disconnects. The forwarder's next <see cref="EnsureConnectedAsync"/> connects with the
    /// new settings. Their PEM files were read and checked with the configuration, so a broken <c>ca_file</c> has
    /// already rejected the whole reload.
    /// </summary>
    public async ValueTask ReconfigureAsync(MqttUpstreamConfiguration configuration, CancellationToken cancellationToken)
    {
        MqttClientOptions options = BuildOptions(configuration, _topics);
        WarnIfPlaintext(configuration);

        if (!Enter(MqttPublisherState.Switching))
        {
            return; // closed: there is nothing to switch
        }

        try
        {
            // Ends the current connection first, before the gate: a connect attempt holding the gate gives up rather
            // than wait out an old broker's timeout, and the publishes in flight on it fail (the forwarder re-sends
            // them from the buffer). Nothing may reach the old broker after its offline status: new publishes are
            // refused while switching.
            await Volatile.Read(ref _connection).EndAsync(cancellationToken).ConfigureAwait(false);
            await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryMove(MqttPublisherState.Switching, MqttPublisherState.Disconnected);
            throw;
        }

        try
        {
            MqttUpstreamConfiguration previous = _configuration;
            _configuration = configuration;
            _options = options;
            if (previous.Host != configuration.Host || previous.Port != configuration.Port || previous.ClientId != configuration.ClientId)
            {
                _sessionEstablished = false; // another session: "new" on connect, not "lost"
            }

            if (_client.IsConnected)
            {
                // Retained offline first: a clean DISCONNECT suppresses the will, and the old broker must not keep
                // showing the gateway online after it moved to another one.
                using var goodbye = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                goodbye.CancelAfter(s_goodbyeTimeout);
                try
                {
                    await PublishStatusAsync("offline", goodbye.Token).ConfigureAwait(false);
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), goodbye.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or SocketException or IOException)
                {
                    // The old connection is going anyway; its will says offline if the goodbye did not get through.
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            TryMove(MqttPublisherState.Switching, MqttPublisherState.Disconnected);
            _connectGate.Release();
        }
    }

    private async Task ConnectAsync(MqttPublisherConnection connection, CancellationToken cancellationToken)
    {
        MqttUpstreamConfiguration configuration = _configuration;
        try
        {
            _certificateProblem = null;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Ended);
            attempt.CancelAfter(MqttConnectionOptions.ConnectTimeout);
            MqttClientConnectResult result = await _client.ConnectAsync(_options, attempt.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new UpstreamException(MqttFailureText.Refused(result.ResultCode, result.ReasonString, Name));
            }

            if (configuration.PersistentSession)
            {
                if (_sessionEstablished && !result.IsSessionPresent)
                {
                    UpstreamLog.SessionLost(_logger, configuration.ClientId);
                }
                else
                {
                    UpstreamLog.Session(_logger, configuration.ClientId, result.IsSessionPresent ? "resumed" : "new");
                }

                _sessionEstablished = true;
            }

            await PublishStatusAsync("online", cancellationToken).ConfigureAwait(false);
            if (_commands is not null)
            {
                // Each command topic by name, never a wildcard: a message on any other topic is not a command (CommandService).
                var subscribe = new MqttClientSubscribeOptionsBuilder();
                foreach (string topic in _topics.CommandTopics)
                {
                    subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
                }

                MqttClientSubscribeResult subscribed = await _client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false);
                if (subscribed.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
                {
                    throw new UpstreamException($"broker {Name} refused the subscription to {refused.TopicFilter.Topic} (check its ACL)");
                }
            }

            UpstreamLog.Connected(_logger, $"{(configuration.UseTls ? "mqtts" : "mqtt")}://{configuration.Host}:{configuration.Port}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception) when (connection.Ended.IsCancellationRequested)
        {
            throw new UpstreamException("connection settings changed by a reload while connecting; connecting with the new ones");
        }
        catch (Exception ex) when (ex is not UpstreamException)
        {
            throw new UpstreamException(Describe(ex), ex);
        }
    }

    public async ValueTask PublishAsync(UpstreamMessage message, CancellationToken cancellationToken)
    {
        MqttApplicationMessage mqttMessage = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayloadSegment(message.Payload)
            .WithQualityOfServiceLevel(_configuration.Qos == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(message.Retain)
            .Build();
        MqttClientPublishResult result;
        MqttPublisherConnection connection = Volatile.Read(ref _connection);
        connection.PublishStarted();
        try
        {
            // After counting it: either the reload sees this publish and waits for it, or this sees the reload (the
            // increment and the reload's state change are both full fences).
            if (State == MqttPublisherState.Switching)
            {
                throw new UpstreamException("the upstream settings are being switched by a reload");
            }

            using var publish = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Ended);
            result = await _client.PublishAsync(mqttMessage, publish.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (UpstreamException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new UpstreamException(connection.Ended.IsCancellationRequested ? "the upstream settings were switched by a reload" : Describe(ex), ex);
        }
        finally
        {
            connection.PublishEnded();
        }

        if (!result.IsSuccess)
        {
            throw new UpstreamException($"broker did not accept the message on {message.Topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    public async ValueTask PublishResultAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var message = new UpstreamMessage(_topics.CommandsResult, payload, Retain: false, LastSeq: 0);
        await PublishAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        // The command service has stopped: a handler waiting for room would hold up MQTTnet's disconnect for good.
        Enter(MqttPublisherState.Closed);
        await _closing.CancelAsync().ConfigureAwait(false);
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            await PublishStatusAsync("offline", cancellationToken).ConfigureAwait(false);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or SocketException or IOException)
        {
            // Shutting down anyway: the broker publishes the will instead.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Called twice (the container holds this instance under two service types), so everything here must be
        // idempotent: _closing is cancelled, never disposed (it owns no timer, and a disposed one cannot be cancelled).
        Enter(MqttPublisherState.Closed);
        await _closing.CancelAsync().ConfigureAwait(false);
        _client.Dispose();
        _connectGate.Dispose();
    }

    /// <summary>
    /// Runs on MQTTnet's message loop, one message at a time. Copies the command and hands it off without acknowledging
    /// it: MQTTnet would send the PUBACK as soon as this returns, and a command acknowledged but not yet executed would
    /// be lost with the process. The command service acknowledges it when it is done (<see cref="MqttCommandDelivery"/>);
    /// until then the broker keeps it in the session and redelivers it (DUP) after a reconnect.
    /// </summary>
    private async Task OnCommandReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        MqttApplicationMessage message = e.ApplicationMessage;
        var command = new ReceivedCommand(
            message.Topic,
            message.Payload.ToArray(),
            message.Retain,
            new MqttCommandDelivery(this, e, Volatile.Read(ref _connection), _logger));
        try
        {
            await _commands!.PostAsync(command, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Shutting down: not acknowledged, so the broker delivers it again to the next run.
        }
    }

    /// <summary>Moves from <paramref name="from"/> to <paramref name="to"/> if the state is still <paramref name="from"/>.</summary>
    private bool TryMove(MqttPublisherState from, MqttPublisherState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    /// <summary>Moves to <paramref name="to"/> from any state but <see cref="MqttPublisherState.Closed"/>, which is final; false if closed.</summary>
    private bool Enter(MqttPublisherState to)
    {
        MqttPublisherState state;
        do
        {
            state = State;
            if (state == MqttPublisherState.Closed)
            {
                return to == MqttPublisherState.Closed;
            }
        }
        while (!TryMove(state, to));
        return true;
    }

    private void WarnIfPlaintext(MqttUpstreamConfiguration configuration)
    {
        if (configuration.SendsCredentialsInClear)
        {
            UpstreamLog.PlaintextCredentials(_logger, configuration.Host, configuration.Port);
        }
    }

    private Task PublishStatusAsync(string status, CancellationToken cancellationToken) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(_topics.Status)
                .WithPayload(status)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(true)
                .Build(),
            cancellationToken);

    private MqttClientOptions BuildOptions(MqttUpstreamConfiguration configuration, UpstreamTopics topics) =>
        MqttConnectionOptions.Create(configuration, configuration.ClientId, cleanSession: !configuration.PersistentSession, topics.Status, e => ValidateBrokerCertificate(e, configuration));

    /// <summary>
    /// The broker's certificate as TLS judged it (with <c>ca_file</c>, against exactly those roots); remembers why it
    /// was refused, so the outage log says which key to set instead of "the remote certificate is invalid".
    /// </summary>
    private bool ValidateBrokerCertificate(MqttClientCertificateValidationEventArgs e, MqttUpstreamConfiguration configuration)
    {
        _certificateProblem = MqttFailureText.CertificateProblem(e.SslPolicyErrors, e.Chain, configuration);
        return _certificateProblem is null;
    }

    private string Describe(Exception ex) => MqttFailureText.Describe(ex, _configuration, Name, _certificateProblem, MqttConnectionOptions.ConnectTimeout);
}
