using System.IO.Ports;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>An RTU line on a local serial port (System.IO.Ports), e.g. <c>/dev/ttyUSB0</c> with an RS-485 adapter.</summary>
internal sealed class ModbusSerialLine : IModbusRtuLine
{
    private readonly ModbusSerialOptions _options;
    private readonly byte[] _scratch = new byte[ModbusLimits.MaxRtuAduLength + 8];
    private SerialPort? _port;

    public ModbusSerialLine(ModbusSerialOptions options)
    {
        _options = options;
    }

    public string Endpoint => _options.PortName;

    public bool IsOpen => _port is { IsOpen: true };

    public ValueTask OpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Close();
        if (_options.PortName.StartsWith('/') && !File.Exists(_options.PortName))
        {
            // .NET reports a missing device as "access denied"; say what is really wrong.
            throw new ModbusTransportException($"serial port {_options.PortName} does not exist: check that the adapter is plugged in and the name is right (ls /dev/serial/by-id)", ModbusErrorScope.Connection, ModbusFailureKind.Port);
        }

        var port = new SerialPort(_options.PortName, _options.BaudRate, _options.Parity, _options.DataBits, _options.StopBits)
        {
            Handshake = Handshake.None,
            ReadTimeout = 100,
            WriteTimeout = (int)Math.Max(100, timeout.TotalMilliseconds),
        };
        try
        {
            port.Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            string hint = ex is UnauthorizedAccessException
                ? "permission denied or in use by another program (add the service user to group dialout; stop other masters)"
                : "check that the adapter is plugged in and the name is right (ls /dev/serial/by-id)";
            throw new ModbusTransportException($"cannot open serial port {_options.PortName}: {ex.Message} — {hint}", ModbusErrorScope.Connection, ModbusFailureKind.Port, ex);
        }

        _port = port;
        return ValueTask.CompletedTask;
    }

    public void DiscardInput()
    {
        try
        {
            _port?.DiscardInBuffer();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            throw Lost(ex);
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        SerialPort port = _port ?? throw Lost(null);
        data.CopyTo(_scratch);
        try
        {
            port.Write(_scratch, 0, data.Length);
        }
        catch (TimeoutException ex)
        {
            throw new ModbusTransportException($"writing to {_options.PortName} timed out (flow control?)", ModbusErrorScope.Connection, ModbusFailureKind.Timeout, ex);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            throw Lost(ex);
        }
    }

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        SerialPort port = _port ?? throw Lost(null);
        try
        {
            port.ReadTimeout = (int)Math.Max(1, Math.Ceiling(timeout.TotalMilliseconds));
            int read = port.Read(_scratch, 0, Math.Min(buffer.Length, _scratch.Length));
            _scratch.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        catch (TimeoutException)
        {
            return 0;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            throw Lost(ex);
        }
    }

    public void Close()
    {
        SerialPort? port = _port;
        _port = null;
        port?.Dispose();
    }

    public void Dispose() => Close();

    private ModbusTransportException Lost(Exception? ex)
    {
        Close();
        return new ModbusTransportException($"serial port {_options.PortName} is gone ({ex?.Message ?? "not open"}): was the adapter unplugged?", ModbusErrorScope.Connection, ModbusFailureKind.Port, ex);
    }
}
