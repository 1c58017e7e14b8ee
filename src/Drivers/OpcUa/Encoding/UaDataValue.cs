namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A value with its status and timestamps (OPC 10000-4 §7.11, encoding 10000-6 §5.2.2.17). A struct, so a data
/// change or a Read result costs no object of its own.
/// </summary>
public readonly record struct UaDataValue(
    UaVariant Value,
    UaStatusCode StatusCode,
    DateTime? SourceTimestamp,
    ushort SourcePicoseconds,
    DateTime? ServerTimestamp,
    ushort ServerPicoseconds)
{
    public UaDataValue(UaVariant value)
        : this(value, UaStatusCode.Good, null, 0, null, 0)
    {
    }
}
