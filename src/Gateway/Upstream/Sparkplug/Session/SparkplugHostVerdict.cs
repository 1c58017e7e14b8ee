namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>What a STATE message of the Primary Host means for the edge node.</summary>
internal enum SparkplugHostVerdict : byte
{
    /// <summary>Older than the last STATE seen from this host on this server: a late Will of an earlier host session (§5.5).</summary>
    Stale,
    Online,
    Offline,
}
