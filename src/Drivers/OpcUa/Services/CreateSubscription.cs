namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>CreateSubscriptionRequest (OPC 10000-4 §5.13.2; 787).</summary>
internal sealed record CreateSubscriptionRequest(double PublishingInterval, uint LifetimeCount, uint MaxKeepAliveCount, uint MaxNotificationsPerPublish) : IUaRequest
{
    public uint TypeId => UaTypeIds.CreateSubscriptionRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteDouble(PublishingInterval);
        writer.WriteUInt32(LifetimeCount);
        writer.WriteUInt32(MaxKeepAliveCount);
        writer.WriteUInt32(MaxNotificationsPerPublish);
        writer.WriteBoolean(true); // publishingEnabled
        writer.WriteByte(0);       // priority
    }
}

/// <summary>CreateSubscriptionResponse (790): the server's revised values are the ones in force.</summary>
internal sealed record CreateSubscriptionResponse(uint SubscriptionId, double RevisedPublishingInterval, uint RevisedLifetimeCount, uint RevisedMaxKeepAliveCount) : IUaResponse<CreateSubscriptionResponse>
{
    public static uint TypeId => UaTypeIds.CreateSubscriptionResponse;

    public static CreateSubscriptionResponse Decode(ref UaBinaryReader reader, UaResponseHeader header)
    {
        uint id = reader.ReadUInt32();
        double interval = reader.ReadDouble();
        uint lifetime = reader.ReadUInt32();
        return new CreateSubscriptionResponse(id, interval, lifetime, reader.ReadUInt32());
    }
}

/// <summary>DeleteSubscriptionsRequest (§5.13.8; 847).</summary>
internal sealed record DeleteSubscriptionsRequest(IReadOnlyList<uint> SubscriptionIds) : IUaRequest
{
    public uint TypeId => UaTypeIds.DeleteSubscriptionsRequest;

    public void Encode(UaBinaryWriter writer) => writer.WriteArray(SubscriptionIds, static (w, id) => w.WriteUInt32(id));
}

internal sealed record DeleteSubscriptionsResponse(UaStatusCode[] Results) : IUaResponse<DeleteSubscriptionsResponse>
{
    public static uint TypeId => UaTypeIds.DeleteSubscriptionsResponse;

    public static DeleteSubscriptionsResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(reader.ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode()) ?? []);
}

/// <summary>TransferSubscriptionsRequest (§5.13.7; 841): subscriptionIds, sendInitialValues.</summary>
internal sealed record TransferSubscriptionsRequest(IReadOnlyList<uint> SubscriptionIds, bool SendInitialValues) : IUaRequest
{
    public uint TypeId => UaTypeIds.TransferSubscriptionsRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteArray(SubscriptionIds, static (w, id) => w.WriteUInt32(id));
        writer.WriteBoolean(SendInitialValues);
    }
}

/// <summary>TransferSubscriptionsResponse (844): per subscription a status and the sequence numbers still available.</summary>
internal sealed record TransferSubscriptionsResponse(UaStatusCode[] Results, uint[][] AvailableSequenceNumbers) : IUaResponse<TransferSubscriptionsResponse>
{
    public static uint TypeId => UaTypeIds.TransferSubscriptionsResponse;

    public static TransferSubscriptionsResponse Decode(ref UaBinaryReader reader, UaResponseHeader header)
    {
        int count = Math.Max(0, reader.ReadArrayLength());
        var results = new UaStatusCode[count];
        uint[][] available = new uint[count][];
        for (int i = 0; i < count; i++)
        {
            results[i] = reader.ReadStatusCode();
            available[i] = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadUInt32()) ?? [];
        }

        return new TransferSubscriptionsResponse(results, available);
    }
}
