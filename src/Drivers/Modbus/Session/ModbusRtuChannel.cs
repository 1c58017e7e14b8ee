using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// RTU framing on a line (serial port or TCP socket), shared by every device on the bus. One request at a time
/// (SL §2.4: a single master queue; parallel unit ids on one line only cause timeouts, node-red-contrib-modbus#206),
/// at least t3.5 of silence between frames, replies cut by their expected length and checked for CRC and address.
/// A bad frame is drained until the line goes quiet, so the next exchange starts clean.
/// </summary>
internal sealed class ModbusRtuChannel : IModbusChannel
{
    private static readonly TimeSpan s_drainSilence = TimeSpan.FromMilliseconds(20);

    private readonly IModbusRtuLine _line;
    private readonly TimeSpan _frameGap;
    private readonly bool _echo;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _bus = new(1, 1);
    private readonly byte[] _frame = new byte[ModbusLimits.MaxRtuAduLength + 8];
    private readonly BlockingCollection<(Func<int> Work, TaskCompletionSource<int> Done)> _queue = new();
    private Thread? _worker;
    private long _openCount;
    private long _lastFrameEnd;
    private bool _disposed;

    public ModbusRtuChannel(IModbusRtuLine line, TimeSpan frameGap, bool echo, TimeProvider time, ILogger logger)
    {
        _line = line;
        _frameGap = frameGap;
        _echo = echo;
        _time = time;
        _logger = logger;
    }

    public string Endpoint => _line.Endpoint;

    public long OpenCount => Interlocked.Read(ref _openCount);

    public async ValueTask EnsureOpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await OpenIfClosedAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _bus.Release();
        }
    }

    public async ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> request, Memory<byte> response, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (request.Length is < 1 or > ModbusLimits.MaxPduLength)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Length, "PDU length out of range");
        }

        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            TimeSpan sinceLast = _time.GetElapsedTime(_lastFrameEnd);
            if (_lastFrameEnd != 0 && sinceLast < _frameGap)
            {
                await Task.Delay(_frameGap - sinceLast, _time, cancellationToken).ConfigureAwait(false);
            }

            await OpenIfClosedAsync(timeout, cancellationToken).ConfigureAwait(false);
            try
            {
                return await RunOnLineThreadAsync(() => Exchange(unitId, request.Span, response.Span, timeout)).ConfigureAwait(false);
            }
            finally
            {
                _lastFrameEnd = _time.GetTimestamp();
            }
        }
        finally
        {
            _bus.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _queue.CompleteAdding();
            _line.Dispose();
        }
        finally
        {
            _bus.Release();
        }
    }

    private int Exchange(byte unitId, ReadOnlySpan<byte> request, Span<byte> response, TimeSpan timeout)
    {
        try
        {
            Span<byte> frame = _frame;
            frame[0] = unitId;
            request.CopyTo(frame[1..]);
            int sentLength = ModbusCrc16.Append(frame, 1 + request.Length);
            _line.DiscardInput();
            _line.Write(frame[..sentLength]);
            long started = _time.GetTimestamp();
            if (_echo)
            {
                // Adapters that keep the receiver on hand the request back first, CRC included (j2mod#51 forgot the CRC).
                ReadExactly(frame[..sentLength], 0, started, timeout, unitId);
            }

            var function = (ModbusFunctionCode)request[0];
            int filled = 0;
            int expected;
            while (!ModbusRtuFrameLengthOrDrain(frame[..filled], function, out expected))
            {
                filled = ReadSome(frame, filled, started, timeout, unitId, -1);
            }

            if (expected > ModbusLimits.MaxRtuAduLength)
            {
                Drain();
                throw new ModbusProtocolException($"RTU reply declares {expected} bytes (at most {ModbusLimits.MaxRtuAduLength})", ModbusErrorScope.Request);
            }

            ReadExactly(frame[..expected], filled, started, timeout, unitId);

            // Bytes beyond the expected length are not ours; DiscardInput drops them before the next request.
            ReadOnlySpan<byte> reply = frame[..expected];
            if (!ModbusCrc16.IsValid(reply))
            {
                Drain();
                throw new ModbusProtocolException($"CRC error in the reply from unit {unitId} on {Endpoint} (noise, wrong baud/parity, or two masters on the line)", ModbusErrorScope.Request, ModbusFailureKind.Crc);
            }

            if (reply[0] != unitId)
            {
                Drain();
                throw new ModbusProtocolException($"reply from unit {reply[0]} to a request for unit {unitId} on {Endpoint} (two devices with one address, or a late reply)", ModbusErrorScope.Request);
            }

            reply[1..^2].CopyTo(response);
            return expected - 3;
        }
        catch (ModbusException ex) when (ex.Scope == ModbusErrorScope.Connection)
        {
            _line.Close();
            throw;
        }
    }

    /// <summary>
    /// Runs a blocking exchange on this bus's own thread, so a slow serial line never holds a thread-pool thread
    /// (the pool would starve with a few buses at 9600 baud). The bus lock keeps it to one job at a time.
    /// </summary>
    private Task<int> RunOnLineThreadAsync(Func<int> work)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_worker is null)
        {
            _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "modbus-rtu " + Endpoint };
            _worker.Start();
        }

        _queue.Add((work, done));
        return done.Task;
    }

    private void WorkerLoop()
    {
        foreach ((Func<int> work, TaskCompletionSource<int> done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }

        _queue.Dispose();
    }

    private async ValueTask OpenIfClosedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_line.IsOpen)
        {
            await _line.OpenAsync(timeout, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _openCount);
            Log.Connected(_logger, Endpoint);
        }
    }

    private bool ModbusRtuFrameLengthOrDrain(ReadOnlySpan<byte> head, ModbusFunctionCode function, out int expected)
    {
        try
        {
            return ModbusRtuFrameLength.TryGet(head, function, out expected);
        }
        catch (ModbusProtocolException)
        {
            Drain();
            throw;
        }
    }

    private int ReadExactly(Span<byte> frame, int filled, long started, TimeSpan timeout, byte unitId)
    {
        while (filled < frame.Length)
        {
            filled = ReadSome(frame, filled, started, timeout, unitId, frame.Length);
        }

        return filled;
    }

    private int ReadSome(Span<byte> frame, int filled, long started, TimeSpan timeout, byte unitId, int expected)
    {
        TimeSpan left = timeout - _time.GetElapsedTime(started);
        int read = left > TimeSpan.Zero ? _line.Read(frame[filled..], left) : 0;
        if (read == 0)
        {
            if (filled == 0)
            {
                throw ModbusSocketErrors.Timeout(Endpoint, unitId, timeout);
            }

            Drain();
            throw new ModbusProtocolException($"unit {unitId} on {Endpoint} sent {filled} of {(expected < 0 ? "at least 3" : expected.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes and went silent (short frame)", ModbusErrorScope.Request, ModbusFailureKind.Timeout);
        }

        return filled + read;
    }

    /// <summary>Reads and drops bytes until the line has been quiet for 20 ms (bounded: at most ~50 rounds).</summary>
    private void Drain()
    {
        Span<byte> sink = stackalloc byte[64];
        for (int i = 0; i < 50 && _line.IsOpen && _line.Read(sink, s_drainSilence) > 0; i++)
        {
        }
    }
}
