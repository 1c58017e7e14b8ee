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

    /// <summary>
    /// Completes with the reply length. Continuations run inline on the reader thread (Kestrel's inline scheduling):
    /// the caller's next request goes out without a thread hop, as a blocking C client would send it. Callers must
    /// not block synchronously on another reply of the same connection, and nothing in the stack does.
    /// </summary>
    public TaskCompletionSource<int> Completion { get; } = new();
}
