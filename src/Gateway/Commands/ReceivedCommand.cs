namespace SmartCity.Edge.Gateway.Commands;

/// <summary>A message received on a command topic.</summary>
/// <param name="Topic">The topic it came on.</param>
/// <param name="Payload">A copy of its payload.</param>
/// <param name="Retained">A retained message: stale by definition (it would replay on every reconnect), not executed.</param>
/// <param name="Delivery">Acknowledged once the command is executed and its effect durable, in the order received.</param>
internal sealed record ReceivedCommand(string Topic, byte[] Payload, bool Retained, ICommandDelivery Delivery);
