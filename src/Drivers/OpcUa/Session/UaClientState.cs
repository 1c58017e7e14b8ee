namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Life cycle of a <see cref="UaClient"/>; transitions in <c>UaClient.TransitionTo</c> only.</summary>
public enum UaClientState
{
    Disconnected,
    Connected,
    Reconnecting,
    Closed,
}
