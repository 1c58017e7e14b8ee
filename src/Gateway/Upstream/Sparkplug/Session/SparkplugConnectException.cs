namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>A connect attempt failed. <see cref="ConnectSent"/> is false only when no CONNECT can have reached the broker (so its bdSeq is not used up).</summary>
internal sealed class SparkplugConnectException(string message, bool connectSent, Exception? innerException = null) : Exception(message, innerException)
{
    public bool ConnectSent { get; } = connectSent;
}
