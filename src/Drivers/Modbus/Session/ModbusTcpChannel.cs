using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Modbus TCP to one <c>host:port</c>, shared by every unit id behind it (modbus-notes §5: one connection per ip:port).
/// Requests carry fresh transaction ids; one reader loop matches replies to waiting requests, so several may be in
/// flight (IG p.10; each device opts in with <c>max_inflight</c>). A reply whose transaction id nobody waits for any
/// more (it came after its timeout) is skipped by its MBAP length instead of shifting every later reply (grid-x#78).
/// A corrupt MBAP header or EOF closes the link and fails everything pending; the next request reopens it. A link on
/// which <see cref="SilentTimeoutsBeforeReopen"/> requests in a row timed out without a single byte coming back is
/// closed too: a half-open connection (the device or a NAT forgot it without a FIN or RST) never recovers by itself.
/// </summary>
internal sealed class ModbusTcpChannel : IModbusChannel
{
    private const int ReceiveBufferSize = 4096;
    private const int MaxPooledRequests = 64;

    /// <summary>
    /// Requests in a row that timed out while nothing at all arrived on the link. One dead unit behind a gateway does
    /// not trip it while other units answer on the same link; a link that has gone silent for everyone does.
    /// </summary>
    internal const int SilentTimeoutsBeforeReopen = 3;

    /// <summary>
    /// Connecting gets at least this long: a timeout tuned for replies on a LAN (say 200 ms) is too short for a
    /// handshake on a busy gateway, and a device that is down refuses at once anyway.
    /// </summary>
    internal static readonly TimeSpan MinConnectTimeout = TimeSpan.FromSeconds(2);

    private readonly string _host;
    private readonly int _port;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _sync = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly object _sendLock = new();
    private readonly Dictionary<ushort, ModbusPendingRequest> _pending = [];
    private readonly Stack<ModbusPendingRequest> _pool = new();
    private ModbusConnectionState _state = ModbusConnectionState.Closed;
    private long _openCount;
    private Socket? _socket;
    private ushort _nextTransactionId;
    private long _framesReceived;
    private int _silentTimeouts;

    public ModbusTcpChannel(string host, int port, TimeProvider time, ILogger logger)
    {
        _host = host;
        _port = port;
        _time = time;
        _logger = logger;
        Endpoint = $"{host}:{port}";
    }

    public string Endpoint { get; }

    public long OpenCount => Interlocked.Read(ref _openCount);

    /// <summary>Replies dropped because their request had already timed out (diagnostics and tests).</summary>
    public long StaleReplies { get; private set; }

