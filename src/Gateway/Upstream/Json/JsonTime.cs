using SmartCity.Edge.Gateway.Buffer.Storage;

namespace SmartCity.Edge.Gateway.Upstream.Json;

/// <summary>The contract's timestamp text, <c>2026-11-25T12:00:00.123Z</c> (ISO 8601 UTC, milliseconds), from Unix milliseconds.</summary>
internal static class JsonTime
{
    public const int Length = 24;

    /// <summary>Writes the 24 bytes of <paramref name="unixMs"/> (within 0001-01-01 … 9999-12-31, as stored times are).</summary>
    public static void Format(long unixMs, Span<byte> destination)
    {
        long ticks = (unixMs + FrameBodyWriter.UnixEpochMilliseconds) * TimeSpan.TicksPerMillisecond;
        new DateTime(ticks, DateTimeKind.Utc).Deconstruct(out int year, out int month, out int day);
        long ofDay = ticks % TimeSpan.TicksPerDay;
        int ms = (int)(ofDay / TimeSpan.TicksPerMillisecond % 1000);
        int seconds = (int)(ofDay / TimeSpan.TicksPerSecond);
        Digits(destination, 0, year, 4);
        destination[4] = (byte)'-';
        Digits(destination, 5, month, 2);
        destination[7] = (byte)'-';
        Digits(destination, 8, day, 2);
        destination[10] = (byte)'T';
        Digits(destination, 11, seconds / 3600, 2);
        destination[13] = (byte)':';
        Digits(destination, 14, seconds / 60 % 60, 2);
        destination[16] = (byte)':';
        Digits(destination, 17, seconds % 60, 2);
        destination[19] = (byte)'.';
        Digits(destination, 20, ms, 3);
        destination[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> destination, int at, int value, int count)
    {
        for (int i = at + count - 1; i >= at; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
