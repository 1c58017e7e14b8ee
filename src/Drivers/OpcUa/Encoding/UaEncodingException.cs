namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>A value cannot be encoded (wrong CLR type for its declared built-in type, or a message over the size limit). Request-scoped.</summary>
public sealed class UaEncodingException : UaException
{
    public UaEncodingException(UaStatusCode statusCode, string message)
        : base(statusCode, message)
    {
    }
}
