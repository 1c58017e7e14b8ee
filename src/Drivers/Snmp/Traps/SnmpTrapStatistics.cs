using System.Net;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Counts what the trap listener took and dropped, and logs each (source address, reason) once: an open UDP port gets
/// scans and forged datagrams, and a misconfigured UPS resends every minute; neither may flood the log. The set of
/// logged pairs is bounded (spoofed sources are unlimited); past it, drops are only counted.
/// </summary>
internal sealed class SnmpTrapStatistics
{
    private const int MaxLoggedPairs = 4096;

    private readonly ILogger _logger;
    private readonly long[] _rejected = new long[Enum.GetValues<SnmpTrapRejection>().Length];
    private readonly HashSet<(IPAddress, SnmpTrapRejection)> _logged = [];
    private long _delivered;
    private long _duplicates;

    public SnmpTrapStatistics(ILogger logger) => _logger = logger;

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Inform retransmissions acknowledged again but not delivered twice.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Rejected(SnmpTrapRejection reason) => Interlocked.Read(ref _rejected[(int)reason]);

    public void CountDelivered() => Interlocked.Increment(ref _delivered);

    public void CountDuplicate() => Interlocked.Increment(ref _duplicates);

    public void Reject(IPAddress source, SnmpTrapRejection reason, string detail)
    {
        Interlocked.Increment(ref _rejected[(int)reason]);
        bool log;
        lock (_logged)
        {
            log = _logged.Count < MaxLoggedPairs && _logged.Add((source, reason));
        }

        if (log)
        {
            Log.TrapRejected(_logger, source.ToString(), detail);
        }
    }
}
