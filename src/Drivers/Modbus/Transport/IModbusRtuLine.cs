namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// A byte line carrying RTU frames: a serial port or a TCP socket to a serial device server. Blocking by design: the
/// .NET serial stream's async reads ignore timeouts (dotnet/runtime#28968), so an RTU exchange runs synchronously,
/// one at a time per line, on a pool thread.
/// </summary>
internal interface IModbusRtuLine : IDisposable
{
    string Endpoint { get; }

    bool IsOpen { get; }

    /// <summary>Opens the line. Throws <see cref="ModbusTransportException"/>.</summary>
    ValueTask OpenAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Drops whatever arrived unasked (a late reply, noise) before a new request.</summary>
    void DiscardInput();

    void Write(ReadOnlySpan<byte> data);

    /// <summary>Reads what is available, waiting at most <paramref name="timeout"/> for the first byte. Returns 0 on timeout.</summary>
    int Read(Span<byte> buffer, TimeSpan timeout);

    void Close();
}
