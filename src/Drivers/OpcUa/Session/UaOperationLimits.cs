namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The server's per-request limits (Server/ServerCapabilities/OperationLimits, OPC 10000-5 §6.3.11); 0 = none.</summary>
public sealed record UaOperationLimits(uint MaxNodesPerRead, uint MaxNodesPerWrite, uint MaxNodesPerBrowse, uint MaxNodesPerTranslateBrowsePaths)
{
    public static UaOperationLimits None { get; } = new(0, 0, 0, 0);

    /// <summary>Our own cap per request when the server states none, so one request stays a sane size.</summary>
    public const int DefaultBatch = 1000;

    public static int Batch(uint limit) => limit == 0 || limit > DefaultBatch ? DefaultBatch : (int)limit;
}
