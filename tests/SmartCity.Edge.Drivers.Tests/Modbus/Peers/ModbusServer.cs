using System.Globalization;

namespace SmartCity.Edge.Drivers.Tests.Modbus.Peers;

/// <summary>
/// A running Modbus test server (pymodbus or our libmodbus C server, see tests/peers/modbus/layout.md) on a free
/// loopback port or behind a socat pty pair, with the request log it prints.
/// </summary>
internal sealed class ModbusServer : IAsyncDisposable
{

    private readonly SocatPtyPair? _pty;

    private readonly Func<int, Task<PeerProcess>> _start;

    private ModbusServer(ModbusServerKind kind, PeerProcess process, int port, SocatPtyPair? pty, Func<int, Task<PeerProcess>> start)
    {
        Kind = kind;
        Process = process;
        Port = port;
        _pty = pty;
        _start = start;
    }

    public ModbusServerKind Kind { get; }

    public PeerProcess Process { get; private set; }

    public int Port { get; }

    /// <summary>The driver's end of the pty pair, for serial kinds.</summary>
    public string? SerialPort => _pty?.DriverEnd;

    public bool IsSerial => _pty is not null;

    /// <summary>YAML lines for the device's link keys.</summary>
    public string LinkYaml => Kind switch
    {
        ModbusServerKind.PymodbusTcp or ModbusServerKind.LibmodbusTcp => $"driver: modbus-tcp\nhost: 127.0.0.1\nport: {Port}\n",
        ModbusServerKind.PymodbusRtuOverTcp => $"driver: modbus-rtu-over-tcp\nhost: 127.0.0.1\nport: {Port}\n",
        _ => $"driver: modbus-rtu\nport: {SerialPort}\nbaud: 19200\nparity: none\n",
    };

    public static async Task<ModbusServer> StartAsync(ModbusServerKind kind, int port = 0, bool quiet = false)
    {
        string q = quiet ? "--quiet" : string.Empty;
        string py = Path.Combine(RepositoryPaths.ModbusPeers, "pymodbus_server.py");
        SocatPtyPair? pty = kind is ModbusServerKind.PymodbusRtuSerial or ModbusServerKind.LibmodbusRtuSerial ? await SocatPtyPair.StartAsync() : null;
        async Task<PeerProcess> Start(int p)
        {
            string ps = p.ToString(CultureInfo.InvariantCulture);
            return kind switch
            {
                ModbusServerKind.PymodbusTcp => PeerProcess.Start("/usr/bin/python3", Args(py, "tcp", ps, q)),
                ModbusServerKind.PymodbusRtuOverTcp => PeerProcess.Start("/usr/bin/python3", Args(py, "rtu-over-tcp", ps, q)),
                ModbusServerKind.PymodbusRtuSerial => PeerProcess.Start("/usr/bin/python3", Args(py, "rtu", pty!.ServerEnd, q)),
                ModbusServerKind.LibmodbusTcp => PeerProcess.Start(await PeerProcess.LibmodbusServerAsync(), Args("tcp", ps, q)),
                _ => PeerProcess.Start(await PeerProcess.LibmodbusServerAsync(), Args("rtu", pty!.ServerEnd, q)),
            };
        }

        PeerProcess process = await Start(port);
        int bound = await ReadyPortAsync(process);
        return new ModbusServer(kind, process, bound, pty, Start);
    }

    /// <summary>Kills the server by PID (SIGKILL: no goodbye on the wire) and waits until it is gone.</summary>
    public Task KillAsync() => Process.KillAsync();

    /// <summary>Starts the server again on the same port or pty, as a device that has rebooted.</summary>
    public async Task RestartAsync()
    {
        await Process.DisposeAsync();
        Process = await _start(Port);
        await ReadyPortAsync(Process);
    }

    private static Task<int> ReadyPortAsync(PeerProcess process) => process.WaitForReadyAsync();

    /// <summary>The request lines the server printed so far.</summary>
    public IReadOnlyList<string> Requests => Process.OutputStartingWith("REQ ");

    /// <summary>
    /// The requests the server saw for <paramref name="action"/>: a marker read of input:999 (through
    /// <paramref name="marker"/>) before and after it, awaited in the server's output. The server handles requests in
    /// order, so every line between the markers is the action's.
    /// </summary>
    public async Task<List<string>> RequestsDuringAsync(Func<Task> action, Func<Task> marker)
    {
        static bool IsMarker(string line) => line.StartsWith("REQ fc=4 addr=999 ", StringComparison.Ordinal);
        // A first marker flushes the lines of earlier requests, which reach us through a pipe some time after their replies.
        int start = Process.OutputCount;
        await marker();
        await Process.WaitForOutputAsync(IsMarker, start);
        int before = Process.IndexOfLine(IsMarker, start) + 1;
        await action();
        await marker();
        await Process.WaitForOutputAsync(IsMarker, before);
        return Process.LinesFrom(before).Where(l => l.StartsWith("REQ ", StringComparison.Ordinal)).TakeWhile(l => !IsMarker(l)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_pty is not null)
        {
            await _pty.DisposeAsync();
        }
    }

    private static string[] Args(params string[] args) => [.. args.Where(a => a.Length > 0)];
}
