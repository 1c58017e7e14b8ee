using System.Buffers;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// One Modbus device (one unit id) on a shared channel. Reads its tags with the coalesced plan; a block refused with
/// IllegalDataAddress (02) is split until the bad tag stands alone, and the split plan is kept for later polls. Other
/// exception replies make the block's tags bad with the exception's name; link failures (timeout after retries, closed,
/// refused, CRC) throw <see cref="DeviceException"/> so the supervisor recreates the driver with back-off.
/// </summary>
internal sealed class ModbusDriver : IDeviceDriver, IReadBackTags
{
    private readonly DeviceDescriptor _device;
    private readonly ModbusDeviceSettings _settings;
    private readonly ModbusConnectionRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string?[] _lastReason;

    // One slot per tag, filled by the blocks of a poll (concurrently when pipelined: each block writes its own tags),
    // then copied into one frame in tag order.
    private readonly TagReading[] _readings;
    private IReadOnlyList<ModbusReadBlock> _plan;
    private ModbusChannelLease? _lease;
    private ModbusClient? _client;
    private IReadingSink? _sink;

    public ModbusDriver(DeviceDescriptor device, ModbusDeviceSettings settings, ModbusConnectionRegistry registry, TimeProvider time, ILogger logger)
    {
        _device = device;
        _settings = settings;
        _registry = registry;
        _time = time;
        _logger = logger;
        _lastReason = new string?[settings.Tags.Count];
        _readings = new TagReading[settings.Tags.Count];
        _plan = ModbusReadPlanner.Plan(PlannedPoints(settings), settings.MaxBlock, settings.MaxGap);
    }

    /// <summary>The current read plan (after any splits), for tests and diagnostics.</summary>
    public IReadOnlyList<ModbusReadBlock> Plan => _plan;

    internal ModbusClient? Client => _client;

    /// <summary>The shared link's open count: a link the device closed and a later poll reopened counts as a reconnect.</summary>
    public long ConnectionEpoch => _lease?.Channel.OpenCount ?? 0;

    public static IEnumerable<ModbusPlannedPoint> PlannedPoints(ModbusDeviceSettings settings) =>
        settings.Tags.Select((t, i) => new ModbusPlannedPoint(i, t.Address.Table, t.Address.Offset, t.Length));

    public async ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        _lease ??= _registry.Acquire(_settings.Link, _logger);
        _client ??= new ModbusClient(_lease.Channel, _settings.UnitId, _settings.Timeout, _settings.Retries, _settings.MaxInflight, _time);
        try
        {
            await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ModbusException ex)
        {
            throw DeviceFailure(ex);
        }

