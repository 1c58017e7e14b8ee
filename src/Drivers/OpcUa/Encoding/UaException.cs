namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Base of every error of our OPC UA stack; carries the OPC UA status code with its symbolic name.</summary>
public abstract class UaException : Exception
{
    protected UaException(UaStatusCode statusCode, string message, Exception? innerException = null)
        : base($"{statusCode.Name}: {message}", innerException)
    {
        StatusCode = statusCode;
    }

    public UaStatusCode StatusCode { get; }
}
