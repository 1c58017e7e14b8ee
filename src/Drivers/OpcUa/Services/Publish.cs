using System.Buffers;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>SubscriptionAcknowledgement (OPC 10000-4 §5.13.5.2).</summary>
public readonly record struct UaSubscriptionAcknowledgement(uint SubscriptionId, uint SequenceNumber);

/// <summary>One data change: the monitored item's client handle and its new value.</summary>
public readonly record struct UaMonitoredItemNotification(uint ClientHandle, UaDataValue Value);

/// <summary>One event (EventFieldList, OPC 10000-4 §7.20.3): the monitored item's client handle and the selected fields, in select order.</summary>
public readonly record struct UaEventFieldList(uint ClientHandle, UaVariant[] Fields);

/*
 * NotificationMessage (OPC 10000-4 §7.22):
 *   [SequenceNumber UInt32][PublishTime DateTime][NotificationData ExtensionObject[]]
 * NotificationData bodies decoded here (ns=0 binary encodings, OPC 10000-4 §7.25):
 *   DataChangeNotification (811)  [MonitoredItems { ClientHandle UInt32, Value DataValue }[]][DiagnosticInfos DiagnosticInfo[]]
 *   EventNotificationList (916)   [Events { ClientHandle UInt32, EventFields Variant[] }[]]
 *   StatusChangeNotification (820) [Status StatusCode][DiagnosticInfo]
 */

/// <summary>
/// NotificationMessage (OPC 10000-4 §7.22) with the notification data decoded: data changes (811), events (916) and
/// a status change (820). A message without data is a keep-alive and carries the next sequence number, unconsumed.
/// </summary>
/// <remarks>
/// The data changes are the hot path (a subscription on 1,000 nodes brings thousands a second): they are decoded
/// straight from the message body, without copying the ExtensionObject bodies, into an array rented from
/// <see cref="ArrayPool{T}"/>. <see cref="DataChanges"/> is valid until <see cref="Release"/>, which the client calls
/// once the message was delivered; a message never released just leaves its array to the garbage collector.
/// </remarks>
public sealed class UaNotificationMessage
{
    private UaMonitoredItemNotification[] _dataChanges;
    private int _dataChangeCount;

    private UaNotificationMessage(uint sequenceNumber, DateTime publishTime, UaMonitoredItemNotification[] dataChanges, int dataChangeCount, UaEventFieldList[] events, UaStatusCode? statusChange, bool isKeepAlive)
    {
        SequenceNumber = sequenceNumber;
        PublishTime = publishTime;
        _dataChanges = dataChanges;
        _dataChangeCount = dataChangeCount;
        Events = events;
        StatusChange = statusChange;
        IsKeepAlive = isKeepAlive;
    }

    public uint SequenceNumber { get; }

    public DateTime PublishTime { get; }

    /// <summary>The data changes in message order; valid until <see cref="Release"/>.</summary>
    public ReadOnlySpan<UaMonitoredItemNotification> DataChanges => _dataChanges.AsSpan(0, _dataChangeCount);

    /// <summary>Events of event monitored items (EventNotificationList).</summary>
    public UaEventFieldList[] Events { get; }

    public UaStatusCode? StatusChange { get; }

    public bool IsKeepAlive { get; }

    /// <summary>Gives the data-change array back to the pool; <see cref="DataChanges"/> is empty afterwards. Idempotent.</summary>
    public void Release()
    {
        UaMonitoredItemNotification[] rented = _dataChanges;
        int count = _dataChangeCount;
        _dataChanges = [];
        _dataChangeCount = 0;
        Return(rented, count);
    }

    public static UaNotificationMessage Decode(ref UaBinaryReader reader, UaEncodingLimits limits)
    {
        uint sequenceNumber = reader.ReadUInt32();
        DateTime publishTime = reader.ReadDateTime();
        int dataCount = Math.Max(0, reader.ReadArrayLength());
        UaMonitoredItemNotification[] changes = [];
        int changeCount = 0;
        List<UaEventFieldList>? events = null;
        UaStatusCode? status = null;
        try
        {
            for (int d = 0; d < dataCount; d++)
            {
                ReadOnlySpan<byte> data = reader.ReadExtensionObjectBody(out UaNodeId typeId, out UaExtensionObjectEncoding encoding);
                if (encoding != UaExtensionObjectEncoding.Binary || typeId.NamespaceIndex != 0 || typeId.IdType != UaNodeIdType.Numeric)
                {
                    continue;
                }

                var body = new UaBinaryReader(data, limits);
                switch (typeId.Numeric)
                {
                    case UaTypeIds.DataChangeNotification:
                        // The count is bounded by the limits and by the bytes left, so the rented array is too.
                        int count = Math.Max(0, body.ReadArrayLength());
                        EnsureCapacity(ref changes, changeCount, count);
                        for (int i = 0; i < count; i++)
                        {
                            uint handle = body.ReadUInt32();
                            changes[changeCount++] = new UaMonitoredItemNotification(handle, body.ReadDataValue());
                        }

                        break;
                    case UaTypeIds.EventNotificationList:
                        events ??= [];
                        int eventCount = Math.Max(0, body.ReadArrayLength());
                        for (int i = 0; i < eventCount; i++)
                        {
                            uint handle = body.ReadUInt32();
                            events.Add(new UaEventFieldList(handle, body.ReadArray(static (ref UaBinaryReader r) => r.ReadVariant()) ?? []));
                        }

                        break;
                    case UaTypeIds.StatusChangeNotification:
                        status = body.ReadStatusCode();
                        break;
                }
            }
        }
        catch
        {
            Return(changes, changeCount);
            throw;
        }

        return new UaNotificationMessage(sequenceNumber, publishTime, changes, changeCount, events is null ? [] : [.. events], status, dataCount == 0);
    }

    private static void EnsureCapacity(ref UaMonitoredItemNotification[] changes, int used, int more)
    {
        if (changes.Length - used >= more)
        {
            return;
        }

        UaMonitoredItemNotification[] larger = ArrayPool<UaMonitoredItemNotification>.Shared.Rent(used + more);
        changes.AsSpan(0, used).CopyTo(larger);
        Return(changes, used);
        changes = larger;
    }

    private static void Return(UaMonitoredItemNotification[] changes, int used)
    {
        if (changes.Length > 0)
        {
            // The values may hold strings and arrays: don't let the pool keep them alive.
            Array.Clear(changes, 0, used);
            ArrayPool<UaMonitoredItemNotification>.Shared.Return(changes);
        }
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
