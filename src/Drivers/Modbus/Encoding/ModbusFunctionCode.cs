namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>The public function codes this master sends (AP §6). An exception reply sets bit 7 (<see cref="ExceptionFlag"/>).</summary>
public enum ModbusFunctionCode : byte
{
    ReadCoils = 0x01,
    ReadDiscreteInputs = 0x02,
    ReadHoldingRegisters = 0x03,
    ReadInputRegisters = 0x04,
    WriteSingleCoil = 0x05,
    WriteSingleRegister = 0x06,
    WriteMultipleCoils = 0x0F,
    WriteMultipleRegisters = 0x10,

    /// <summary>Encapsulated Interface Transport (AP §6.19); this master sends only MEI type 0x0E, Read Device Identification (§6.21).</summary>
    EncapsulatedInterfaceTransport = 0x2B,

    /// <summary>Set in the function code of an exception reply (AP §7).</summary>
    ExceptionFlag = 0x80,
}
