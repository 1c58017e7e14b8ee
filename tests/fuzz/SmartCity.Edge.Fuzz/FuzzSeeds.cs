using System.Buffers.Binary;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Fuzz;

/// <summary>
/// Valid inputs to start each binary target from (<c>SmartCity.Edge.Fuzz --write-seeds DIR</c>, used by run.sh when a
/// target's corpus is empty): without them libFuzzer spends most of a run finding the magic bytes and length fields
/// that lead past the first check. Written with our own encoders and the Modbus spec's example replies.
/// </summary>
public static class FuzzSeeds
{
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        foreach ((string name, byte chooser, byte[] pdu) in ModbusReplies())
        {
            yield return (FuzzTargets.ModbusTcp, name, FuzzTargets.ModbusTcpInput(chooser, 1, 1, pdu));
            yield return (FuzzTargets.ModbusRtu, name, RtuInput(chooser, 1, pdu));
        }

        yield return (FuzzTargets.OpcUaChunk, "ack", Acknowledge());
        yield return (FuzzTargets.OpcUaChunk, "err", Error());
        yield return (FuzzTargets.OpcUaChunk, "opn-none", OpenResponse());
        yield return (FuzzTargets.OpcUaChunk, "msg-read", Message(UaTypeIds.ReadResponse, static w =>
            w.WriteArray<UaDataValue>([new UaDataValue(new UaVariant(UaBuiltInType.Double, 21.5), UaStatusCode.Good, DateTime.UnixEpoch, 0, null, 0)], static (w2, v) => w2.WriteDataValue(v))));
        yield return (FuzzTargets.OpcUaChunk, "msg-publish", Message(UaTypeIds.PublishResponse, static w =>
        {
            w.WriteUInt32(1); // SubscriptionId
            w.WriteArray<uint>([7], static (w2, n) => w2.WriteUInt32(n));
            w.WriteBoolean(false);
            w.WriteUInt32(7); // NotificationMessage.SequenceNumber
            w.WriteDateTime(DateTime.UnixEpoch);
            w.WriteArray<int>([0], static (w2, _) => w2.WriteExtensionObject(UaTypeIds.DataChangeNotification, 0, static (w3, _) =>
            {
                w3.WriteArray<uint>([3], static (w4, handle) =>
                {
                    w4.WriteUInt32(handle);
                    w4.WriteDataValue(new UaDataValue(new UaVariant(UaBuiltInType.Int32, 42), UaStatusCode.Good, DateTime.UnixEpoch, 0, null, 0));
                });
                w3.WriteInt32(-1);
            }));
            w.WriteArray<UaStatusCode>([], static (w2, s) => w2.WriteStatusCode(s));
            w.WriteInt32(-1);
        }));

        UaVariant[] variants =
        [
            new UaVariant(UaBuiltInType.Double, 3.5),
            new UaVariant(UaBuiltInType.String, "Tür offen"),
            new UaVariant(UaBuiltInType.Int32, new[] { 1, 2, 3, 4, 5, 6 }, [2, 3]),
            new UaVariant(UaBuiltInType.DataValue, new UaDataValue(new UaVariant(UaBuiltInType.Boolean, true), new UaStatusCode(UaStatusCodes.BadNodeIdUnknown), DateTime.UnixEpoch, 1, DateTime.UnixEpoch, 2)),
            new UaVariant(UaBuiltInType.ExpandedNodeId, new UaExpandedNodeId(UaNodeId.FromString(2, "Level"), "urn:park:meters", 1)),
            new UaVariant(UaBuiltInType.LocalizedText, new UaLocalizedText("de", "Offen")),
            new UaVariant(UaBuiltInType.DiagnosticInfo, new UaDiagnosticInfo(1, 2, 3, 4, "x", new UaStatusCode(1), new UaDiagnosticInfo(5))),
        ];
        for (int i = 0; i < variants.Length; i++)
        {
            using var writer = new UaBinaryWriter();
            writer.WriteByte(0); // the first decoder: Variant
            writer.WriteVariant(variants[i]);
            yield return (FuzzTargets.OpcUaBinary, $"variant-{i}", writer.WrittenSpan.ToArray());
        }

        foreach ((string name, byte mode, byte[] bytes) in SnmpSeeds.Messages())
        {
            yield return (FuzzTargets.SnmpMessage, name, [mode, .. bytes]);
        }

        foreach ((string name, byte[] bytes) in SnmpSeeds.Notifications())
        {
            yield return (FuzzTargets.SnmpTrap, name, bytes);
        }

