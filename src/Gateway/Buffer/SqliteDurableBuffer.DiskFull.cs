using System.Runtime.InteropServices;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// A full volume (SQLITE_FULL). The buffer says so once, gives up its <see cref="BufferDiskReserve"/> so alarm and audit
/// records (and the forwarder's deletes) still commit, and refuses telemetry, without touching the disk, until the reserve
/// can be written again: only then is there room again, and telemetry resumes. What was committed stays and keeps being
/// forwarded meanwhile. All of it runs on the writer thread.
/// </summary>
internal sealed partial class SqliteDurableBuffer
{
    /// <summary>Free space below which telemetry stays held back even with no reserve configured.</summary>
    private const long MinResumeFreeBytes = 1L << 20;

    private BufferDiskReserve _reserve = null!;

    // Writer-owned: the volume was found full and telemetry has not committed since.
    private bool _diskFull;
    private BufferStorageException? _diskFullError;

    /// <summary>At open: writes the reserve; a volume already too full for it starts in the disk-full state.</summary>
    private void HoldReserveAtOpen()
    {
        _reserve = new BufferDiskReserve(_databasePath + ".reserve", _options.DiskReserveBytes);
        if (!_reserve.TryHold(out string? failure))
        {
            EnterDiskFull(DiskFullError($"the reserve of {_reserve.Bytes} bytes for alarms could not be written ({failure})"));
        }
    }

    /// <summary>
    /// Before a group commits while the volume is full: unless there is room again — free space for the reserve twice over
    /// (the reserve itself and as much again for telemetry), and the reserve written back — the telemetry appends of
    /// <paramref name="group"/> fail at once with the disk-full error and are removed, without touching the disk. Asking
    /// for twice the reserve keeps the room the reserve gave back for alarms: with only that much free, telemetry would
    /// take it again (a failed commit still leaves the write-ahead log grown).
    /// </summary>
    private void HoldBackTelemetryWhileFull(List<WriteRequest> group)
    {
        if (!_diskFull || !ContainsTelemetryAppend(CollectionsMarshal.AsSpan(group)))
        {
            return;
        }

        if (FreeBytes() >= Math.Max(2 * _reserve.Bytes, MinResumeFreeBytes) && _reserve.TryHold(out _))
        {
            _statistics = CreateStatistics();
            return;
        }

        FailTelemetryAppends(group, _diskFullError!);
    }

    /// <summary>Free bytes on the volume of data_dir for this user (statvfs); 0 when it cannot be asked.</summary>
    private long FreeBytes()
    {
        try
        {
            return new DriveInfo(Path.GetDirectoryName(_databasePath)!).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    /// <summary>
    /// After <paramref name="failure"/>: true when it was the volume being full and the reserve has just been given back,
    /// so what is not telemetry is worth one more try (the telemetry appends of <paramref name="group"/> have been failed
    /// and removed).
    /// </summary>
    private bool ReleaseReserveAfterDiskFull(List<WriteRequest> group, Exception failure)
    {
        if (failure is not BufferStorageException { Error: BufferStorageError.DiskFull } diskFull)
        {
            return false;
        }

        EnterDiskFull(diskFull);
        long released = _reserve.Release();
        _statistics = CreateStatistics();
        if (ContainsTelemetryAppend(CollectionsMarshal.AsSpan(group)))
        {
            FailTelemetryAppends(group, diskFull);
        }

        if (released > 0)
        {
            Log.DiskReserveReleased(_logger, released, _reserve.Path);
        }

        return released > 0 && group.Count > 0;
    }

    /// <summary>After a commit that held telemetry: the volume takes writes again.</summary>
    private void LeaveDiskFullAfterTelemetryCommit()
    {
        if (!_diskFull)
        {
            return;
        }

        _diskFull = false;
        _diskFullError = null;
        Log.DiskSpaceBack(_logger, Path.GetDirectoryName(_databasePath) ?? _databasePath, _reserve.Bytes);
    }

    private void EnterDiskFull(BufferStorageException error)
    {
        _diskFullError = error;
        if (_diskFull)
        {
            return;
        }

        // Said once per episode: the pipeline keeps its batch and retries quietly, readiness and /metrics show the state.
        _diskFull = true;
        _statistics = CreateStatistics();
        Log.DiskFull(_logger, Path.GetDirectoryName(_databasePath) ?? _databasePath, _reserve.Bytes, error.Message);
    }

    private BufferStorageException DiskFullError(string detail) =>
        new(BufferStorageError.DiskFull, _databasePath,
            $"Buffer append failed: the disk holding '{Path.GetDirectoryName(_databasePath)}' is full ({detail}). Free space on that volume; " +
            "alarms and audit records still commit into the reserve (buffer.disk_reserve), telemetry is held in memory and appending resumes as soon as there is room",
            SqliteErrorMapping.SqliteFull, null);

    private static bool ContainsTelemetryAppend(ReadOnlySpan<WriteRequest> group)
    {
        foreach (WriteRequest request in group)
        {
            if (IsTelemetryAppend(request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An append that carries no alarm or audit record: the only kind held back while the volume is full.</summary>
    private static bool IsTelemetryAppend(WriteRequest request)
    {
        if (request.Operation != WriteOperation.Append)
        {
            return false;
        }

        foreach (BufferEntry entry in request.Entries!)
        {
            if (entry.Kind != RecordKind.Telemetry)
            {
                return false;
            }
        }

        return true;
    }

    private static void FailTelemetryAppends(List<WriteRequest> group, Exception error)
    {
        group.RemoveAll(request =>
        {
            if (!IsTelemetryAppend(request))
            {
                return false;
            }

            request.Completion.TrySetException(error);
            return true;
        });
    }
}
