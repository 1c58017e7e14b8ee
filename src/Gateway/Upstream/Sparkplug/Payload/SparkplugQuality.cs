using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// The <c>Quality</c> property of a metric (Sparkplug 3.0 §6.4.9.1): a PropertyValue of type Int32 whose
/// <c>int_value</c> is one of three codes. Ignition and Cirrus Link read it; an absent one means GOOD.
/// </summary>
internal static class SparkplugQuality
{
    public const string PropertyName = "Quality";

    public const int Bad = 0;

    public const int Good = 192;

    public const int Stale = 500;

    /// <summary>
    /// Our three qualities onto Sparkplug's three codes. Uncertain has no code of its own: the value is sent with
    /// STALE, the code that tells a host not to take the value as a trustworthy current one, rather than GOOD (a lie)
    /// or BAD (which hides a value the device did report).
    /// </summary>
    public static int From(Quality quality) => quality switch
    {
        Quality.Good => Good,
        Quality.Uncertain => Stale,
        _ => Bad,
    };
}
