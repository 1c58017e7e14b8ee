namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Bounds checked while decoding, before anything is allocated, so a peer cannot make us allocate unbounded memory
/// (OPC 10000-6 §5.2.2: decoders should reject lengths beyond their limits with Bad_EncodingLimitsExceeded).
/// </summary>
/// <param name="MaxStringLength">Longest String/ByteString/XmlElement in bytes.</param>
/// <param name="MaxArrayLength">Most elements of one array.</param>
/// <param name="MaxNestingDepth">Deepest Variant/DiagnosticInfo/DataValue nesting.</param>
public sealed record UaEncodingLimits(int MaxStringLength, int MaxArrayLength, int MaxNestingDepth)
{
    public static UaEncodingLimits Default { get; } = new(16 * 1024 * 1024, 1024 * 1024, 32);
}
