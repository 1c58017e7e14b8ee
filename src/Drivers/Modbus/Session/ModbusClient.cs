using System.Buffers;
using System.Runtime.CompilerServices;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// The master's view of one unit on a channel: typed reads and writes for function codes 01–06, 15 and 16 with the
/// retry policy of modbus-notes §3/§5. Reads are retried after a timeout or a busy reply (06) up to
/// <c>retries</c> times, and resent once right away when the link broke (the peer closed an idle connection);
/// writes are never repeated blindly. At most <c>maxInflight</c> requests of this unit are outstanding.
/// Usable without a container: the CLI and the benchmark build it directly.
/// </summary>
public sealed partial class ModbusClient
{
    /// <summary>Pause before asking a busy device (06) again, times the attempt (telegraf#9253: 100 ms fixed it).</summary>
    private static readonly TimeSpan s_busyBackoff = TimeSpan.FromMilliseconds(100);

    private readonly IModbusChannel _channel;
    private readonly SemaphoreSlim _inflight;
    private readonly TimeProvider _time;
    private long _requestsSent;

    public ModbusClient(IModbusChannel channel, byte unitId, TimeSpan timeout, int retries = 0, int maxInflight = 1, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInflight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        _channel = channel;
        UnitId = unitId;
        Timeout = timeout;
        Retries = retries;
        _inflight = new SemaphoreSlim(maxInflight, maxInflight);
    }

    public byte UnitId { get; }

    public TimeSpan Timeout { get; }

    public int Retries { get; }

    public IModbusChannel Channel => _channel;

    /// <summary>Requests sent, retries included (diagnostics; tests compare it with the server's count).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    public ValueTask ConnectAsync(CancellationToken cancellationToken) => _channel.EnsureOpenAsync(Timeout, cancellationToken);

    /// <summary>
    /// Reads <paramref name="quantity"/> bits (01/02) or registers (03/04) from <paramref name="address"/> and copies the
    /// reply's data bytes (packed bits LSB first, or big-endian registers) into <paramref name="data"/>. Returns their count.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(ModbusFunctionCode function, ushort address, ushort quantity, Memory<byte> data, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ModbusPdu.ReadRequestLength + ModbusLimits.MaxPduLength);
        try
        {
            ModbusPdu.TryWriteRead(buffer, function, address, quantity, out int requestLength);
            int attempt = 0;
            bool resent = false;
            while (true)
            {
                try
                {
                    int replyLength = await SendAsync(buffer.AsMemory(0, requestLength), buffer.AsMemory(requestLength, ModbusLimits.MaxPduLength), cancellationToken).ConfigureAwait(false);
                    ReadOnlySpan<byte> payload = ModbusPdu.ValidateResponse(buffer.AsSpan(0, requestLength), buffer.AsSpan(requestLength, replyLength));
                    payload.CopyTo(data.Span);
                    return payload.Length;
                }
                catch (ModbusExceptionResponseException ex) when (ex.Code == ModbusExceptionCode.ServerDeviceBusy && ShouldRetry(ex, ref attempt, ref resent))
                {
                    await Task.Delay(s_busyBackoff * attempt, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (ModbusException ex) when (ShouldRetry(ex, ref attempt, ref resent))
                {
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public ValueTask WriteSingleCoilAsync(ushort address, bool on, CancellationToken cancellationToken) =>
        WriteAsync(static (span, state) => { ModbusPdu.TryWriteSingleCoil(span, state.Address, state.On, out int n); return n; }, (Address: address, On: on), cancellationToken);

    public ValueTask WriteSingleRegisterAsync(ushort address, ushort value, CancellationToken cancellationToken) =>
        WriteAsync(static (span, state) => { ModbusPdu.TryWriteSingleRegister(span, state.Address, state.Value, out int n); return n; }, (Address: address, Value: value), cancellationToken);

    public ValueTask WriteMultipleCoilsAsync(ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken) =>
        WriteAsync(static (span, state) => { ModbusPdu.TryWriteMultipleCoils(span, state.Address, state.Values.Span, out int n); return n; }, (Address: address, Values: values), cancellationToken);

    public ValueTask WriteMultipleRegistersAsync(ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken) =>
        WriteAsync(static (span, state) => { ModbusPdu.TryWriteMultipleRegisters(span, state.Address, state.Values.Span, out int n); return n; }, (Address: address, Values: values), cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync<TState>(Func<Span<byte>, TState, int> build, TState state, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(2 * ModbusLimits.MaxPduLength);
        try
        {
            int requestLength = build(buffer.AsSpan(0, ModbusLimits.MaxPduLength), state);
            int replyLength = await SendAsync(buffer.AsMemory(0, requestLength), buffer.AsMemory(ModbusLimits.MaxPduLength, ModbusLimits.MaxPduLength), cancellationToken).ConfigureAwait(false);
            ModbusPdu.ValidateResponse(buffer.AsSpan(0, requestLength), buffer.AsSpan(ModbusLimits.MaxPduLength, replyLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> SendAsync(ReadOnlyMemory<byte> request, Memory<byte> response, CancellationToken cancellationToken)
    {
        await _inflight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _requestsSent);
            return await _channel.ExchangeAsync(UnitId, request, response, Timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inflight.Release();
        }
    }

    private bool ShouldRetry(ModbusException error, ref int attempt, ref bool resent)
    {
        if (error.Scope == ModbusErrorScope.Connection && error.Failure == ModbusFailureKind.Closed && !resent)
        {
            // EOF or reset: the device dropped an idle link. Reopen and resend once, immediately (modbus-notes §5).
            resent = true;
            return true;
        }

        bool retryable = error.Failure is ModbusFailureKind.Timeout or ModbusFailureKind.Crc
            || error is ModbusExceptionResponseException { Code: ModbusExceptionCode.ServerDeviceBusy or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond };
        if (retryable && attempt < Retries)
        {
            attempt++;
            return true;
        }

        return false;
    }
}
