namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// The transport's receipt of one command. <see cref="AcknowledgeAsync"/> tells the sender the command is done with
/// (MQTT: the PUBACK), after which the broker forgets it; until then the broker keeps it in the gateway's session and
/// delivers it again after a reconnect.
/// </summary>
internal interface ICommandDelivery
{
    /// <summary>
    /// Acknowledges the delivery. Never throws for a lost connection: a command received on a connection that is gone
    /// is left to the broker's redelivery.
    /// </summary>
    ValueTask AcknowledgeAsync(CancellationToken cancellationToken);
}
