using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Maps socket and IO failures to <see cref="ModbusTransportException"/> once, at the transport edge.</summary>
internal static class ModbusSocketErrors
{
    public static ModbusTransportException Connect(string endpoint, Exception exception) => exception switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            new($"{endpoint} refused the connection (nothing listens on that port: check host, port and that the device's Modbus TCP server is enabled)", ModbusErrorScope.Connection, ModbusFailureKind.Refused, exception),
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound or SocketError.NoData } =>
            new($"{endpoint} is unreachable ({((SocketException)exception).SocketErrorCode}): check the address, cabling and routing", ModbusErrorScope.Connection, ModbusFailureKind.Unreachable, exception),
        OperationCanceledException or TimeoutException or SocketException { SocketErrorCode: SocketError.TimedOut } =>
            new($"{endpoint} did not accept the connection in time: check that the device is powered and reachable", ModbusErrorScope.Connection, ModbusFailureKind.Timeout, exception),
        _ => new($"cannot connect to {endpoint}: {exception.Message}", ModbusErrorScope.Connection, ModbusFailureKind.Error, exception),
    };

    public static ModbusTransportException Io(string endpoint, Exception exception) => exception switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } =>
            new($"{endpoint} reset the connection", ModbusErrorScope.Connection, ModbusFailureKind.Closed, exception),
        _ => new($"connection to {endpoint} failed: {exception.Message}", ModbusErrorScope.Connection, ModbusFailureKind.Closed, exception),
    };

    public static ModbusTransportException Closed(string endpoint) =>
        new($"{endpoint} closed the connection (devices close idle or surplus connections; it will be reopened)", ModbusErrorScope.Connection, ModbusFailureKind.Closed);

    public static ModbusTransportException Timeout(string endpoint, byte unitId, TimeSpan timeout) =>
        new($"unit {unitId} at {endpoint} did not answer within {timeout.TotalMilliseconds:0} ms (check unit_id; raise timeout for slow devices or serial gateways)", ModbusErrorScope.Request, ModbusFailureKind.Timeout);
}
