namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The body kind byte of an ExtensionObject (OPC 10000-6 §5.2.2.15).</summary>
public enum UaExtensionObjectEncoding : byte
{
    None = 0,
    Binary = 1,
    Xml = 2,
}
