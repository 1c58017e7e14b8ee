using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>CRC, MBAP header and RTU reply lengths on hand-built bytes.</summary>
public sealed class ModbusFramingTests
{
    [Fact]
    public void Crc16_CheckString_Is4B37() =>
        Assert.Equal(0x4B37, ModbusCrc16.Compute("123456789"u8));

    [Fact]
    public void Crc16_ReadRequest_AppendsLowByteFirst()
    {
        byte[] frame = [0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0, 0];
        Assert.Equal(8, ModbusCrc16.Append(frame, 6));
        Assert.Equal([0x84, 0x0A], frame[6..]);
        Assert.True(ModbusCrc16.IsValid(frame));
        frame[3] ^= 0x01;
        Assert.False(ModbusCrc16.IsValid(frame));
    }

    [Fact]
    public void MbapHeader_TryRead_FewerThanSevenBytes_NeedsMore()
    {
        Assert.False(ModbusMbapHeader.TryRead([0x00, 0x01, 0x00, 0x00, 0x00, 0x06], out _, out int consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void MbapHeader_TryRead_ValidHeader_ReadsEveryField()
    {
        Assert.True(ModbusMbapHeader.TryRead([0x12, 0x34, 0x00, 0x00, 0x00, 0x06, 0x11, 0x03], out ModbusMbapHeader header, out int consumed));
        Assert.Equal(new ModbusMbapHeader(0x1234, 0, 6, 0x11), header);
        Assert.Equal(7, consumed);
        Assert.Equal(5, header.PduLength);
    }

    [Theory]
    [InlineData(0x00, 0x02, true)]
    [InlineData(0x00, 0xFE, true)]
    [InlineData(0x00, 0x00, false)]
    [InlineData(0x00, 0x01, false)]
    [InlineData(0x00, 0xFF, false)]
    [InlineData(0x01, 0x00, false)]
    public void MbapHeader_TryRead_LengthBoundaries_AcceptTwoTo254(byte high, byte low, bool valid)
    {
        byte[] bytes = [0, 1, 0, 0, high, low, 1];
        if (valid)
        {
            Assert.True(ModbusMbapHeader.TryRead(bytes, out _, out _));
        }
        else
        {
            ModbusProtocolException error = Assert.Throws<ModbusProtocolException>(() => ModbusMbapHeader.TryRead(bytes, out _, out _));
            Assert.Equal(ModbusErrorScope.Connection, error.Scope);
        }
    }

    [Fact]
    public void MbapHeader_TryRead_ProtocolIdNotZero_IsConnectionFatal()
    {
        ModbusProtocolException error = Assert.Throws<ModbusProtocolException>(() => ModbusMbapHeader.TryRead([0, 1, 0, 1, 0, 6, 1], out _, out _));
        Assert.Equal(ModbusErrorScope.Connection, error.Scope);
        Assert.Contains("protocol id 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MbapHeader_TryWrite_RoundTripsAndRefusesShortBuffer()
    {
        var header = new ModbusMbapHeader(0xBEEF, 0, 6, 0xFF);
        Assert.False(header.TryWrite(new byte[6], out int none));
        Assert.Equal(0, none);
        byte[] buffer = new byte[7];
        Assert.True(header.TryWrite(buffer, out int written));
        Assert.Equal([0xBE, 0xEF, 0x00, 0x00, 0x00, 0x06, 0xFF], buffer);
        Assert.True(ModbusMbapHeader.TryRead(buffer, out ModbusMbapHeader back, out _));
        Assert.Equal(header, back);
        Assert.Equal(7, written);
    }

    [Theory]
    [InlineData(new byte[] { 0x01 }, false, 0)]
    [InlineData(new byte[] { 0x01, 0x83 }, true, 5)]
    [InlineData(new byte[] { 0x01, 0x03 }, false, 0)]
    [InlineData(new byte[] { 0x01, 0x03, 0x14 }, true, 25)]
    [InlineData(new byte[] { 0x01, 0x03, 0xFA }, true, 255)]
    public void RtuFrameLength_ReadReply_NeedsByteCountThenKnowsLength(byte[] head, bool known, int length)
    {
        Assert.Equal(known, ModbusRtuFrameLength.TryGet(head, ModbusFunctionCode.ReadHoldingRegisters, out int actual));
        Assert.Equal(length, actual);
    }

    [Fact]
    public void RtuFrameLength_WriteReply_IsEightBytes()
    {
        Assert.True(ModbusRtuFrameLength.TryGet([0x11, 0x10], ModbusFunctionCode.WriteMultipleRegisters, out int length));
        Assert.Equal(8, length);
    }

    [Fact]
    public void RtuFrameLength_OtherFunctionCode_IsRequestScopedProtocolError()
    {
        ModbusProtocolException error = Assert.Throws<ModbusProtocolException>(() => ModbusRtuFrameLength.TryGet([0x01, 0x04], ModbusFunctionCode.ReadHoldingRegisters, out _));
        Assert.Equal(ModbusErrorScope.Request, error.Scope);
    }
}
