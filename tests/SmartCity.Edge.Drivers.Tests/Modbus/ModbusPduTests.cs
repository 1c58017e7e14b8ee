using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Request PDUs and reply validation against the examples and limits of the application protocol spec.</summary>
public sealed class ModbusPduTests
{
    private static readonly byte[] s_readHolding = [0x03, 0x00, 0x6B, 0x00, 0x03];

    [Fact]
    public void WriteRead_HoldingRegisters_MatchesSpecExample()
    {
        // AP §6.3: read registers 108–110 → 03 00 6B 00 03.
        byte[] pdu = new byte[5];
        Assert.True(ModbusPdu.TryWriteRead(pdu, ModbusFunctionCode.ReadHoldingRegisters, 0x6B, 3, out int written));
        Assert.Equal(5, written);
        Assert.Equal(s_readHolding, pdu);
    }

    [Theory]
    [InlineData("ReadHoldingRegisters", 126)]
    [InlineData("ReadInputRegisters", 0)]
    [InlineData("ReadCoils", 2001)]
    public void WriteRead_QuantityOutsideLimits_Throws(string function, int quantity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusPdu.TryWriteRead(new byte[5], Enum.Parse<ModbusFunctionCode>(function), 0, (ushort)quantity, out _));

    [Fact]
    public void WriteRead_ShortBuffer_ReturnsFalse() =>
        Assert.False(ModbusPdu.TryWriteRead(new byte[4], ModbusFunctionCode.ReadCoils, 0, 1, out _));

    [Theory]
    [InlineData(true, new byte[] { 0x05, 0x00, 0xAC, 0xFF, 0x00 })]
    [InlineData(false, new byte[] { 0x05, 0x00, 0xAC, 0x00, 0x00 })]
    public void WriteSingleCoil_OnOff_UsesFF00And0000(bool on, byte[] expected)
    {
        byte[] pdu = new byte[5];
        ModbusPdu.TryWriteSingleCoil(pdu, 0xAC, on, out _);
        Assert.Equal(expected, pdu);
    }

    [Fact]
    public void WriteMultipleCoils_SpecExample_PacksLsbFirst()
    {
        // AP §6.11: coils 20–29 = 1 0 1 1 0 0 1 1  1 0 → 0F 00 13 00 0A 02 CD 01.
        bool[] values = [true, false, true, true, false, false, true, true, true, false];
        byte[] pdu = new byte[8];
        Assert.True(ModbusPdu.TryWriteMultipleCoils(pdu, 19, values, out int written));
        Assert.Equal(8, written);
        Assert.Equal([0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01], pdu);
    }

    [Fact]
    public void WriteMultipleRegisters_SpecExample()
    {
        // AP §6.12: registers 2–3 = 000A 0102 → 10 00 01 00 02 04 00 0A 01 02.
        byte[] pdu = new byte[10];
        Assert.True(ModbusPdu.TryWriteMultipleRegisters(pdu, 1, [0x000A, 0x0102], out int written));
        Assert.Equal(10, written);
        Assert.Equal([0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02], pdu);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusPdu.TryWriteMultipleRegisters(new byte[300], 0, new ushort[124], out _));
    }

    [Fact]
    public void ValidateResponse_ReadReply_ReturnsData()
    {
        byte[] reply = [0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64];
        Assert.Equal([0x02, 0x2B, 0x00, 0x00, 0x00, 0x64], ModbusPdu.ValidateResponse(s_readHolding, reply).ToArray());
    }

    [Fact]
    public void ValidateResponse_CoilsSpecExample_BitsDecodeLsbFirst()
    {
        // AP §6.1: coils 20–38 → 01 03 CD 6B 05; coil 20 is the LSB of 0xCD.
        byte[] request = [0x01, 0x00, 0x13, 0x00, 0x13];
        byte[] data = ModbusPdu.ValidateResponse(request, [0x01, 0x03, 0xCD, 0x6B, 0x05]).ToArray();
        bool[] bits = [.. Enumerable.Range(0, 19).Select(i => ModbusValueCodec.GetPackedBit(data, i))];
        Assert.Equal([true, false, true, true, false, false, true, true], bits[..8]);
        Assert.Equal([true, false, true], bits[16..]);
    }

    [Fact]
    public void ValidateResponse_ExceptionReply_ThrowsTypedNamedError()
    {
        ModbusExceptionResponseException error = Assert.Throws<ModbusExceptionResponseException>(() => ModbusPdu.ValidateResponse(s_readHolding, [0x83, 0x02]));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.Code);
        Assert.Equal("IllegalDataAddress (02)", error.CodeName);
        Assert.Equal(ModbusErrorScope.Request, error.Scope);
    }

    [Fact]
    public void ValidateResponse_UnknownExceptionCode_IsNamedUnknown()
    {
        ModbusExceptionResponseException error = Assert.Throws<ModbusExceptionResponseException>(() => ModbusPdu.ValidateResponse(s_readHolding, [0x83, 0x3F]));
        Assert.Equal("Unknown (3F)", error.CodeName);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x83 })]
    [InlineData(new byte[] { 0x83, 0x02, 0x00 })]
    [InlineData(new byte[] { 0x04, 0x06, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x03 })]
    [InlineData(new byte[] { 0x03, 0x06, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x03, 0x04, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x03, 0x06, 0, 0, 0, 0, 0, 0, 0 })]
    public void ValidateResponse_MalformedReadReply_IsRequestScopedProtocolError(byte[] reply)
    {
        ModbusProtocolException error = Assert.Throws<ModbusProtocolException>(() => ModbusPdu.ValidateResponse(s_readHolding, reply));
        Assert.Equal(ModbusErrorScope.Request, error.Scope);
    }

    [Fact]
    public void ValidateResponse_WriteEchoDiffers_IsProtocolError()
    {
        byte[] request = [0x06, 0x00, 0x01, 0x00, 0x03];
        Assert.Equal(0, ModbusPdu.ValidateResponse(request, request).Length);
        Assert.Throws<ModbusProtocolException>(() => ModbusPdu.ValidateResponse(request, [0x06, 0x00, 0x01, 0x00, 0x04]));
        Assert.Throws<ModbusProtocolException>(() => ModbusPdu.ValidateResponse(request, [0x06, 0x00, 0x01, 0x00]));
    }
}
