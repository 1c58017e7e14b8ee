namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// RequestHeader (OPC 10000-4 §7.28): authenticationToken NodeId, timestamp DateTime, requestHandle UInt32,
/// returnDiagnostics UInt32, auditEntryId String, timeoutHint UInt32 ms, additionalHeader ExtensionObject.
/// </summary>
public readonly record struct UaRequestHeader(UaNodeId AuthenticationToken, DateTime Timestamp, uint RequestHandle, uint TimeoutHint)
{
    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteNodeId(AuthenticationToken);
        writer.WriteDateTime(Timestamp);
        writer.WriteUInt32(RequestHandle);
        writer.WriteUInt32(0);
        writer.WriteString(null);
        writer.WriteUInt32(TimeoutHint);
        writer.WriteExtensionObject(UaExtensionObject.Null);
    }
}
