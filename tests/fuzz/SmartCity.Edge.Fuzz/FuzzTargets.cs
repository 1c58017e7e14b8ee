using System.Buffers.Binary;
using System.Text;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Fuzz;

/// <summary>
/// The fuzzing entry points: bytes from the network or a file, fed through the same parsers the gateway runs. Each
/// target lets through only the typed errors the stack throws for malformed input (<see cref="ModbusException"/>,
/// <see cref="UaException"/>, SnmpDecodeException; the configuration loader, the trap listener and the command token
/// verifier report problems and throw nothing); anything else escapes
/// and is a crash for libFuzzer and a failure for the corpus replay tests.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Modbus TCP receive stream: MBAP framing as the reader loop cuts it, then each reply PDU checked against a request.</summary>
    public const string ModbusTcp = "modbus-tcp";

    /// <summary>Modbus RTU line: frame length from the first bytes, CRC and address, then the reply PDU.</summary>
    public const string ModbusRtu = "modbus-rtu";

    /// <summary>One OPC UA TCP chunk as received: header, ACK/ERR bodies, OPN/MSG security and sequence headers, the response body.</summary>
    public const string OpcUaChunk = "opcua-chunk";

    /// <summary>UaBinaryReader: one built-in or structured type, chosen by the first byte.</summary>
    public const string OpcUaBinary = "opcua-binary";

    /// <summary>The YAML configuration loader (text as a technician's editor would save it, any bytes).</summary>
    public const string Config = "config";

    /// <summary>An SNMP agent's reply datagram: BER, v1/v2c messages, the v3 envelope, USM, scoped PDUs (<see cref="NetworkFuzzTargets.RunSnmpMessage"/>).</summary>
    public const string SnmpMessage = "snmp-message";

    /// <summary>A datagram at the SNMP trap listener, from the host of two configured devices (<see cref="NetworkFuzzTargets.RunSnmpTrap"/>).</summary>
    public const string SnmpTrap = "snmp-trap";

    /// <summary>An MQTT payload on a command topic: the signed-command token verifier and the ack/write claim readers (<see cref="NetworkFuzzTargets.RunCommandToken"/>).</summary>
    public const string CommandToken = "command-token";

    public static IReadOnlyList<string> Names { get; } = [ModbusTcp, ModbusRtu, OpcUaChunk, OpcUaBinary, Config, SnmpMessage, SnmpTrap, CommandToken];

    /// <summary>Requests whose replies are checked; the first input byte chooses one (FC 01–06, 15, 16, 23 and 43/14).</summary>
    private static readonly byte[][] s_modbusRequests =
    [
        [0x01, 0x00, 0x00, 0x00, 0x13],
        [0x02, 0x00, 0x10, 0x07, 0xD0],
        [0x03, 0x00, 0x00, 0x00, 0x7D],
        [0x04, 0x01, 0x00, 0x00, 0x02],
        [0x05, 0x00, 0x01, 0xFF, 0x00],
        [0x06, 0x00, 0x01, 0x12, 0x34],
        [0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01],
        [0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02],
        [0x03, 0x00, 0x6B, 0x00, 0x03],
        [0x2B, 0x0E, 0x01, 0x00],
        [0x2B, 0x0E, 0x03, 0x00],
    ];

    private delegate void UaDecode(ref UaBinaryReader reader);

    private static readonly UaDecode[] s_uaDecoders =
    [
        static (ref UaBinaryReader r) => r.ReadVariant(),
        static (ref UaBinaryReader r) => r.ReadDataValue(),
        static (ref UaBinaryReader r) => r.ReadDiagnosticInfo(),
        static (ref UaBinaryReader r) => r.ReadExtensionObject(),
        static (ref UaBinaryReader r) => r.ReadExpandedNodeId(),
        static (ref UaBinaryReader r) => r.ReadNodeId(),
        static (ref UaBinaryReader r) => r.ReadLocalizedText(),
        static (ref UaBinaryReader r) => r.ReadQualifiedName(),
        static (ref UaBinaryReader r) => r.ReadString(),
        static (ref UaBinaryReader r) => r.ReadDateTime(),
        static (ref UaBinaryReader r) => UaResponseHeader.Decode(ref r),
        static (ref UaBinaryReader r) => UaSignatureData.Decode(ref r),
    ];

    private static readonly Lazy<GatewayConfigurationLoader> s_loader = new(() =>
        new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), name => name.StartsWith("FUZZ", StringComparison.Ordinal) ? "value-of-" + name : null));

    private static readonly Lazy<string> s_configDirectory = new(() => Directory.CreateTempSubdirectory("smartcity-edge-fuzz-config-").FullName);

    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        switch (target)
        {
            case ModbusTcp:
                RunModbusTcp(input);
                break;
            case ModbusRtu:
                RunModbusRtu(input);
                break;
            case OpcUaChunk:
                RunOpcUaChunk(input);
                break;
            case OpcUaBinary:
                RunOpcUaBinary(input);
                break;
            case Config:
                RunConfig(input);
                break;
            case SnmpMessage:
                NetworkFuzzTargets.RunSnmpMessage(input);
                break;
            case SnmpTrap:
                NetworkFuzzTargets.RunSnmpTrap(input);
                break;
            case CommandToken:
                NetworkFuzzTargets.RunCommandToken(input);
                break;
            default:
                throw new ArgumentException($"unknown fuzz target '{target}'", nameof(target));
        }
    }

    private static void RunModbusTcp(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }

        byte[] request = s_modbusRequests[input[0] % s_modbusRequests.Length];
        ReadOnlySpan<byte> stream = input[1..];
        try
        {
            // As ModbusTcpChannel's reader loop: every complete ADU in order; a bad header ends the connection.
            while (ModbusMbapHeader.TryRead(stream, out ModbusMbapHeader header, out int headerLength) && stream.Length >= headerLength + header.PduLength)
            {
                CheckReply(request, stream.Slice(headerLength, header.PduLength));
                stream = stream[(headerLength + header.PduLength)..];
            }
        }
        catch (ModbusException)
        {
        }
    }

    private static void RunModbusRtu(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        byte[] request = s_modbusRequests[input[0] % s_modbusRequests.Length];
        byte unit = input[1];
        ReadOnlySpan<byte> line = input[2..];
        var function = (ModbusFunctionCode)request[0];
        try
        {
            // As ModbusRtuChannel.Exchange: the frame length from as few bytes as suffice, then CRC, address, PDU.
            int expected = -1;
            for (int filled = 0; filled <= line.Length; filled++)
            {
                if (ModbusRtuFrameLength.TryGet(line[..filled], function, out expected))
                {
                    break;
                }

                expected = -1;
            }

            if (expected < 0 || expected > ModbusLimits.MaxRtuAduLength || expected > line.Length)
            {
                return;
            }

            ReadOnlySpan<byte> frame = line[..expected];
            if (!ModbusCrc16.IsValid(frame) || frame[0] != unit)
            {
                return;
            }

            CheckReply(request, frame[1..^2]);
        }
        catch (ModbusException)
        {
        }
    }

    private static void CheckReply(byte[] request, ReadOnlySpan<byte> reply)
    {
        if (request[0] == (byte)ModbusFunctionCode.EncapsulatedInterfaceTransport)
        {
            ModbusDeviceIdResponse.Parse(reply);
            if (ModbusDeviceIdResponse.TryRead(reply, out _, out int consumed) && consumed > reply.Length)
            {
                throw new InvalidOperationException($"device identification consumed {consumed} of {reply.Length} bytes");
            }

            return;
        }

        ReadOnlySpan<byte> payload = ModbusPdu.ValidateResponse(request, reply);
        if (payload.Length > ModbusLimits.MaxPduLength)
        {
            throw new InvalidOperationException($"a reply payload of {payload.Length} bytes passed validation");
        }
    }

    /// <summary>
    /// Layout of UaSecureChannel.ProcessChunk and UaTcpTransport (OPC 10000-6 §6.7.2, §7.1.2): the 8-byte header
    /// (type, chunk type, size), then per type: ACK/ERR bodies; OPN's asymmetric security header; MSG/CLO's channel id
    /// and token id; the sequence header; then the body as a service response, dispatched on its type id.
    /// </summary>
    private static void RunOpcUaChunk(ReadOnlySpan<byte> chunk)
    {
        try
        {
            if (!UaTcpMessageHeader.TryRead(chunk, out UaTcpMessageHeader header, out _) || header.MessageSize > (uint)chunk.Length)
            {
                return;
            }

            chunk = chunk[..(int)header.MessageSize];
            ReadOnlySpan<byte> afterHeader = chunk[UaTcpMessageHeader.Size..];
            switch (header.MessageType)
            {
                case UaMessageType.Acknowledge:
                    UaAcknowledgeMessage.TryRead(afterHeader, out _, out _);
                    return;
                case UaMessageType.Error:
                    UaErrorMessage.Read(afterHeader);
                    return;
                case UaMessageType.OpenSecureChannel:
                case UaMessageType.Message:
                case UaMessageType.CloseSecureChannel:
                    break;
                default:
                    return;
            }

            if (chunk.Length < 16)
            {
                return;
            }

            int securedFrom;
            if (header.MessageType == UaMessageType.OpenSecureChannel)
            {
                var security = new UaBinaryReader(chunk[12..], new UaEncodingLimits(16 * 1024, 0, 1));
                security.ReadString();
                security.ReadByteStringSpan();
                security.ReadByteStringSpan();
                securedFrom = 12 + security.Position;
            }
            else
            {
                securedFrom = 16;
            }

            if (chunk.Length < securedFrom + 8)
            {
                return;
            }

            ReadOnlySpan<byte> body = chunk[(securedFrom + 8)..];
            if (header.ChunkType == UaChunkType.Abort)
            {
                UaErrorMessage.Read(body);
                return;
            }

            DecodeResponse(body);
        }
        catch (UaException)
        {
        }
    }

    private static void DecodeResponse(ReadOnlySpan<byte> body)
    {
        var reader = new UaBinaryReader(body, UaEncodingLimits.Default);
        UaNodeId typeId = reader.ReadNodeId();
        UaResponseHeader header = UaResponseHeader.Decode(ref reader);
        if (typeId.NamespaceIndex != 0 || typeId.IdType != UaNodeIdType.Numeric)
        {
            return;
        }

        switch (typeId.Numeric)
        {
            case var id when id == OpenSecureChannelResponse.TypeId: OpenSecureChannelResponse.Decode(ref reader, header); break;
            case var id when id == GetEndpointsResponse.TypeId: GetEndpointsResponse.Decode(ref reader, header); break;
            case var id when id == CreateSessionResponse.TypeId: CreateSessionResponse.Decode(ref reader, header); break;
            case var id when id == ActivateSessionResponse.TypeId: ActivateSessionResponse.Decode(ref reader, header); break;
            case var id when id == ReadResponse.TypeId: ReadResponse.Decode(ref reader, header); break;
            case var id when id == WriteResponse.TypeId: WriteResponse.Decode(ref reader, header); break;
            case var id when id == BrowseResponse.TypeId: BrowseResponse.Decode(ref reader, header); break;
            case var id when id == BrowseNextResponse.TypeId: BrowseNextResponse.Decode(ref reader, header); break;
            case var id when id == TranslateBrowsePathsResponse.TypeId: TranslateBrowsePathsResponse.Decode(ref reader, header); break;
            case var id when id == CallResponse.TypeId: CallResponse.Decode(ref reader, header); break;
            case var id when id == CreateSubscriptionResponse.TypeId: CreateSubscriptionResponse.Decode(ref reader, header); break;
            case var id when id == CreateMonitoredItemsResponse.TypeId: CreateMonitoredItemsResponse.Decode(ref reader, header); break;
            case var id when id == DeleteSubscriptionsResponse.TypeId: DeleteSubscriptionsResponse.Decode(ref reader, header); break;
            case var id when id == TransferSubscriptionsResponse.TypeId: TransferSubscriptionsResponse.Decode(ref reader, header); break;
            case var id when id == PublishResponse.TypeId: PublishResponse.Decode(ref reader, header).Message.Release(); break;
            case var id when id == RepublishResponse.TypeId: RepublishResponse.Decode(ref reader, header).Message.Release(); break;
            default: break;
        }
    }

    private static void RunOpcUaBinary(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }

        UaDecode decode = s_uaDecoders[input[0] % s_uaDecoders.Length];
        var reader = new UaBinaryReader(input[1..], UaEncodingLimits.Default);
        try
        {
            decode(ref reader);
        }
        catch (UaException)
        {
        }
    }

    private static void RunConfig(ReadOnlySpan<byte> input)
    {
        // Problems are the loader's answer to bad input: collected, never thrown.
        string yaml = Encoding.UTF8.GetString(input);
        s_loader.Value.Load(yaml, "fuzz.yaml", s_configDirectory.Value);
    }

    /// <summary>For tests: a reply ADU for the MBAP framing target (request chooser byte, then the stream).</summary>
    public static byte[] ModbusTcpInput(byte requestChooser, ushort transactionId, byte unit, ReadOnlySpan<byte> pdu)
    {
        byte[] input = new byte[1 + 7 + pdu.Length];
        input[0] = requestChooser;
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(1), transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(5), (ushort)(pdu.Length + 1));
        input[7] = unit;
        pdu.CopyTo(input.AsSpan(8));
        return input;
    }
}
