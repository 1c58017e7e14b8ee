using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// Random and truncated replies, seeded and bounded: the parsers and channels may only fail with the stack's own
/// typed errors (<see cref="ModbusException"/>), never with IndexOutOfRange, ArgumentException or a hang.
/// </summary>
public sealed class ModbusFuzzTests
{
    private static readonly byte[][] s_requests =
    [
        [0x01, 0x00, 0x00, 0x00, 0x13],
        [0x02, 0x00, 0x10, 0x07, 0xD0],
        [0x03, 0x00, 0x00, 0x00, 0x7D],
        [0x04, 0x01, 0x00, 0x00, 0x02],
        [0x05, 0x00, 0x01, 0xFF, 0x00],
        [0x06, 0x00, 0x01, 0x12, 0x34],
        [0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01],
        [0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02],
    ];

    [Fact]
    public void ValidateResponse_RandomAndTruncatedReplies_OnlyTypedErrors()
    {
        var random = new Random(20261125);
        int accepted = 0;
        for (int i = 0; i < 50_000; i++)
        {
            byte[] request = s_requests[random.Next(s_requests.Length)];
            byte[] reply = Mutate(random, ValidReply(random, request));
            try
            {
                ModbusPdu.ValidateResponse(request, reply);
                accepted++;
            }
            catch (ModbusException)
            {
            }
        }

        // Untouched valid replies (about a quarter) must pass: the fuzzer is not only feeding rejects.
        Assert.InRange(accepted, 5_000, 50_000);
    }

    [Fact]
    public void MbapAndRtuFraming_RandomBytes_OnlyTypedErrors()
    {
        var random = new Random(7);
        for (int i = 0; i < 50_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 12)];
            random.NextBytes(bytes);
            try
            {
                if (ModbusMbapHeader.TryRead(bytes, out ModbusMbapHeader header, out _))
                {
                    Assert.InRange(header.PduLength, 1, ModbusLimits.MaxPduLength);
                }
            }
            catch (ModbusException)
            {
            }

