namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Bytes from the peer do not form a valid OPC UA Binary value (truncated, a length past a limit, an unknown mask).
/// Carries the status code the spec gives for it (Bad_DecodingError or Bad_EncodingLimitsExceeded).
/// Inside a response this is connection-fatal: the stream position can no longer be trusted.
/// </summary>
public sealed class UaDecodingException : UaException
{
    public UaDecodingException(UaStatusCode statusCode, string message)
        : base(statusCode, message)
    {
    }
}
