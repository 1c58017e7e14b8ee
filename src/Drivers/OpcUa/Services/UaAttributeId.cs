namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Attribute ids (OPC 10000-6 Annex A.1).</summary>
public enum UaAttributeId : uint
{
    NodeId = 1,
    NodeClass = 2,
    BrowseName = 3,
    DisplayName = 4,
    Description = 5,
    Value = 13,
    DataType = 14,
    ValueRank = 15,
    ArrayDimensions = 16,
    AccessLevel = 17,
}