        Log.Planned(_logger, _device.Id, _settings.Tags.Count, _plan.Count);
    }

    public async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        ModbusClient client = _client ?? throw new InvalidOperationException("PollAsync before ConnectAsync.");
        IReadingSink sink = _sink!;
        IReadOnlyList<ModbusReadBlock> plan = _plan;
        var replaced = new List<ModbusReadBlock>?[plan.Count];
        try
        {
            if (_settings.MaxInflight == 1)
            {
                for (int i = 0; i < plan.Count; i++)
                {
                    replaced[i] = await ReadBlockAsync(client, plan[i], cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                // Pipelined: every block is sent at once; the client's semaphore keeps max_inflight outstanding.
                var reads = new Task<List<ModbusReadBlock>?>[plan.Count];
                for (int i = 0; i < plan.Count; i++)
                {
                    reads[i] = ReadBlockAsync(client, plan[i], cancellationToken).AsTask();
                }

                try
                {
                    await Task.WhenAll(reads).ConfigureAwait(false);
                }
                catch (ModbusException)
                {
                    // Rethrown below from the first failed block, in plan order.
                }

                for (int i = 0; i < plan.Count; i++)
                {
                    replaced[i] = await reads[i].ConfigureAwait(false);
                }
            }
        }
        catch (ModbusException ex)
        {
            throw DeviceFailure(ex);
        }

        if (replaced.Any(r => r is not null))
        {
            _plan = [.. plan.SelectMany((block, i) => (IEnumerable<ModbusReadBlock>?)replaced[i] ?? [block])];
        }

        _registry.FailureLog.Reset(_device.Id);
        ReadingFrame frame = sink.CreateFrame();
        for (int i = 0; i < _readings.Length; i++)
        {
            frame.Add(_readings[i]);
        }

        await sink.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken)
    {
        ModbusClient client = _client ?? throw new InvalidOperationException("WriteAsync before ConnectAsync.");
        ModbusTagSettings tag = FindTag(tagId);
        ModbusAddress address = tag.Address;
        if (!ModbusTableInfo.IsWritable(address.Table))
        {
            throw new NotSupportedException($"tag '{tagId}' of '{_device.Id}' is in the {ModbusTableInfo.Name(address.Table)} table, which is read-only; only coil and holding tags can be written");
        }

        if (address.HasBit)
        {
            // A read-modify-write of one bit is not atomic on Modbus and could undo the device's own change.
            throw new NotSupportedException($"tag '{tagId}' is one bit of a holding register ({address}); writing single register bits is not supported, write the whole register with a uint16 tag");
        }

        // Encoded before anything is sent: a value the tag cannot hold never reaches the device.
        bool coil = address.Table == ModbusTable.Coil;
        bool on = false;
        ushort[] registers = coil ? [] : new ushort[tag.Type.RegisterCount];
        string? error = null;
        if (coil && !ModbusValueCodec.TryGetBit(value, out on))
        {
            error = $"a coil takes true or false (or 1 or 0), not {TagValueText.Describe(value)}";
        }
        else if (!coil && !ModbusValueCodec.TryEncode(value, tag.Type, tag.Order, tag.Scale, tag.Offset, registers, out string encodeError))
        {
            error = encodeError;
        }

        if (error is not null)
        {
            throw new TagValueRejectedException($"cannot write {TagValueText.Describe(value)} to tag '{tagId}' ({address}): {error}");
        }

        try
        {
            if (coil)
            {
                await client.WriteSingleCoilAsync(address.Offset, on, cancellationToken).ConfigureAwait(false);
            }
            else if (registers.Length == 1)
            {
                await client.WriteSingleRegisterAsync(address.Offset, registers[0], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await client.WriteMultipleRegistersAsync(address.Offset, registers, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ModbusExceptionResponseException ex)
        {
            // The device refused this one request (AP §7: it was not carried out); the link is fine.
            Log.WriteFailed(_logger, _device.Id, tagId, ex.Message);
            throw new DeviceTagRefusedException(ex.CodeName, $"Modbus device '{_device.Id}' refused the write of tag '{tagId}' ({address}): {ex.Message}", ex);
        }
        catch (ModbusException ex)
        {
            Log.WriteFailed(_logger, _device.Id, tagId, ex.Message);
            throw DeviceFailure(ex);
        }
    }

    /// <summary>Reads one tag now (after a write, to confirm it), with the function of its table; nothing goes to the sink.</summary>
    public async ValueTask<TagValue> ReadTagAsync(string tagId, CancellationToken cancellationToken)
    {
        ModbusClient client = _client ?? throw new InvalidOperationException("ReadTagAsync before ConnectAsync.");
        ModbusTagSettings tag = FindTag(tagId);
        ModbusAddress address = tag.Address;
        byte[] data = ArrayPool<byte>.Shared.Rent(ModbusLimits.MaxPduLength);
        try
        {
            await client.ReadAsync(ModbusTableInfo.ReadFunction(address.Table), address.Offset, (ushort)tag.Length, data, cancellationToken).ConfigureAwait(false);
            return ModbusTableInfo.IsBitTable(address.Table)
                ? TagValue.FromBoolean(ModbusValueCodec.GetPackedBit(data, 0))
                : ModbusValueCodec.Decode(data.AsSpan(0, 2 * tag.Length), tag.Type, tag.Order, address.Bit, tag.Scale, tag.Offset);
        }
        catch (ModbusExceptionResponseException ex)
        {
            throw new DeviceTagRefusedException(ex.CodeName, $"Modbus device '{_device.Id}' refused to read tag '{tagId}' ({address}): {ex.Message}", ex);
        }
        catch (ModbusException ex)
        {
            throw DeviceFailure(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ModbusChannelLease? lease = _lease;
        _lease = null;
        _client = null;
        if (lease is not null)
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads one block into <see cref="_readings"/>. Returns the blocks that replace it when it had to be split, else null.</summary>
    private async ValueTask<List<ModbusReadBlock>?> ReadBlockAsync(ModbusClient client, ModbusReadBlock block, CancellationToken cancellationToken)
    {
        byte[] data = ArrayPool<byte>.Shared.Rent(ModbusLimits.MaxPduLength);
        try
        {
            await client.ReadAsync(ModbusTableInfo.ReadFunction(block.Table), block.Start, (ushort)block.Count, data, cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = _time.GetUtcNow();
            foreach (ModbusPlannedPoint point in block.Points)
            {
                SetGood(point.TagIndex, Decode(block, point, data), now);
            }

            return null;
        }
        catch (ModbusExceptionResponseException ex) when (ex.Code == ModbusExceptionCode.IllegalDataAddress && block.Points.Count > 1)
        {
            (ModbusReadBlock left, ModbusReadBlock right) = ModbusReadPlanner.Split(block);
            Log.BlockSplit(_logger, _device.Id, ModbusTableInfo.Name(block.Table), block.Start, block.End - 1, 2);
            var result = new List<ModbusReadBlock>();
            foreach (ModbusReadBlock half in new[] { left, right })
            {
                result.AddRange(await ReadBlockAsync(client, half, cancellationToken).ConfigureAwait(false) ?? [half]);
            }

            return result;
        }
        catch (ModbusExceptionResponseException ex)
        {
            DateTimeOffset now = _time.GetUtcNow();
            foreach (ModbusPlannedPoint point in block.Points)
            {
                SetBad(point.TagIndex, ex.CodeName, now);
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    private TagValue Decode(ModbusReadBlock block, ModbusPlannedPoint point, byte[] data)
    {
        ModbusTagSettings tag = _settings.Tags[point.TagIndex];
        int relative = point.Start - block.Start;
        if (ModbusTableInfo.IsBitTable(block.Table))
        {
            return TagValue.FromBoolean(ModbusValueCodec.GetPackedBit(data, relative));
        }

        return ModbusValueCodec.Decode(data.AsSpan(2 * relative, 2 * point.Length), tag.Type, tag.Order, tag.Address.Bit, tag.Scale, tag.Offset);
    }

    private void SetGood(int index, TagValue value, DateTimeOffset now)
    {
        if (_lastReason[index] is not null)
        {
            _lastReason[index] = null;
            Log.TagRecovered(_logger, _device.Id, _settings.Tags[index].Id);
        }

        _readings[index] = TagReading.Good(index, value, now);
    }

    private void SetBad(int index, string reason, DateTimeOffset now)
    {
        ModbusTagSettings tag = _settings.Tags[index];

        // Logged when the reason changes, not every poll.
        if (_lastReason[index] != reason)
        {
            _lastReason[index] = reason;
            Log.TagFailed(_logger, _device.Id, tag.Id, reason, ModbusExceptionCodeText.TagHint(tag.Address, reason) ?? $"sent {tag.Address} (0-based)");
        }

        _readings[index] = TagReading.Bad(index, reason, now);
    }

    private ModbusTagSettings FindTag(string tagId) =>
        _settings.Tags.FirstOrDefault(t => string.Equals(t.Id, tagId, StringComparison.Ordinal))
            ?? throw new NotSupportedException($"Modbus device '{_device.Id}' has no tag '{tagId}'.");

    private DeviceException DeviceFailure(ModbusException ex)
    {
        string where = $"{_settings.Link.Endpoint}, unit {_settings.UnitId}";
        if (_registry.FailureLog.ShouldLog(_device.Id, out int suppressed))
        {
            Log.DeviceFailed(_logger, _device.Id, ex.Kind, ex.Message, suppressed);
        }

        return new DeviceException($"Modbus device '{_device.Id}' ({where}): {ex.Message}", ex) { Kind = ex.Kind };
    }
}
