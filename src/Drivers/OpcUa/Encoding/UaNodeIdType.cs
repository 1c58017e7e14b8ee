namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The kind of identifier of a NodeId (OPC 10000-3 §8.2.3).</summary>
public enum UaNodeIdType : byte
{
    Numeric = 0,
    String = 1,
    Guid = 2,
    Opaque = 3,
}
