namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>MessageSecurityMode (OPC 10000-4 §7.20).</summary>
public enum UaMessageSecurityMode
{
    Invalid = 0,
    None = 1,
    Sign = 2,
    SignAndEncrypt = 3,
}
