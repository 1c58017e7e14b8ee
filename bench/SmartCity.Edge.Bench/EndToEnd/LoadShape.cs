using System.Globalization;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// What the devices offer: <see cref="Devices"/> Modbus TCP devices of <see cref="Tags"/> holding registers each, every
/// register polled every <see cref="Interval"/>. Written <c>DEVICESxTAGS@INTERVAL</c>, e.g. <c>10x1000@100ms</c>.
/// </summary>
internal readonly record struct LoadShape(int Devices, int Tags, TimeSpan Interval, string IntervalText)
{
    /// <summary>The two shapes: a dense line (100k points/s) and a park (200 devices × 50 tags at 1 s).</summary>
    public const string Defaults = "10x1000@100ms,200x50@1s";

    /// <summary>Modbus allows at most 125 registers in one read (Application Protocol §6.3).</summary>
    public const int MaxRegistersPerRead = 125;

    public double OfferedPointsPerSecond => Devices * (double)Tags / Interval.TotalSeconds;

    /// <summary>Reads a client needs per device poll: the tags split into blocks of at most 125 registers.</summary>
    public int ReadsPerPoll => (Tags + MaxRegistersPerRead - 1) / MaxRegistersPerRead;

    public static LoadShape Parse(string text)
    {
        string[] atSplit = text.Split('@');
        string[] xSplit = atSplit[0].Split('x');
        if (atSplit.Length != 2 || xSplit.Length != 2
            || !int.TryParse(xSplit[0], NumberStyles.None, CultureInfo.InvariantCulture, out int devices) || devices is < 1 or > 1000
            || !int.TryParse(xSplit[1], NumberStyles.None, CultureInfo.InvariantCulture, out int tags) || tags is < 1 or > 10_000
            || !DurationParser.TryParse(atSplit[1], out TimeSpan interval) || interval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException($"'{text}' is not a shape: write DEVICESxTAGS@INTERVAL, e.g. 10x1000@100ms (1–1000 devices, 1–10000 tags, interval ≥ 10ms)");
        }

        return new LoadShape(devices, tags, interval, atSplit[1]);
    }

    public override string ToString() => $"{Devices}x{Tags}@{IntervalText}";

    /// <summary>Human form for tables: 10 × 1,000 @ 100ms.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Devices:N0} × {Tags:N0} @ {IntervalText}");

    /// <summary>Device ids shared by every system's topics: d000, d001, …</summary>
    public static string DeviceId(int index) => "d" + index.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>Tag ids shared by every system's payloads: r0000, r0001, … (the register number).</summary>
    public static string TagId(int register) => "r" + register.ToString("0000", CultureInfo.InvariantCulture);
}
