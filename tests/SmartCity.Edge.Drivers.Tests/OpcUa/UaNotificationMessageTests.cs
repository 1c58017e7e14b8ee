using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// The data-change receive path: PublishResponse bodies built with our encoder in the layout of OPC 10000-4 §5.13.5
/// and §7.22, decoded as the secure channel does, converted as the <c>opcua</c> driver does. The allocation bound
/// is counted bytes on this thread, not time, so it holds on a loaded machine.
/// </summary>
public sealed class UaNotificationMessageTests
{
    private static readonly DateTime s_sourceTime = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    // What the receive path may allocate per data change, measured over a Publish response of 1,000 Double changes
    // with both timestamps: the per-message objects (response, message, header, small arrays) spread over 1,000
    // changes come to well under a byte. Before the inline variant, struct DataValue and pooled buffers it was ~200 B.
    private const double MaxBytesPerDataChange = 4;

    [Fact]
    public void PublishResponse_NumbersOfEveryKind_DecodeInlineWithTheirClrTypes()
    {
        UaVariant[] values =
        [
            UaVariant.From(21.5),
            new UaVariant(UaBuiltInType.Float, 1.25f),
            new UaVariant(UaBuiltInType.Int32, -7),
            new UaVariant(UaBuiltInType.UInt32, uint.MaxValue),
            new UaVariant(UaBuiltInType.Int64, long.MinValue),
            new UaVariant(UaBuiltInType.UInt64, ulong.MaxValue),
            new UaVariant(UaBuiltInType.Boolean, true),
            new UaVariant(UaBuiltInType.Byte, (byte)200),
            new UaVariant(UaBuiltInType.StatusCode, new UaStatusCode(UaStatusCodes.BadNodeIdUnknown)),
            UaVariant.From("door open"),
        ];
        byte[] body = EncodePublishResponse(sequenceNumber: 7, [values]);

        PublishResponse response = Decode(body);

        UaNotificationMessage message = response.Message;
        Assert.Equal(7u, message.SequenceNumber);
        Assert.False(message.IsKeepAlive);
        Assert.Equal(values.Length, message.DataChanges.Length);
        for (int i = 0; i < values.Length; i++)
        {
            UaMonitoredItemNotification change = message.DataChanges[i];
            Assert.Equal((uint)i, change.ClientHandle);
            Assert.Equal(values[i], change.Value.Value);
            Assert.Equal(values[i].Value, change.Value.Value.Value);
            Assert.Equal(values[i].Value!.GetType(), change.Value.Value.Value!.GetType());
            Assert.Equal(s_sourceTime, change.Value.SourceTimestamp);
        }

        Assert.True(message.DataChanges[0].Value.Value.TryGetDouble(out double real) && real == 21.5);
        Assert.True(message.DataChanges[1].Value.Value.TryGetDouble(out double single) && single == 1.25);
        Assert.True(message.DataChanges[3].Value.Value.TryGetInt64(out long widened) && widened == uint.MaxValue);
        Assert.True(message.DataChanges[5].Value.Value.TryGetUInt64(out ulong unsigned) && unsigned == ulong.MaxValue);
        Assert.True(message.DataChanges[6].Value.Value.TryGetBoolean(out bool flag) && flag);
        Assert.True(message.DataChanges[8].Value.Value.TryGetStatusCode(out UaStatusCode code) && code.Code == UaStatusCodes.BadNodeIdUnknown);
        Assert.False(message.DataChanges[9].Value.Value.TryGetDouble(out _));
        message.Release();
    }

