namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>buffer:</c> section.</summary>
/// <param name="MaxDiskBytes">When the buffer database uses this much, the oldest telemetry is evicted (alarms never are).</param>
/// <param name="DiskReserveBytes">
/// Space on the data_dir volume kept back for alarms and audit records, released when the volume is full
/// (<c>buffer.disk_reserve</c>; 0 turns it off).
/// </param>
public sealed record BufferConfiguration(long MaxDiskBytes, long DiskReserveBytes = BufferConfiguration.DefaultDiskReserveBytes)
{
    /// <summary>2 MiB: hundreds of alarm transitions, with their write-ahead log frames and alarm state.</summary>
    public const long DefaultDiskReserveBytes = 2L << 20;

    /// <summary>The largest accepted reserve.</summary>
    public const long MaxDiskReserveBytes = 1L << 30;
}
