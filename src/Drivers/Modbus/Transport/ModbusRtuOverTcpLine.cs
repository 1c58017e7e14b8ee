using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>An RTU line over a TCP socket to a serial device server ("RTU over TCP": the RTU ADU as is, no MBAP).</summary>
internal sealed class ModbusRtuOverTcpLine : IModbusRtuLine
{
    private readonly string _host;
    private readonly int _port;
    private readonly TimeProvider _time;
    private Socket? _socket;

    public ModbusRtuOverTcpLine(string host, int port, TimeProvider time)
    {
        _host = host;
        _port = port;
        _time = time;
        Endpoint = $"{host}:{port}";
    }

    public string Endpoint { get; }

    public bool IsOpen => _socket is not null;

    public async ValueTask OpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Close();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeoutSource = new CancellationTokenSource(timeout < ModbusTcpChannel.MinConnectTimeout ? ModbusTcpChannel.MinConnectTimeout : timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            await socket.ConnectAsync(_host, _port, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw ModbusSocketErrors.Connect(Endpoint, ex);
        }

        _socket = socket;
    }

    public void DiscardInput()
    {
        Socket socket = _socket ?? throw Lost(null);
        Span<byte> sink = stackalloc byte[256];
        try
        {
            while (socket.Available > 0)
            {
                if (socket.Receive(sink) == 0)
                {
                    throw Closed();
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw Lost(ex);
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        Socket socket = _socket ?? throw Lost(null);
        try
        {
            // One send per frame; the frame is at most 256 bytes, so a blocking send completes it.
            socket.Send(data);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw Lost(ex);
        }
    }

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        Socket socket = _socket ?? throw Lost(null);
        try
        {
            if (!socket.Poll(timeout, SelectMode.SelectRead))
            {
                return 0;
            }

            int read = socket.Receive(buffer);
            return read == 0 ? throw Closed() : read;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw Lost(ex);
        }
    }

    public void Close()
    {
        Socket? socket = _socket;
        _socket = null;
        socket?.Dispose();
    }

    public void Dispose() => Close();

    private ModbusTransportException Closed()
    {
        Close();
        return ModbusSocketErrors.Closed(Endpoint);
    }

    private ModbusTransportException Lost(Exception? ex)
    {
        Close();
        return ex is null ? ModbusSocketErrors.Closed(Endpoint) : ModbusSocketErrors.Io(Endpoint, ex);
    }
}
