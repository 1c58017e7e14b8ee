namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A structure wrapped with the NodeId of its encoding (OPC 10000-6 §5.2.2.15). The body stays raw bytes:
/// the service layer decodes the bodies it knows (DataChangeNotification, identity tokens, filters) by
/// <see cref="TypeId"/>, and an unknown structure passes through untouched.
/// </summary>
public sealed record UaExtensionObject(UaNodeId TypeId, UaExtensionObjectEncoding Encoding, byte[]? Body)
{
    public static UaExtensionObject Null { get; } = new(UaNodeId.Null, UaExtensionObjectEncoding.None, null);

    public bool Equals(UaExtensionObject? other) =>
        other is not null && TypeId == other.TypeId && Encoding == other.Encoding && Body.AsSpan().SequenceEqual(other.Body);

    public override int GetHashCode() => HashCode.Combine(TypeId, Encoding, Body?.Length);
}
