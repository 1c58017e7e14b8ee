namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>The device answered with an exception reply (AP §7). Request-scoped: the connection is fine.</summary>
public sealed class ModbusExceptionResponseException : ModbusException
{
    public ModbusExceptionResponseException(ModbusFunctionCode functionCode, ModbusExceptionCode code)
        : base($"the device answered function {(byte)functionCode:D2} with exception {ModbusExceptionCodeText.Name(code)}: {ModbusExceptionCodeText.Hint(functionCode, code)}", ModbusErrorScope.Request, ModbusFailureKind.Exception)
    {
        FunctionCode = functionCode;
        Code = code;
    }

    public ModbusFunctionCode FunctionCode { get; }

    public ModbusExceptionCode Code { get; }

    /// <summary>What a technician should check, for this function and code.</summary>
    public string Hint => ModbusExceptionCodeText.Hint(FunctionCode, Code);

    /// <summary>e.g. <c>IllegalDataAddress (02)</c>, used as a reading's reason.</summary>
    public string CodeName => ModbusExceptionCodeText.Name(Code);
}
