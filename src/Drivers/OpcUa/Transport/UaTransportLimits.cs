namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The four sizes exchanged in Hello/Acknowledge (OPC 10000-6 §7.1.2.3–4). 0 for MaxMessageSize/MaxChunkCount means "no limit".
/// </summary>
public sealed record UaTransportLimits(uint ReceiveBufferSize, uint SendBufferSize, uint MaxMessageSize, uint MaxChunkCount)
{
    /// <summary>What we offer: 64 KiB chunks, responses up to 16 MiB in at most 4096 chunks (bounds our memory per response).</summary>
    public static UaTransportLimits Default { get; } = new(65535, 65535, 16 * 1024 * 1024, 4096);
}
