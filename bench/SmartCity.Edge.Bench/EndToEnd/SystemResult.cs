using System.Globalization;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>One system's figures over one shape's measurement window, and its start (until the first points arrived).</summary>
internal sealed record SystemResult(
    string System,
    string Description,
    LoadShape Shape,
    int Round,
    TimeSpan Startup,
    TimeSpan StartupCpu,
    double Seconds,
    TallySnapshot Delivered,
    long RegistersRead,
    TimeSpan Cpu,
    TimeSpan RunQueueWait,
    TimeSpan BrokerCpu,
    TimeSpan SubscriberCpu,
    long WriteBytes,
    long WireBytes,
    long SteadyRss,
    long PeakRss,
    long BrokerDropped,
    MemoryBreakdown? Memory)
{
    /// <summary>Below this share of the offered points a system is flagged as not keeping up.</summary>
    public const double KeepUpShare = 0.95;

    public double PointsPerSecond => Delivered.Points / Seconds;

    public double ReadPerSecond => RegistersRead / Seconds;

    public double DeliveredShare => PointsPerSecond / Shape.OfferedPointsPerSecond;

    /// <summary>Delivered enough, and nothing the subscriber could not read as our upstream JSON.</summary>
    public bool KeptUp => DeliveredShare >= KeepUpShare && Delivered.Malformed == 0;

    public double CpuMicrosecondsPerPoint => PerPoint(Cpu.TotalMicroseconds);

    public double BrokerCpuMicrosecondsPerPoint => PerPoint(BrokerCpu.TotalMicroseconds);

    public double SubscriberCpuMicrosecondsPerPoint => PerPoint(SubscriberCpu.TotalMicroseconds);

    /// <summary>Share of one core the system used over the window.</summary>
    public double CpuShare => Cpu.TotalSeconds / Seconds;

    /// <summary>Share of the window its threads spent waiting for a CPU held by something else.</summary>
    public double WaitShare => RunQueueWait.TotalSeconds / Seconds;

    public double DiskBytesPerPoint => PerPoint(WriteBytes);

    /// <summary>NaN when the connection could not be seen (ss without root) or changed during the window.</summary>
    public double WireBytesPerPoint => WireBytes < 0 ? double.NaN : PerPoint(WireBytes);

    public double MqttBytesPerPoint => PerPoint(Delivered.MqttBytes);

    public double PointsPerMessage => Delivered.Messages == 0 ? double.NaN : Delivered.Points / (double)Delivered.Messages;

    private double PerPoint(double total) => Delivered.Points == 0 ? double.NaN : total / Delivered.Points;

    public string ConsoleLine() => string.Create(CultureInfo.InvariantCulture,
        $"e2e: {Shape} {System} round {Round}: {PointsPerSecond:N0} points/s delivered ({DeliveredShare:P1} of {Shape.OfferedPointsPerSecond:N0} offered; read at the devices {ReadPerSecond:N0}/s), " +
        $"{CpuMicrosecondsPerPoint:0.00} CPU-µs/point ({CpuShare:P0} of a core, waited {WaitShare:P0}), RSS {Mib(SteadyRss)} MiB (peak {Mib(PeakRss)}), {DiskBytesPerPoint:0.0} disk B/point, {WireBytesPerPoint:0.0} wire B/point, " +
        $"{Delivered.Messages:N0} messages ({PointsPerMessage:0} points each), latency p50 {Delivered.LatencyPercentile(0.5):0} ms p99 {Delivered.LatencyPercentile(0.99):0} ms, " +
        $"broker {BrokerCpuMicrosecondsPerPoint:0.00} CPU-µs/point, subscriber {SubscriberCpuMicrosecondsPerPoint:0.00}, dropped {BrokerDropped}, redelivered {Delivered.SeqBackwards}, malformed {Delivered.Malformed}{(KeptUp ? "" : "  <-- DID NOT KEEP UP")}");

    public static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);
}