            try
            {
                if (ModbusRtuFrameLength.TryGet(bytes, (ModbusFunctionCode)s_requests[random.Next(s_requests.Length)][0], out int length))
                {
                    Assert.InRange(length, 5, 260);
                }
            }
            catch (ModbusException)
            {
            }
        }
    }

    [Fact]
    public async Task TcpChannel_PeerAnsweringGarbage_OnlyTypedErrorsAndRecovers()
    {
        // A scripted loopback peer: real pymodbus/libmodbus never send garbage, so this fault needs a fake peer.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        Task peer = RunGarbagePeerAsync(listener, new Random(99), stop.Token);

        await using var channel = new ModbusTcpChannel("127.0.0.1", port, TimeProvider.System, NullLogger.Instance);
        await channel.EnsureOpenAsync(TestTimeouts.Passing, CancellationToken.None);
        var client = new ModbusClient(channel, 1, TimeSpan.FromMilliseconds(50));
        var kinds = new HashSet<string>();
        int good = 0;
        for (int i = 0; i < 80; i++)
        {
            try
            {
                await client.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 0, 2, new byte[4], CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
                good++;
            }
            catch (ModbusException ex)
            {
                kinds.Add(ex.GetType().Name + "/" + ex.Kind);
            }
        }

        stop.Cancel();
        listener.Stop();
        await peer.WaitAsync(TestTimeouts.Passing);
        Assert.True(good > 0, "valid replies among the garbage must still be read: " + string.Join(", ", kinds));
        Assert.Contains("ModbusProtocolException/protocol", kinds);
    }

    [Fact]
    public async Task RtuChannel_LineDeliveringGarbage_OnlyTypedErrors()
    {
        var random = new Random(4242);
        var line = new ScriptedRtuLine();
        await using var channel = new ModbusRtuChannel(line, TimeSpan.Zero, echo: false, TimeProvider.System, NullLogger.Instance);
        var client = new ModbusClient(channel, 7, TimeSpan.FromMilliseconds(50));
        int good = 0;
        for (int i = 0; i < 3_000; i++)
        {
            byte[] request = s_requests[random.Next(4)];
            byte[] pdu = Mutate(random, ValidReply(random, request));
            byte[] frame = new byte[pdu.Length + 3];
            frame[0] = random.Next(10) == 0 ? (byte)random.Next(256) : (byte)7;
            pdu.CopyTo(frame, 1);
            ModbusCrc16.Append(frame, pdu.Length + 1);
            if (random.Next(8) == 0)
            {
                frame[random.Next(frame.Length)] ^= (byte)(1 + random.Next(255));
            }

            line.Next = frame[..random.Next(Math.Max(1, frame.Length - 3), frame.Length + 1)];
            try
            {
                await client.ReadAsync((ModbusFunctionCode)request[0], 0, (ushort)(request[4] | (request[3] << 8)), new byte[260], CancellationToken.None);
                good++;
            }
            catch (ModbusException)
            {
            }
        }

        Assert.True(good > 100);
    }

    private static byte[] ValidReply(Random random, byte[] request)
    {
        int quantity = (request[3] << 8) | request[4];
        switch (request[0])
        {
            case 0x01 or 0x02:
                byte[] bits = new byte[2 + ((quantity + 7) / 8)];
                random.NextBytes(bits);
                bits[0] = request[0];
                bits[1] = (byte)(bits.Length - 2);
                return bits;
            case 0x03 or 0x04:
                byte[] registers = new byte[2 + (2 * quantity)];
                random.NextBytes(registers);
                registers[0] = request[0];
                registers[1] = (byte)(2 * quantity);
                return registers;
            default:
                return request[..5];
        }
    }

    private static byte[] Mutate(Random random, byte[] reply) =>
        ModbusReplyMutator.Mutate(random, reply, (byte)(reply[0] | 0x80), r =>
        {
            byte[] noise = new byte[r.Next(0, 12)];
            r.NextBytes(noise);
            return noise;
        });

    private static async Task RunGarbagePeerAsync(TcpListener listener, Random random, CancellationToken cancellationToken)
    {
        byte[] request = new byte[260];
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (socket)
            {
                try
                {
                    while (true)
                    {
                        int n = await socket.ReceiveAsync(request, SocketFlags.None, cancellationToken);
                        if (n < 12)
                        {
                            break;
                        }

                        byte[] pdu = Mutate(random, ValidReply(random, request[7..12]));
                        byte[] adu = new byte[7 + pdu.Length];
                        request.AsSpan(0, 4).CopyTo(adu);
                        adu[4] = (byte)((pdu.Length + 1) >> 8);
                        adu[5] = (byte)(pdu.Length + 1);
                        adu[6] = request[6];
                        pdu.CopyTo(adu, 7);
                        switch (random.Next(10))
                        {
                            case 0:
                                adu[random.Next(7)] ^= 0xFF; // corrupt header: protocol id or length
                                break;
                            case 1:
                                adu = adu[..random.Next(adu.Length)]; // truncated: a timeout, then later bytes are garbage
                                break;
                            case 2:
                                socket.Shutdown(SocketShutdown.Both); // the peer hangs up mid-exchange
                                throw new IOException("hung up");
                        }

                        await socket.SendAsync(adu, SocketFlags.None, cancellationToken);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
                {
                }
            }
        }
    }

    /// <summary>An RTU line that hands out one scripted reply per request, then stays silent (a timeout).</summary>
    private sealed class ScriptedRtuLine : IModbusRtuLine
    {
        private byte[] _pending = [];

        public byte[] Next { get; set; } = [];

        public string Endpoint => "scripted";

        public bool IsOpen { get; private set; }

        public ValueTask OpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            IsOpen = true;
            return ValueTask.CompletedTask;
        }

        public void DiscardInput() => _pending = [];

        public void Write(ReadOnlySpan<byte> data) => _pending = Next;

        public int Read(Span<byte> buffer, TimeSpan timeout)
        {
            int n = Math.Min(buffer.Length, Math.Min(_pending.Length, 1 + (_pending.Length / 2)));
            _pending.AsSpan(0, n).CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }

        public void Close() => IsOpen = false;

        public void Dispose() => Close();
    }
}
