using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// Read Device Identification (FC 43/14, AP §6.21) codec on hand-built and real bytes: the spec's example, a real
/// device's RTU frame from its manual, every truncation boundary, malformed fields, and a seeded fuzz.
/// </summary>
public sealed class ModbusDeviceIdTests
{
    /// <summary>
    /// AP §6.21's example reply to "basic, from object 0". The spec prints the length of "Product code XX" as 0x0D,
    /// but the string has 15 (0x0F) bytes; the lengths here are the strings' real ones.
    /// </summary>
    private static readonly byte[] s_specExampleReply =
    [
        0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x03,
        0x00, 0x16, .. "Company identification"u8,
        0x01, 0x0F, .. "Product code XX"u8,
        0x02, 0x05, .. "V2.11"u8,
    ];

    /// <summary>
    /// A real RTU exchange printed in the KBR multicomp F144 manual (§15 "Device information"), CRCs included:
    /// request <c>01 2B 0E 01 00 70 77</c>, reply below ending in <c>CD DB</c>.
    /// </summary>
    private static readonly byte[] s_kbrRequestFrame = [0x01, 0x2B, 0x0E, 0x01, 0x00, 0x70, 0x77];

    private static readonly byte[] s_kbrReplyFrame = Convert.FromHexString(
        "012B0E0101000003" + "00084B425220476D6248" + "01126D756C7469636F6D7020463134342D332020" + "020920322E303072303136" + "CDDB");

