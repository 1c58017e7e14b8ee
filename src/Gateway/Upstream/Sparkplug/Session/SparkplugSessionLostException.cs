namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>The current connection is unusable (closed, refused a subscription, a publish failed): the edge node starts over on the next server.</summary>
internal sealed class SparkplugSessionLostException(string message, Exception? innerException = null) : Exception(message, innerException);