    public async ValueTask EnsureOpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_state == ModbusConnectionState.Open)
        {
            return;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                ObjectDisposedException.ThrowIf(_state == ModbusConnectionState.Disposed, this);
                if (_state == ModbusConnectionState.Open)
                {
                    return;
                }
            }

            // A blocking socket throughout: the reader thread then sleeps in recv() and wakes straight on the reply,
            // with no epoll-thread and thread-pool hops (an async op would switch the socket to non-blocking for good).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue) };
            TimeSpan connectTimeout = timeout < MinConnectTimeout ? MinConnectTimeout : timeout;
            try
            {
                await Task.Run(() => socket.Connect(_host, _port), CancellationToken.None).WaitAsync(connectTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                socket.Dispose();
                throw ModbusSocketErrors.Connect(Endpoint, ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            lock (_sync)
            {
                if (_state == ModbusConnectionState.Disposed)
                {
                    socket.Dispose();
                    throw new ObjectDisposedException(nameof(ModbusTcpChannel));
                }

                Transition(ModbusConnectionState.Open, socket);
            }

            Log.Connected(_logger, Endpoint);
            new Thread(() => ReadLoop(socket)) { IsBackground = true, Name = "modbus-tcp " + Endpoint }.Start();
        }
        finally
        {
            _connectLock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> request, Memory<byte> response, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (request.Length is < 1 or > ModbusLimits.MaxPduLength)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Length, "PDU length out of range");
        }

        await EnsureOpenAsync(timeout, cancellationToken).ConfigureAwait(false);
        ModbusPendingRequest pending;
        Socket socket;
        lock (_sync)
        {
            if (_state != ModbusConnectionState.Open || _socket is null)
            {
                throw ModbusSocketErrors.Closed(Endpoint);
            }

            socket = _socket;
            ushort transactionId;
            do
            {
                transactionId = _nextTransactionId++;
            }
            while (_pending.ContainsKey(transactionId));
            pending = _pool.Count > 0 ? _pool.Pop() : new ModbusPendingRequest(this, _time);
            pending.Prepare(transactionId, unitId, response, timeout, socket, _framesReceived);
            _pending.Add(transactionId, pending);

            // Armed under the lock: a teardown between the table and the timer would otherwise fail the request first
            // and then arm a live timer and cancellation on it, which could later fail the instance's next use.
            pending.Arm(cancellationToken);
        }

        byte[] frame = ArrayPool<byte>.Shared.Rent(ModbusLimits.MaxTcpAduLength);
        try
        {
            new ModbusMbapHeader(pending.TransactionId, 0, (ushort)(request.Length + 1), unitId).TryWrite(frame, out int headerLength);
            request.Span.CopyTo(frame.AsSpan(headerLength));
            int length = headerLength + request.Length;

            // One write per ADU: some peers (pymodbus) drop a request split over several segments. At most 260 bytes
            // into an idle socket buffer: the blocking send returns at once (SendTimeout bounds a stuck peer).
            try
            {
                lock (_sendLock)
                {
                    socket.Send(frame, 0, length, SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                ModbusTransportException error = ModbusSocketErrors.Io(Endpoint, ex);
                Teardown(socket, error);
                throw error;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }

        return await pending.AsValueTask().ConfigureAwait(false);
    }

    /// <summary>Takes a request that timed out or was cancelled out of the table, so its late reply is skipped as stale.</summary>
    internal void Forget(ModbusPendingRequest pending)
    {
        lock (_sync)
        {
            if (_pending.TryGetValue(pending.TransactionId, out ModbusPendingRequest? current) && current == pending)
            {
                _pending.Remove(pending.TransactionId);
            }
        }
    }

    /// <summary>
    /// A request timed out: counts it as silent when nothing arrived on its link while it waited, and closes that link
    /// after <see cref="SilentTimeoutsBeforeReopen"/> silent ones in a row (the next request reopens it).
    /// </summary>
    internal void OnTimedOut(ModbusPendingRequest pending)
    {
        Forget(pending);
        Socket? silent = null;
        lock (_sync)
        {
            if (_socket == pending.Socket && _framesReceived == pending.FramesReceivedBefore && ++_silentTimeouts >= SilentTimeoutsBeforeReopen)
            {
                silent = pending.Socket;
            }
        }

        if (silent is not null)
        {
            Teardown(silent, new ModbusTransportException($"{Endpoint} answered none of the last {SilentTimeoutsBeforeReopen} requests and sent nothing else: the connection looks dead (half-open); reopening it", ModbusErrorScope.Connection, ModbusFailureKind.Silent));
        }
    }

    internal void ReturnToPool(ModbusPendingRequest pending)
    {
        lock (_sync)
        {
            if (_pool.Count < MaxPooledRequests)
            {
                _pool.Push(pending);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket? socket;
        lock (_sync)
        {
            socket = _socket;
            if (_state == ModbusConnectionState.Disposed)
            {
                return ValueTask.CompletedTask;
            }
        }

        if (socket is not null)
        {
            // Our own close (shutdown, reload, last device gone) is routine: not a warning like a lost link.
            Teardown(socket, new ModbusTransportException($"the connection to {Endpoint} was closed by the gateway", ModbusErrorScope.Connection, ModbusFailureKind.Closed), closedByUs: true);
        }

        lock (_sync)
        {
            Transition(ModbusConnectionState.Disposed, null);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The connection's reader thread: blocking receives, every complete ADU dispatched in order.</summary>
    private void ReadLoop(Socket socket)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        int filled = 0;
        try
        {
            while (true)
            {
                int received = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (received == 0)
                {
                    Teardown(socket, ModbusSocketErrors.Closed(Endpoint));
                    return;
                }

                filled += received;
                int offset = 0;
                while (ModbusMbapHeader.TryRead(buffer.AsSpan(offset, filled - offset), out ModbusMbapHeader header, out int headerLength)
                    && filled - offset >= headerLength + header.PduLength)
                {
                    Dispatch(header, buffer.AsSpan(offset + headerLength, header.PduLength));
                    offset += headerLength + header.PduLength;
                }

                // A header is at most 260 bytes with its PDU, so compacting always leaves room for the rest of it.
                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (ModbusException ex)
        {
            Teardown(socket, ex);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Teardown(socket, ModbusSocketErrors.Io(Endpoint, ex));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Dispatch(ModbusMbapHeader header, ReadOnlySpan<byte> pdu)
    {
        ModbusPendingRequest? pending;
        lock (_sync)
        {
            _framesReceived++;
            _silentTimeouts = 0;
            _pending.Remove(header.TransactionId, out pending);
        }

        if (pending is null || !pending.TryClaim())
        {
            StaleReplies++;
            Log.StaleReply(_logger, Endpoint, header.TransactionId, header.UnitId);
            return;
        }

        if (header.UnitId != pending.UnitId)
        {
            pending.CompleteWithError(new ModbusProtocolException($"reply for transaction {header.TransactionId} came from unit {header.UnitId}, the request went to unit {pending.UnitId}", ModbusErrorScope.Request));
            return;
        }

        pdu.CopyTo(pending.Response.Span);
        pending.Complete(pdu.Length);
    }

    /// <summary>Closes <paramref name="socket"/> if it is still the current link and fails every request waiting on it.</summary>
    private void Teardown(Socket socket, ModbusException error, bool closedByUs = false)
    {
        ModbusPendingRequest[] failed;
        lock (_sync)
        {
            if (_socket != socket)
            {
                return;
            }

            Transition(ModbusConnectionState.Closed, null);
            failed = [.. _pending.Values];
            _pending.Clear();
        }

        socket.Dispose();
        if (closedByUs)
        {
            Log.ConnectionReleased(_logger, Endpoint);
        }
        else
        {
            Log.ConnectionClosed(_logger, Endpoint, error.Kind, error.Message);
        }

        foreach (ModbusPendingRequest pending in failed)
        {
            pending.Fail(error);
        }
    }

    /// <summary>The only place the state changes. Caller holds <see cref="_sync"/>.</summary>
    private void Transition(ModbusConnectionState next, Socket? socket)
    {
        switch (_state, next)
        {
            case (ModbusConnectionState.Closed, ModbusConnectionState.Open):
            case (ModbusConnectionState.Open, ModbusConnectionState.Closed):
            case (ModbusConnectionState.Closed, ModbusConnectionState.Disposed):
            case (ModbusConnectionState.Open, ModbusConnectionState.Disposed):
                break;
            case (ModbusConnectionState.Disposed, ModbusConnectionState.Disposed):
            case (ModbusConnectionState.Closed, ModbusConnectionState.Closed):
                return;
            default:
                throw new InvalidOperationException($"Modbus TCP channel cannot go from {_state} to {next}.");
        }

        if (next == ModbusConnectionState.Open)
        {
            Interlocked.Increment(ref _openCount);
            _silentTimeouts = 0;
        }

        _state = next;
        _socket = socket;
    }
}
