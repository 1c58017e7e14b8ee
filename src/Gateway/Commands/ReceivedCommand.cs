namespace SmartCity.Edge.Gateway.Commands;

/// <summary>A message received on a command topic.</summary>
internal sealed record ReceivedCommand(string Topic, byte[] Payload);