    [Fact]
    public void PublishResponse_TwoDataChangeNotifications_DeliversBothInOrder()
    {
        UaVariant[] first = [UaVariant.From(1.0), UaVariant.From(2.0)];
        UaVariant[] second = [UaVariant.From(3.0), UaVariant.From(4.0), UaVariant.From(5.0)];

        PublishResponse response = Decode(EncodePublishResponse(1, [first, second]));

        double[] decoded = new double[response.Message.DataChanges.Length];
        for (int i = 0; i < decoded.Length; i++)
        {
            Assert.True(response.Message.DataChanges[i].Value.Value.TryGetDouble(out decoded[i]));
        }

        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0, 5.0 }, decoded);
        response.Message.Release();
    }

    [Fact]
    public void NotificationMessage_Released_HasNoDataChangesAndReleasesOnce()
    {
        PublishResponse response = Decode(EncodePublishResponse(1, [[UaVariant.From(1.0)]]));

        response.Message.Release();
        response.Message.Release();

        Assert.Equal(0, response.Message.DataChanges.Length);
    }

    [Fact]
    public void PublishResponse_DataChangeCountBeyondTheBody_ThrowsDecodingError()
    {
        // A DataChangeNotification claiming 1,000 items in a body of a few bytes: rejected before anything is rented.
        using var writer = new UaBinaryWriter();
        WriteResponseStart(writer, 1);
        writer.WriteInt32(1);
        writer.WriteExtensionObject(UaNodeId.FromNumeric(0, UaTypeIds.DataChangeNotification), 0, static (w, _) =>
        {
            w.WriteInt32(1000);
            w.WriteUInt32(0);
        });
        WriteResponseEnd(writer);

        UaDecodingException error = Assert.Throws<UaDecodingException>(() => Decode(writer.WrittenSpan.ToArray()));

        Assert.Equal(UaStatusCodes.BadDecodingError, error.StatusCode.Code);
    }

    [Fact]
    public void UaVariant_NumberGivenAsObject_EqualsTheDecodedInlineValue()
    {
        var boxed = new UaVariant(UaBuiltInType.Double, (object)double.NaN);
        UaVariant inline = UaVariant.From(double.NaN);

        Assert.Equal(inline, boxed);
        Assert.Equal(inline.GetHashCode(), boxed.GetHashCode());
        Assert.Equal(UaVariant.From(0.0), UaVariant.From(-0.0));
        Assert.IsType<double>(boxed.Value);
        // A value whose CLR type does not match the declared type is kept as given, as before.
        Assert.IsType<int>(new UaVariant(UaBuiltInType.Double, 3).Value);
        Assert.NotEqual(UaVariant.From(3.0), new UaVariant(UaBuiltInType.Double, 3));
    }

    [Fact]
    public void PublishResponse_DecodeAndConvertThousandDoubles_AllocatesAtMostFourBytesPerChange()
    {
        const int Changes = 1000;
        const int Rounds = 200;
        UaVariant[] values = new UaVariant[Changes];
        for (int i = 0; i < Changes; i++)
        {
            values[i] = UaVariant.From(i * 0.5);
        }

        byte[] body = EncodePublishResponse(1, [values]);
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        double checksum = DecodeAndConvert(body, now); // warms the array pool and the JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < Rounds; round++)
        {
            checksum += DecodeAndConvert(body, now);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The sum proves every value went through (0 + 0.5 + … + 499.5 per round).
        Assert.Equal((Rounds + 1) * (Changes - 1) * Changes / 4.0, checksum);
        double perChange = allocated / (double)(Rounds * Changes);
        Assert.True(perChange <= MaxBytesPerDataChange, $"{perChange:0.00} bytes allocated per data change (limit {MaxBytesPerDataChange})");
    }

    /// <summary>What a data change goes through: the channel's decode, the driver's conversion to a TagReading, the release.</summary>
    private static double DecodeAndConvert(byte[] body, DateTimeOffset now)
    {
        PublishResponse response = Decode(body);
        double sum = 0;
        foreach (UaMonitoredItemNotification change in response.Message.DataChanges)
        {
            TagReading reading = OpcUaValueConverter.ToReading(0, change.Value, now);
            sum += reading.Value.AsDouble();
        }

        response.Message.Release();
        return sum;
    }

    /// <summary>As <c>UaSecureChannel.DecodeResponse</c>: TypeId, ResponseHeader, then the PublishResponse fields.</summary>
    private static PublishResponse Decode(byte[] body)
    {
        var reader = new UaBinaryReader(body);
        UaNodeId typeId = reader.ReadNodeId();
        Assert.Equal(UaNodeId.FromNumeric(0, UaTypeIds.PublishResponse), typeId);
        UaResponseHeader header = UaResponseHeader.Decode(ref reader);
        return PublishResponse.Decode(ref reader, header);
    }

    /*
     * PublishResponse (829, OPC 10000-4 §5.13.5.2): ResponseHeader, SubscriptionId UInt32, AvailableSequenceNumbers
     * UInt32[], MoreNotifications Boolean, NotificationMessage, Results StatusCode[], DiagnosticInfos DiagnosticInfo[].
     * Each inner array becomes one DataChangeNotification (811): MonitoredItems[] of { ClientHandle, DataValue }
     * with source and server timestamps, then DiagnosticInfos[] (null).
     */
    private static byte[] EncodePublishResponse(uint sequenceNumber, UaVariant[][] notifications)
    {
        using var writer = new UaBinaryWriter();
        WriteResponseStart(writer, sequenceNumber);
        writer.WriteInt32(notifications.Length);
        uint handle = 0;
        foreach (UaVariant[] values in notifications)
        {
            writer.WriteExtensionObject(UaNodeId.FromNumeric(0, UaTypeIds.DataChangeNotification), (values, handle), static (w, state) =>
            {
                w.WriteInt32(state.values.Length);
                for (int i = 0; i < state.values.Length; i++)
                {
                    w.WriteUInt32(state.handle + (uint)i);
                    w.WriteDataValue(new UaDataValue(state.values[i], UaStatusCode.Good, s_sourceTime, 0, s_sourceTime.AddMilliseconds(1), 0));
                }

                w.WriteInt32(-1);
            });
            handle += (uint)values.Length;
        }

        WriteResponseEnd(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteResponseStart(UaBinaryWriter writer, uint sequenceNumber)
    {
        writer.WriteNodeId(UaNodeId.FromNumeric(0, UaTypeIds.PublishResponse));
        writer.WriteDateTime(s_sourceTime);
        writer.WriteUInt32(42);
        writer.WriteStatusCode(UaStatusCode.Good);
        writer.WriteByte(0); // ServiceDiagnostics: empty DiagnosticInfo
        writer.WriteInt32(-1); // StringTable
        writer.WriteExtensionObject(null); // AdditionalHeader
        writer.WriteUInt32(5); // SubscriptionId
        writer.WriteInt32(1); // AvailableSequenceNumbers
        writer.WriteUInt32(sequenceNumber);
        writer.WriteBoolean(false); // MoreNotifications
        writer.WriteUInt32(sequenceNumber);
        writer.WriteDateTime(s_sourceTime);
    }

    private static void WriteResponseEnd(UaBinaryWriter writer)
    {
        writer.WriteInt32(0); // Results
        writer.WriteInt32(-1); // DiagnosticInfos
    }
}