    [Fact]
    public void RequestWrite_BasicFromObjectZero_MatchesSpecExample()
    {
        // AP §6.21 example request: 2B 0E 01 00.
        byte[] pdu = new byte[4];
        Assert.True(new ModbusDeviceIdRequest(ModbusDeviceIdCode.Basic, 0).TryWrite(pdu, out int written));
        Assert.Equal(4, written);
        Assert.Equal([0x2B, 0x0E, 0x01, 0x00], pdu);
        Assert.False(new ModbusDeviceIdRequest(ModbusDeviceIdCode.Basic, 0).TryWrite(new byte[3], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusDeviceIdRequest((ModbusDeviceIdCode)5, 0).TryWrite(pdu, out _));
    }

    [Fact]
    public void RequestRead_RoundTripAndShortAndMalformed()
    {
        byte[] pdu = new byte[4];
        new ModbusDeviceIdRequest(ModbusDeviceIdCode.Individual, 0x81).TryWrite(pdu, out _);
        Assert.True(ModbusDeviceIdRequest.TryRead(pdu, out ModbusDeviceIdRequest request, out int consumed));
        Assert.Equal((new ModbusDeviceIdRequest(ModbusDeviceIdCode.Individual, 0x81), 4), (request, consumed));
        Assert.False(ModbusDeviceIdRequest.TryRead(pdu.AsSpan(0, 3), out _, out _));
        Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdRequest.TryRead([0x2B, 0x0D, 0x01, 0x00], out _, out _));
        Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdRequest.TryRead([0x2B, 0x0E, 0x00, 0x00], out _, out _));
    }

    [Fact]
    public void ResponseParse_SpecExample_ThreeBasicObjects()
    {
        ModbusDeviceIdResponse response = ModbusDeviceIdResponse.Parse(s_specExampleReply);

        Assert.Equal(new ModbusDeviceIdResponse(ModbusDeviceIdCode.Basic, 0x01, false, 0x00, 3), response);
        var objects = new List<ModbusDeviceIdObject>();
        response.AddObjectsTo(s_specExampleReply, objects);
        Assert.Equal(["VendorName=Company identification", "ProductCode=Product code XX", "MajorMinorRevision=V2.11"], objects.Select(o => o.Name + "=" + o.Text));
    }

    [Fact]
    public void RtuFrame_RealDeviceReplyFromManual_CrcLengthAndObjects()
    {
        Assert.True(ModbusCrc16.IsValid(s_kbrRequestFrame));
        byte[] request = new byte[4];
        new ModbusDeviceIdRequest(ModbusDeviceIdCode.Basic, 0).TryWrite(request, out _);
        Assert.Equal(s_kbrRequestFrame[1..5], request);

        Assert.True(ModbusCrc16.IsValid(s_kbrReplyFrame));
        Assert.True(ModbusRtuFrameLength.TryGet(s_kbrReplyFrame, ModbusFunctionCode.EncapsulatedInterfaceTransport, out int length));
        Assert.Equal(s_kbrReplyFrame.Length, length);
        byte[] pdu = s_kbrReplyFrame[1..^2];
        ModbusDeviceIdResponse response = ModbusDeviceIdResponse.Parse(pdu);
        var objects = new List<ModbusDeviceIdObject>();
        response.AddObjectsTo(pdu, objects);
        Assert.Equal(0x01, response.ConformityLevel);
        Assert.Equal(["KBR GmbH", "multicomp F144-3  ", " 2.00r016"], objects.Select(o => o.Text));
    }

    [Fact]
    public void TryRead_EveryTruncation_NeedsMoreNeverThrows()
    {
        for (int n = 0; n < s_specExampleReply.Length; n++)
        {
            Assert.False(ModbusDeviceIdResponse.TryRead(s_specExampleReply.AsSpan(0, n), out _, out _), $"prefix of {n} bytes");
            Assert.False(ModbusRtuFrameLength.TryGet([0x01, .. s_specExampleReply.AsSpan(0, n)], ModbusFunctionCode.EncapsulatedInterfaceTransport, out _), $"RTU prefix of {n} bytes");
            Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdResponse.Parse(s_specExampleReply.AsSpan(0, n)));
        }

        Assert.True(ModbusDeviceIdResponse.TryRead(s_specExampleReply, out _, out int consumed));
        Assert.Equal(s_specExampleReply.Length, consumed);
    }

    [Theory]
    [InlineData("2C0E0101000000", "function")]
    [InlineData("2B0D0101000001", "MEI type")]
    [InlineData("2B0E0001000000", "Read Device ID code 0")]
    [InlineData("2B0E0501000000", "Read Device ID code 5")]
    [InlineData("2B0E0101010000", "MoreFollows 0x01")]
    public void TryRead_InvalidHeaderField_TypedProtocolError(string hex, string expected)
    {
        byte[] reply = Convert.FromHexString(hex);
        var error = Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdResponse.TryRead(reply, out _, out _));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(ModbusErrorScope.Request, error.Scope);
    }

    [Fact]
    public void TryRead_ObjectLengthPastPduLimit_FailsBeforeTheBytesArrive()
    {
        // Two objects: the first fills up to byte 251, the second declares 10 bytes: past 253 whatever arrives later.
        byte[] head = [0x2B, 0x0E, 0x03, 0x83, 0x00, 0x00, 0x02, 0x80, 242, .. new byte[242], 0x81, 10];
        var error = Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdResponse.TryRead(head, out _, out _));
        Assert.Contains("253", error.Message, StringComparison.Ordinal);

        // 124 empty objects need 7 + 248 bytes: the count alone exceeds the PDU.
        byte[] many = [0x2B, 0x0E, 0x03, 0x83, 0x00, 0x00, 124, .. Enumerable.Repeat((byte)0, 246)];
        Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdResponse.TryRead(many, out _, out _));

        // Exactly at the limit is fine: one object of 244 bytes ends at byte 253.
        byte[] full = [0x2B, 0x0E, 0x03, 0x83, 0x00, 0x00, 0x01, 0x80, 244, .. new byte[244]];
        Assert.Equal(ModbusLimits.MaxPduLength, full.Length);
        Assert.Equal(1, ModbusDeviceIdResponse.Parse(full).NumberOfObjects);
    }

    [Fact]
    public void Parse_TrailingBytes_TypedProtocolError() =>
        Assert.Contains("after the last", Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdResponse.Parse([.. s_specExampleReply, 0x00])).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_IllegalFunctionReply_SaysTheDeviceDoesNotSupportIt()
    {
        var error = Assert.Throws<ModbusExceptionResponseException>(() => ModbusDeviceIdResponse.Parse([0xAB, 0x01]));
        Assert.Equal(ModbusExceptionCode.IllegalFunction, error.Code);
        Assert.Contains("device does not support Read Device Identification (FC 43/14)", error.Message, StringComparison.Ordinal);
        Assert.Throws<ModbusProtocolException>(() => ModbusDeviceIdResponse.Parse([0xAB, 0x01, 0x00]));
    }

    [Fact]
    public void Object_NamesTextAndHex()
    {
        Assert.Equal("UserApplicationName", new ModbusDeviceIdObject(0x06, []).Name);
        Assert.Equal("Reserved", new ModbusDeviceIdObject(0x07, []).Name);
        var binary = new ModbusDeviceIdObject(0x80, [0x00, 0x01, 0x7F, 0xFF]);
        Assert.Equal(("Private", true, null, "00 01 7F FF"), (binary.Name, binary.IsPrivate, binary.Text, binary.Hex));
        Assert.Equal("0x83 (extended; individual access too)", ModbusDeviceIdResponse.DescribeConformityLevel(0x83));
        Assert.Equal("0x01 (basic; stream access only)", ModbusDeviceIdResponse.DescribeConformityLevel(0x01));
    }

    [Fact]
    public void ParseAndRtuFraming_SeededRandomReplies_OnlyTypedErrors()
    {
        var random = new Random(43_14);
        int accepted = 0;
        for (int i = 0; i < 50_000; i++)
        {
            byte[] reply = Mutate(random, ValidReply(random));
            try
            {
                ModbusDeviceIdResponse response = ModbusDeviceIdResponse.Parse(reply);
                var objects = new List<ModbusDeviceIdObject>();
                response.AddObjectsTo(reply, objects);
                Assert.Equal(response.NumberOfObjects, objects.Count);
                accepted++;
            }
            catch (ModbusException)
            {
            }

            try
            {
                if (ModbusRtuFrameLength.TryGet([0x01, .. reply], ModbusFunctionCode.EncapsulatedInterfaceTransport, out int length))
                {
                    Assert.InRange(length, 5, ModbusLimits.MaxRtuAduLength);
                }
            }
            catch (ModbusException)
            {
            }
        }

        // Untouched valid replies (about a quarter) must pass: the fuzzer is not only feeding rejects.
        Assert.InRange(accepted, 5_000, 50_000);
    }

    [Fact]
    public async Task Client_NextObjectIdNotAdvancing_RefusedAfterOneReply()
    {
        // A scripted device (real peers don't loop): "more follows" with NextObjectId = the id just asked for.
        var line = new ScriptedIdentityLine(objectsPerReply: 1, advance: 0);
        await using var channel = new ModbusRtuChannel(line, TimeSpan.Zero, echo: false, TimeProvider.System, NullLogger.Instance);
        var client = new ModbusClient(channel, 7, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadDeviceIdentificationAsync(ModbusDeviceIdCode.Extended, 0x80, CancellationToken.None));

        Assert.Contains("does not advance past 0x80", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, line.Requests);
    }

    [Fact]
    public async Task Client_EndlessMoreFollows_StopsAt256Objects()
    {
        // 100 empty objects per reply, NextObjectId + 1 each time: the third reply would pass 256 objects.
        var line = new ScriptedIdentityLine(objectsPerReply: 100, advance: 1);
        await using var channel = new ModbusRtuChannel(line, TimeSpan.Zero, echo: false, TimeProvider.System, NullLogger.Instance);
        var client = new ModbusClient(channel, 7, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadDeviceIdentificationAsync(ModbusDeviceIdCode.Extended, 0, CancellationToken.None));

        Assert.Contains("more than 256", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, line.Requests);
    }

    /// <summary>A valid reply with random objects that fit in one PDU.</summary>
    private static byte[] ValidReply(Random random)
    {
        var reply = new List<byte> { 0x2B, 0x0E, (byte)random.Next(1, 5), (byte)random.Next(256), random.Next(2) == 0 ? (byte)0x00 : (byte)0xFF, (byte)random.Next(256), 0 };
        int count = 0;
        while (random.Next(6) != 0)
        {
            int length = random.Next(0, 40);
            if (reply.Count + 2 + length > ModbusLimits.MaxPduLength)
            {
                break;
            }

            reply.Add((byte)random.Next(256));
            reply.Add((byte)length);
            for (int b = 0; b < length; b++)
            {
                reply.Add((byte)random.Next(256));
            }

            count++;
        }

        reply[6] = (byte)count;
        return [.. reply];
    }

    private static byte[] Mutate(Random random, byte[] reply) =>
        ModbusReplyMutator.Mutate(random, reply, 0xAB, r =>
        {
            byte[] noise = new byte[r.Next(0, 300)];
            r.NextBytes(noise);
            if (noise.Length > 1 && r.Next(2) == 0)
            {
                noise[0] = 0x2B;
                noise[1] = 0x0E;
            }

            return noise;
        });

    /// <summary>An RTU line answering each identification request with "more follows" and empty objects.</summary>
    private sealed class ScriptedIdentityLine(int objectsPerReply, int advance) : IModbusRtuLine
    {
        private byte[] _pending = [];

        public int Requests { get; private set; }

        public string Endpoint => "scripted";

        public bool IsOpen { get; private set; }

        public ValueTask OpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            IsOpen = true;
            return ValueTask.CompletedTask;
        }

        public void DiscardInput() => _pending = [];

        public void Write(ReadOnlySpan<byte> data)
        {
            // data = address, 2B 0E code objectId, CRC.
            Requests++;
            byte next = (byte)(data[4] + advance);
            var frame = new List<byte> { data[0], 0x2B, 0x0E, data[3], 0x83, 0xFF, next, (byte)objectsPerReply };
            for (int i = 0; i < objectsPerReply; i++)
            {
                frame.Add((byte)i);
                frame.Add(0);
            }

            byte[] bytes = [.. frame, 0, 0];
            ModbusCrc16.Append(bytes, bytes.Length - 2);
            _pending = bytes;
        }

        public int Read(Span<byte> buffer, TimeSpan timeout)
        {
            int n = Math.Min(buffer.Length, _pending.Length);
            _pending.AsSpan(0, n).CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }

        public void Close() => IsOpen = false;

        public void Dispose() => Close();
    }
}
