namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>The public function codes this master sends (AP §6). An exception reply sets bit 7 (<see cref="ExceptionFlag"/>).</summary>
internal enum ModbusFunctionCode : byte
{
    ReadCoils = 0x01,
    ReadDiscreteInputs = 0x02,
    ReadHoldingRegisters = 0x03,
    ReadInputRegisters = 0x04,
    WriteSingleCoil = 0x05,
    WriteSingleRegister = 0x06,
    WriteMultipleCoils = 0x0F,
    WriteMultipleRegisters = 0x10,

    /// <summary>Set in the function code of an exception reply (AP §7).</summary>
    ExceptionFlag = 0x80,
}
