namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Life cycle of a <see cref="UaSecureChannel"/>; transitions happen in <c>UaSecureChannel.TransitionTo</c> only.</summary>
public enum UaSecureChannelState
{
    Opening,
    Open,
    Closing,
    Closed,
    Faulted,
}
