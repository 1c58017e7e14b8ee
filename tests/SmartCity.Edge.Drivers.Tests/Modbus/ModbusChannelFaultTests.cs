using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// Faults real servers do not make on demand, played by scripted loopback peers: a reply that arrives after its
/// request timed out (the TID desync of grid-x#78 / libmodbus#255), an adapter that echoes the request, and a link
/// that goes silent without FIN or RST (half-open: the device or a NAT forgot the connection).
/// </summary>
public sealed class ModbusChannelFaultTests
{
    [Fact]
    public async Task TcpChannel_LateReplyAfterTimeout_IsSkippedAndNextReplyMatches()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var secondRequestSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task peer = Task.Run(async () =>
        {
            using Socket socket = await listener.AcceptSocketAsync();
            byte[] first = await ReceiveAduAsync(socket);
            byte[] second = await ReceiveAduAsync(socket);
            secondRequestSeen.SetResult();

            // The late answer to the first request, then the answer to the second, in one segment.
            byte[] replies = [.. Reply(first, 0x1111), .. Reply(second, 0x2222)];
            await socket.SendAsync(replies, SocketFlags.None);
            try
            {
                await ReceiveAduAsync(socket); // hold the connection until the client goes (FIN or RST, either is fine)
            }
            catch (SocketException)
            {
            }
        });

