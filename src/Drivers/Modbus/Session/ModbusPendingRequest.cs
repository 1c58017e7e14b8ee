namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>A request on a TCP channel waiting for the reply with its transaction id.</summary>
internal sealed class ModbusPendingRequest
{
    public ModbusPendingRequest(byte unitId, byte functionCode, Memory<byte> response)
    {
        UnitId = unitId;
        FunctionCode = functionCode;
        Response = response;
    }

    public byte UnitId { get; }

    public byte FunctionCode { get; }

    public Memory<byte> Response { get; }

    /// <summary>Completes with the reply length. Continuations run asynchronously so the reader loop never runs caller code.</summary>
    public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
