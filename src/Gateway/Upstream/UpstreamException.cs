namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>An upstream destination is unreachable or refused a message. Records stay in the buffer and are retried.</summary>
internal sealed class UpstreamException(string message, Exception? innerException = null) : Exception(message, innerException);
