namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The connection to the server is unusable: socket failure, a malformed or oversize chunk, an ERR message from
/// the server, a broken sequence. Connection-fatal: the channel is closed and must be reopened.
/// </summary>
public sealed class UaTransportException : UaException
{
    public UaTransportException(UaStatusCode statusCode, string message, Exception? innerException = null)
        : base(statusCode, message, innerException)
    {
    }
}
