namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The three-letter message type of a UA TCP / secure conversation header (OPC 10000-6 §7.1.2.2, §6.7.2.2).</summary>
public enum UaMessageType
{
    Hello,
    Acknowledge,
    Error,
    ReverseHello,
    OpenSecureChannel,
    CloseSecureChannel,
    Message,
}