        foreach ((string name, byte mode, byte[] bytes) in SnmpSeeds.Commands())
        {
            yield return (FuzzTargets.CommandToken, name, [mode, .. bytes]);
        }
    }

    /// <summary>(name, request chooser of <see cref="FuzzTargets"/>, reply PDU): AP §6 layouts and examples.</summary>
    private static IEnumerable<(string Name, byte Chooser, byte[] Pdu)> ModbusReplies()
    {
        yield return ("fc01", 0, [0x01, 0x03, 0xCD, 0x6B, 0x05]);
        yield return ("fc03", 8, [0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64]);
        yield return ("fc04", 3, [0x04, 0x04, 0x00, 0x0A, 0x00, 0x0B]);
        yield return ("fc05", 4, [0x05, 0x00, 0x01, 0xFF, 0x00]);
        yield return ("fc06", 5, [0x06, 0x00, 0x01, 0x12, 0x34]);
        yield return ("fc0f", 6, [0x0F, 0x00, 0x13, 0x00, 0x0A]);
        yield return ("fc10", 7, [0x10, 0x00, 0x01, 0x00, 0x02]);
        yield return ("exception", 2, [0x83, 0x02]);
        yield return ("fc2b", 9, [0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03, (byte)'A', (byte)'C', (byte)'M', 0x01, 0x02, (byte)'X', (byte)'1', 0x02, 0x01, (byte)'7']);
        yield return ("fc2b-more", 10, [0x2B, 0x0E, 0x03, 0x83, 0xFF, 0x80, 0x01, 0x00, 0x02, (byte)'V', (byte)'N']);
    }

    private static byte[] RtuInput(byte chooser, byte unit, byte[] pdu)
    {
        byte[] frame = new byte[1 + pdu.Length + 2];
        frame[0] = unit;
        pdu.CopyTo(frame, 1);
        ModbusCrc16.Append(frame, 1 + pdu.Length);
        return [chooser, unit, .. frame];
    }

    private static byte[] Acknowledge()
    {
        byte[] chunk = new byte[28];
        "ACKF"u8.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), 28);
        new UaAcknowledgeMessage(0, new UaTransportLimits(65535, 65535, 0, 0)).TryWrite(chunk.AsSpan(8), out _);
        return chunk;
    }

    private static byte[] Error()
    {
        using var writer = new UaBinaryWriter();
        writer.WriteBytes("ERRF"u8);
        writer.WriteUInt32(0);
        writer.WriteStatusCode(new UaStatusCode(UaStatusCodes.BadTcpMessageTooLarge));
        writer.WriteString("too large");
        return Sized(writer);
    }

    private static byte[] OpenResponse()
    {
        using var writer = new UaBinaryWriter();
        writer.WriteBytes("OPNF"u8);
        writer.WriteUInt32(0);
        writer.WriteUInt32(5); // SecureChannelId
        writer.WriteString("http://opcfoundation.org/UA/SecurityPolicy#None");
        writer.WriteByteString(null);
        writer.WriteByteString(null);
        writer.WriteUInt32(1); // SequenceNumber
        writer.WriteUInt32(1); // RequestId
        writer.WriteNodeId(UaTypeIds.OpenSecureChannelResponse);
        WriteResponseHeader(writer);
        writer.WriteUInt32(0); // ServerProtocolVersion
        writer.WriteUInt32(5); // ChannelId
        writer.WriteUInt32(1); // TokenId
        writer.WriteDateTime(DateTime.UnixEpoch);
        writer.WriteUInt32(600000);
        writer.WriteByteString(null);
        return Sized(writer);
    }

    private static byte[] Message(uint typeId, Action<UaBinaryWriter> body)
    {
        using var writer = new UaBinaryWriter();
        writer.WriteBytes("MSGF"u8);
        writer.WriteUInt32(0);
        writer.WriteUInt32(5); // SecureChannelId
        writer.WriteUInt32(1); // TokenId
        writer.WriteUInt32(2); // SequenceNumber
        writer.WriteUInt32(2); // RequestId
        writer.WriteNodeId(typeId);
        WriteResponseHeader(writer);
        body(writer);
        return Sized(writer);
    }

    private static void WriteResponseHeader(UaBinaryWriter writer)
    {
        writer.WriteDateTime(DateTime.UnixEpoch);
        writer.WriteUInt32(1); // RequestHandle
        writer.WriteStatusCode(UaStatusCode.Good);
        writer.WriteByte(0); // no DiagnosticInfo
        writer.WriteInt32(-1); // StringTable
        writer.WriteExtensionObject(UaExtensionObject.Null);
    }

    private static byte[] Sized(UaBinaryWriter writer)
    {
        byte[] chunk = writer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)chunk.Length);
        return chunk;
    }
}
