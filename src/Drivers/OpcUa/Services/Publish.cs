namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>SubscriptionAcknowledgement (OPC 10000-4 §5.13.5.2).</summary>
public readonly record struct UaSubscriptionAcknowledgement(uint SubscriptionId, uint SequenceNumber);

/// <summary>One data change: the monitored item's client handle and its new value.</summary>
public readonly record struct UaMonitoredItemNotification(uint ClientHandle, UaDataValue Value);

/// <summary>
/// NotificationMessage (OPC 10000-4 §7.22) with the notification data decoded: data changes (811) and a status
/// change (820). A message without data is a keep-alive and carries the next sequence number, unconsumed.
/// </summary>
public sealed record UaNotificationMessage(uint SequenceNumber, DateTime PublishTime, UaMonitoredItemNotification[] DataChanges, UaStatusCode? StatusChange, bool IsKeepAlive)
{
    public static UaNotificationMessage Decode(ref UaBinaryReader reader, UaEncodingLimits limits)
    {
        uint sequenceNumber = reader.ReadUInt32();
        DateTime publishTime = reader.ReadDateTime();
        UaExtensionObject[] data = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadExtensionObject()) ?? [];
        var changes = new List<UaMonitoredItemNotification>();
        UaStatusCode? status = null;
        foreach (UaExtensionObject item in data)
        {
            if (item.Encoding != UaExtensionObjectEncoding.Binary || item.TypeId.NamespaceIndex != 0)
            {
                continue;
            }

            var body = new UaBinaryReader(item.Body, limits);
            switch (item.TypeId.Numeric)
            {
                case UaTypeIds.DataChangeNotification:
                    int count = Math.Max(0, body.ReadArrayLength());
                    for (int i = 0; i < count; i++)
                    {
                        uint handle = body.ReadUInt32();
                        changes.Add(new UaMonitoredItemNotification(handle, body.ReadDataValue()));
                    }

                    break;
                case UaTypeIds.StatusChangeNotification:
                    status = body.ReadStatusCode();
                    break;
            }
        }

        return new UaNotificationMessage(sequenceNumber, publishTime, [.. changes], status, data.Length == 0);
    }
}

/// <summary>PublishRequest (§5.13.5; 826): the acknowledgements of what we received.</summary>
internal sealed record PublishRequest(IReadOnlyList<UaSubscriptionAcknowledgement> Acknowledgements) : IUaRequest
{
    public uint TypeId => UaTypeIds.PublishRequest;

    public void Encode(UaBinaryWriter writer) =>
        writer.WriteArray(Acknowledgements, static (w, a) =>
        {
            w.WriteUInt32(a.SubscriptionId);
            w.WriteUInt32(a.SequenceNumber);
        });
}

/// <summary>PublishResponse (829).</summary>
internal sealed record PublishResponse(uint SubscriptionId, uint[] AvailableSequenceNumbers, bool MoreNotifications, UaNotificationMessage Message, UaStatusCode[] AcknowledgementResults) : IUaResponse<PublishResponse>
{
    public static uint TypeId => UaTypeIds.PublishResponse;

    public static PublishResponse Decode(ref UaBinaryReader reader, UaResponseHeader header)
    {
        uint id = reader.ReadUInt32();
        uint[] available = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadUInt32()) ?? [];
        bool more = reader.ReadBoolean();
        UaNotificationMessage message = UaNotificationMessage.Decode(ref reader, UaEncodingLimits.Default);
        UaStatusCode[] results = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode()) ?? [];
        return new PublishResponse(id, available, more, message, results);
    }
}

/// <summary>RepublishRequest (§5.13.6; 832): subscriptionId, retransmitSequenceNumber.</summary>
internal sealed record RepublishRequest(uint SubscriptionId, uint SequenceNumber) : IUaRequest
{
    public uint TypeId => UaTypeIds.RepublishRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteUInt32(SubscriptionId);
        writer.WriteUInt32(SequenceNumber);
    }
}

internal sealed record RepublishResponse(UaNotificationMessage Message) : IUaResponse<RepublishResponse>
{
    public static uint TypeId => UaTypeIds.RepublishResponse;

    public static RepublishResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(UaNotificationMessage.Decode(ref reader, UaEncodingLimits.Default));
}
