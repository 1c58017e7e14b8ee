using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using SmartCity.Edge.Gateway.Commands;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// A command received by <see cref="MqttPublisher"/> with MQTTnet's automatic acknowledgement switched off
/// (<see cref="MqttApplicationMessageReceivedEventArgs.AutoAcknowledge"/>): the PUBACK goes out when the command service
/// calls <see cref="AcknowledgeAsync"/>, and only on the connection the command came on.
/// </summary>
/// <remarks>
/// MQTTnet sends a deferred PUBACK on whatever connection is current. After a reconnect the broker has already sent
/// the command again with its original packet identifier (MQTT 3.1.1 §4.4, [MQTT-4.4.0-1]) and that copy is on its way
/// through the command service too; it is acknowledged when its turn comes. So an acknowledgement for an earlier
/// connection is skipped: the broker keeps the command until its copy is done with, and the PUBACKs of the new
/// connection stay in the order of its PUBLISHes (§4.6, [MQTT-4.6.0-2]).
/// </remarks>
internal sealed class MqttCommandDelivery : ICommandDelivery
{
    private readonly MqttPublisher _publisher;
    private readonly MqttApplicationMessageReceivedEventArgs _received;
    private readonly MqttPublisherConnection _connection;
    private readonly ILogger _logger;

    public MqttCommandDelivery(MqttPublisher publisher, MqttApplicationMessageReceivedEventArgs received, MqttPublisherConnection connection, ILogger logger)
    {
        _publisher = publisher;
        _received = received;
        _connection = connection;
        _logger = logger;
    }

    public async ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
    {
        if (_received.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            return; // nothing to acknowledge, and nothing the broker would send again
        }

        string topic = _received.ApplicationMessage.Topic;
        if (!_publisher.IsCurrentConnection(_connection))
        {
            UpstreamLog.CommandLeftForRedelivery(_logger, topic, _received.PacketIdentifier, "the connection it came on is closed");
            return;
        }

        try
        {
            await _received.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            UpstreamLog.CommandAcknowledged(_logger, topic, _received.PacketIdentifier, _received.ApplicationMessage.Dup);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The connection went down between the check and the send (MQTTnet then fails in various ways, down to a
            // disposed adapter): the same as a closed connection, the broker delivers the command again.
            UpstreamLog.CommandLeftForRedelivery(_logger, topic, _received.PacketIdentifier, ex.GetBaseException().Message);
        }
    }
}
