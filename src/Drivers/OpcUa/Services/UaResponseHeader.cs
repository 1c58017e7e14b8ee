namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// ResponseHeader (OPC 10000-4 §7.29): timestamp, requestHandle, serviceResult, serviceDiagnostics,
/// stringTable String[], additionalHeader ExtensionObject.
/// </summary>
public sealed record UaResponseHeader(DateTime Timestamp, uint RequestHandle, UaStatusCode ServiceResult, string?[]? StringTable)
{
    public static UaResponseHeader Decode(ref UaBinaryReader reader)
    {
        DateTime timestamp = reader.ReadDateTime();
        uint handle = reader.ReadUInt32();
        UaStatusCode result = reader.ReadStatusCode();
        reader.ReadDiagnosticInfo();
        string?[]? strings = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadString());
        reader.ReadExtensionObject();
        return new UaResponseHeader(timestamp, handle, result, strings);
    }
}
