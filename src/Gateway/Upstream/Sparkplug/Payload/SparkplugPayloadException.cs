namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>A received payload is not a Sparkplug B payload we can read (malformed protobuf, over a limit). The message is ignored.</summary>
internal sealed class SparkplugPayloadException(string message, Exception? innerException = null) : Exception(message, innerException);
