namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Carries request PDUs to a unit and reply PDUs back: Modbus TCP (<see cref="ModbusTcpChannel"/>) or RTU framing on a
/// serial line or a TCP socket (<see cref="ModbusRtuChannel"/>). One channel per gateway or bus, shared by its units.
/// </summary>
public interface IModbusChannel : IAsyncDisposable
{
    /// <summary>Where this channel goes, for messages: <c>10.0.0.5:502</c>, <c>/dev/ttyUSB0</c>.</summary>
    string Endpoint { get; }

    /// <summary>How many times the link has been opened; grows when a lost link is reopened.</summary>
    long OpenCount { get; }

    /// <summary>Opens the link if it is not open. Throws <see cref="ModbusTransportException"/>.</summary>
    ValueTask EnsureOpenAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="unitId"/> and copies the reply PDU (normal or exception) into
    /// <paramref name="response"/> (at least <see cref="ModbusLimits.MaxPduLength"/> bytes). Returns the reply length.
    /// Throws <see cref="ModbusException"/> subclasses only.
    /// </summary>
    ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> request, Memory<byte> response, TimeSpan timeout, CancellationToken cancellationToken);
}