        await using var channel = new ModbusTcpChannel("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, TimeProvider.System, NullLogger.Instance);
        await channel.EnsureOpenAsync(TestTimeouts.Passing, CancellationToken.None);
        var client = new ModbusClient(channel, 1, TimeSpan.FromMilliseconds(200));
        byte[] data = new byte[2];

        ModbusTransportException timeout = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 10, 1, data, CancellationToken.None).AsTask());
        Assert.Equal("timeout", timeout.Kind);
        Assert.Equal(ModbusErrorScope.Request, timeout.Scope);

        var longer = new ModbusClient(channel, 1, TimeSpan.FromSeconds(10));
        Assert.Equal(2, await longer.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 20, 1, data, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing));
        Assert.Equal([0x22, 0x22], data);
        Assert.Equal(1, channel.StaleReplies);
        await secondRequestSeen.Task;
        listener.Stop();
        await channel.DisposeAsync();
        await peer.WaitAsync(TestTimeouts.Passing);
    }

    [Fact]
    public async Task TcpChannel_LinkSilentForThreeRequests_IsReopenedAndTheNextRequestIsAnswered()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var silentRequests = 0;
        Task peer = Task.Run(async () =>
        {
            // The first connection swallows every request and never answers nor closes.
            using Socket silent = await listener.AcceptSocketAsync();
            for (int i = 0; i < ModbusTcpChannel.SilentTimeoutsBeforeReopen; i++)
            {
                await ReceiveAduAsync(silent);
                Interlocked.Increment(ref silentRequests);
            }

            // The gateway gives the dead link up and connects again; that connection answers.
            using Socket live = await listener.AcceptSocketAsync();
            byte[] request = await ReceiveAduAsync(live);
            await live.SendAsync(Reply(request, 0x4242), SocketFlags.None);
            await ReceiveAduAsync(live); // until the channel goes (EOF)
        });

        await using var channel = new ModbusTcpChannel("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, TimeProvider.System, NullLogger.Instance);
        var client = new ModbusClient(channel, 1, TimeSpan.FromMilliseconds(150));
        byte[] data = new byte[2];
        for (int i = 0; i < ModbusTcpChannel.SilentTimeoutsBeforeReopen; i++)
        {
            ModbusTransportException timeout = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 10, 1, data, CancellationToken.None).AsTask());
            Assert.Equal("timeout", timeout.Kind);
            Assert.Equal(1, channel.OpenCount);
        }

        Assert.Equal(2, await client.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 10, 1, data, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing));
        Assert.Equal([0x42, 0x42], data);
        Assert.Equal(2, channel.OpenCount);
        Assert.Equal(ModbusTcpChannel.SilentTimeoutsBeforeReopen, Volatile.Read(ref silentRequests));
        await channel.DisposeAsync();
        await peer.WaitAsync(TestTimeouts.Passing);
    }

    [Fact]
    public async Task TcpChannel_OneUnitSilentWhileAnotherAnswers_LinkStaysOpen()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task peer = Task.Run(async () =>
        {
            // A TCP gateway with a dead unit 9 behind it: unit 1 answers, unit 9 never does.
            using Socket socket = await listener.AcceptSocketAsync();
            while (true)
            {
                byte[] request = await ReceiveAduAsync(socket);
                if (request.Length == 0)
                {
                    return; // the channel went
                }

                if (request[6] == 1)
                {
                    await socket.SendAsync(Reply(request, 0x0101), SocketFlags.None);
                }
            }
        });

        await using var channel = new ModbusTcpChannel("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, TimeProvider.System, NullLogger.Instance);
        var live = new ModbusClient(channel, 1, TimeSpan.FromSeconds(10));
        var dead = new ModbusClient(channel, 9, TimeSpan.FromMilliseconds(100));
        byte[] data = new byte[2];
        for (int i = 0; i < 2 * ModbusTcpChannel.SilentTimeoutsBeforeReopen; i++)
        {
            await Assert.ThrowsAsync<ModbusTransportException>(() => dead.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 10, 1, data, CancellationToken.None).AsTask());
            Assert.Equal(2, await live.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 10, 1, data, CancellationToken.None).AsTask());
        }

        Assert.Equal(1, channel.OpenCount);
        await channel.DisposeAsync();
        await peer.WaitAsync(TestTimeouts.Passing);
    }

    [Fact]
    public async Task RtuChannel_EchoingAdapter_SkipsTheEchoIncludingCrc()
    {
        var line = new EchoLine();
        await using var channel = new ModbusRtuChannel(line, TimeSpan.Zero, echo: true, TimeProvider.System, NullLogger.Instance);
        var client = new ModbusClient(channel, 7, TimeSpan.FromSeconds(1));
        byte[] data = new byte[4];

        Assert.Equal(4, await client.ReadAsync(ModbusFunctionCode.ReadInputRegisters, 0, 2, data, CancellationToken.None));

        Assert.Equal([0x12, 0x34, 0x56, 0x78], data);
    }

    /// <summary>
    /// Reads exactly one ADU (MBAP header, then as many bytes as its length says), never into the next one: under load
    /// a request for the silent unit and the next for the live one can sit in the socket together. Empty when the
    /// channel closed the connection.
    /// </summary>
    private static async Task<byte[]> ReceiveAduAsync(Socket socket)
    {
        byte[] buffer = new byte[260];
        if (!await ReceiveExactlyAsync(socket, buffer.AsMemory(0, 6)))
        {
            return [];
        }

        int length = (buffer[4] << 8) | buffer[5];
        if (length is < 1 or > 254 || !await ReceiveExactlyAsync(socket, buffer.AsMemory(6, length)))
        {
            return [];
        }

        return buffer[..(6 + length)];
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> target)
    {
        int filled = 0;
        while (filled < target.Length)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(target[filled..], SocketFlags.None);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // The channel closed its socket with a reset (disposed while a request to the silent unit was unanswered).
                return false;
            }

            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        return true;
    }

    private static byte[] Reply(byte[] request, ushort value) =>
        [request[0], request[1], 0, 0, 0, 5, request[6], 0x03, 0x02, (byte)(value >> 8), (byte)value];

    /// <summary>Hands back the request (local echo, CRC included), then a valid reply, as one burst.</summary>
    private sealed class EchoLine : IModbusRtuLine
    {
        private byte[] _pending = [];

        public string Endpoint => "echo";

        public bool IsOpen { get; private set; }

        public ValueTask OpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            IsOpen = true;
            return ValueTask.CompletedTask;
        }

        public void DiscardInput() => _pending = [];

        public void Write(ReadOnlySpan<byte> data)
        {
            byte[] reply = [data[0], 0x04, 0x04, 0x12, 0x34, 0x56, 0x78, 0, 0];
            ModbusCrc16.Append(reply, 7);
            _pending = [.. data, .. reply];
        }

        public int Read(Span<byte> buffer, TimeSpan timeout)
        {
            int n = Math.Min(buffer.Length, _pending.Length);
            _pending.AsSpan(0, n).CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }

        public void Close() => IsOpen = false;

        public void Dispose() => Close();
    }
}
