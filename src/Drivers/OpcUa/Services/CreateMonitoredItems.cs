namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>DeadbandType of a DataChangeFilter (OPC 10000-4 §7.17.2).</summary>
public enum UaDeadbandType : uint
{
    None = 0,
    Absolute = 1,
    Percent = 2,
}

/// <summary>What to monitor and how (OPC 10000-4 §7.21 MonitoringParameters plus the item to monitor).</summary>
/// <param name="NodeId">The variable.</param>
/// <param name="ClientHandle">Our key for its notifications.</param>
/// <param name="SamplingInterval">Milliseconds; −1 = the publishing interval, 0 = fastest.</param>
/// <param name="QueueSize">Notifications kept between publishes (1 = latest only).</param>
/// <param name="DeadbandType">None, absolute or percent of the EURange.</param>
/// <param name="DeadbandValue">The deadband.</param>
public sealed record UaMonitoredItemRequest(UaNodeId NodeId, uint ClientHandle, double SamplingInterval, uint QueueSize, UaDeadbandType DeadbandType = UaDeadbandType.None, double DeadbandValue = 0)
{
    /// <summary>
    /// Set when the node was configured by namespace URI (<c>nsu=</c>): <see cref="NodeId"/>'s namespace index is then
    /// looked up in each new session's NamespaceArray before the item is created (<see cref="UaNodeReference"/>).
    /// </summary>
    public string? NamespaceUri { get; init; }

    /// <summary>Set for an event item: the node's EventNotifier attribute is monitored with an EventFilter selecting these fields.</summary>
    public IReadOnlyList<UaSimpleAttributeOperand>? EventFields { get; init; }

    public void Encode(UaBinaryWriter writer)
    {
        new UaReadValueId(NodeId, EventFields is null ? UaAttributeId.Value : UaAttributeId.EventNotifier).Encode(writer);
        writer.WriteInt32(2); // MonitoringMode Reporting
        writer.WriteUInt32(ClientHandle);
        writer.WriteDouble(SamplingInterval);
        if (EventFields is { } fields)
        {
            // EventFilter (727, OPC 10000-4 §7.17.3): selectClauses SimpleAttributeOperand[], whereClause ContentFilter (no elements).
            writer.WriteExtensionObject(UaTypeIds.EventFilter, fields, static (w, select) =>
            {
                w.WriteArray(select, static (w2, operand) => operand.Encode(w2));
                w.WriteInt32(0);
            });
        }
        else if (DeadbandType == UaDeadbandType.None)
        {
            writer.WriteExtensionObject(UaExtensionObject.Null);
        }
        else
        {
            // DataChangeFilter (724): trigger StatusValue, deadbandType, deadbandValue.
            writer.WriteExtensionObject(UaTypeIds.DataChangeFilter, this, static (w, item) =>
            {
                w.WriteInt32(1);
                w.WriteUInt32((uint)item.DeadbandType);
                w.WriteDouble(item.DeadbandValue);
            });
        }

        writer.WriteUInt32(QueueSize);
        writer.WriteBoolean(true); // discardOldest
    }
}

/// <summary>MonitoredItemCreateResult (§5.12.2.2).</summary>
public sealed record UaMonitoredItemResult(UaStatusCode StatusCode, uint MonitoredItemId, double RevisedSamplingInterval, uint RevisedQueueSize)
{
    public static UaMonitoredItemResult Decode(ref UaBinaryReader reader)
    {
        UaStatusCode status = reader.ReadStatusCode();
        uint id = reader.ReadUInt32();
        double interval = reader.ReadDouble();
        uint queue = reader.ReadUInt32();
        reader.ReadExtensionObject(); // filterResult
        return new UaMonitoredItemResult(status, id, interval, queue);
    }
}

/// <summary>CreateMonitoredItemsRequest (§5.12.2; 751).</summary>
internal sealed record CreateMonitoredItemsRequest(uint SubscriptionId, IReadOnlyList<UaMonitoredItemRequest> Items) : IUaRequest
{
    public uint TypeId => UaTypeIds.CreateMonitoredItemsRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteUInt32(SubscriptionId);
        writer.WriteInt32((int)UaTimestampsToReturn.Both);
        writer.WriteArray(Items, static (w, item) => item.Encode(w));
    }
}

internal sealed record CreateMonitoredItemsResponse(UaMonitoredItemResult[] Results) : IUaResponse<CreateMonitoredItemsResponse>
{
    public static uint TypeId => UaTypeIds.CreateMonitoredItemsResponse;

    public static CreateMonitoredItemsResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(reader.ReadArray(UaMonitoredItemResult.Decode) ?? []);
}
