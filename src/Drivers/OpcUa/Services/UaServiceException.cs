namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A service call failed as a whole: a ServiceFault or a bad ServiceResult from the server, a request timeout, a
/// request too large to send. Request-scoped: the channel stays usable unless the code says the session or channel
/// is gone (Bad_SessionIdInvalid, Bad_SessionClosed, Bad_SecureChannelIdInvalid…).
/// </summary>
public sealed class UaServiceException : UaException
{
    public UaServiceException(UaStatusCode statusCode, string message)
        : base(statusCode, message)
    {
    }
}
