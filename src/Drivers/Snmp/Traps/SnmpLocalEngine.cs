using System.Globalization;
using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The gateway's own SNMP engine, authoritative for the informs it receives (RFC 3414 §1.5.1): an engine ID made once
/// and kept in <c>{data_dir}/snmp-engine</c> with snmpEngineBoots, which goes up by one at every start (§2.2.2);
/// snmpEngineTime counts seconds since start on the monotonic clock.
/// </summary>
internal sealed class SnmpLocalEngine
{
    private const string FileName = "snmp-engine";
    private readonly TimeProvider _time;
    private readonly long _started;

    public SnmpLocalEngine(byte[] engineId, int boots, TimeProvider time)
    {
        EngineId = engineId;
        Boots = boots;
        _time = time;
        _started = time.GetTimestamp();
    }

    public byte[] EngineId { get; }

    public int Boots { get; }

    public int Time => (int)Math.Min(int.MaxValue, _time.GetElapsedTime(_started).TotalSeconds);

    /// <summary>
    /// Loads the engine state from <paramref name="dataDirectory"/>, counts this start and saves it. A missing or broken
    /// file starts a new engine (RFC 3411 §5 format 5: enterprise 0 with the high bit, then 12 random octets).
    /// </summary>
    public static SnmpLocalEngine Start(string dataDirectory, byte[]? configuredId, TimeProvider time, out string? saveError)
    {
        string path = Path.Combine(dataDirectory, FileName);
        byte[]? engineId = null;
        int boots = 0;
        try
        {
            foreach (string line in File.Exists(path) ? File.ReadAllLines(path) : [])
            {
                if (line.StartsWith("engine_id=", StringComparison.Ordinal))
                {
                    engineId = Convert.FromHexString(line.AsSpan(10).Trim());
                }
                else if (line.StartsWith("boots=", StringComparison.Ordinal))
                {
                    boots = int.Parse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            engineId = null;
            boots = 0;
        }

        if (configuredId is not null && !(engineId?.AsSpan().SequenceEqual(configuredId) ?? false))
        {
            // A new engine ID is a new engine: boots start over (RFC 3414 §2.2.2).
            engineId = configuredId;
            boots = 0;
        }

        if (engineId is null || engineId.Length is < 5 or > 32)
        {
            engineId = [0x80, 0x00, 0x00, 0x00, 0x05, .. RandomNumberGenerator.GetBytes(12)];
            boots = 0;
        }

        // RFC 3414 §2.2.2: at 2^31−1 the engine is stuck; start a new one instead.
        boots = boots >= int.MaxValue - 1 ? 1 : boots + 1;
        saveError = null;
        try
        {
            Directory.CreateDirectory(dataDirectory);
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, $"engine_id={Convert.ToHexString(engineId)}\nboots={boots.ToString(CultureInfo.InvariantCulture)}\n");
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            saveError = ex.Message;
        }

        return new SnmpLocalEngine(engineId, boots, time);
    }
}
