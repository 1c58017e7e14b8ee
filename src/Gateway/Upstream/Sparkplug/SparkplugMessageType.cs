namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>The message types of the Sparkplug topic namespace (§4.1.1): the third topic level.</summary>
internal enum SparkplugMessageType : byte
{
    NBirth,
    NDeath,
    DBirth,
    DDeath,
    NData,
    DData,
    NCmd,
    DCmd,
    State,
}
