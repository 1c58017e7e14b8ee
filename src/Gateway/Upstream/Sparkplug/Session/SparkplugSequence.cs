namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>
/// The message sequence number of an edge node (§6.4.5, tck-id-payloads-sequence-num-incrementing): one counter over
/// NBIRTH, DBIRTH, NDATA, DDATA and DDEATH, +1 per message, 255 wrapping to 0. Every NBIRTH starts it at 0
/// (tck-id-topics-nbirth-seq-num; what Tahu, Ignition and the TCK expect: ../shared/docs/sparkplug-notes.md §3).
/// </summary>
internal sealed class SparkplugSequence
{
    private ulong _next;

    /// <summary>Seq 0 for the NBIRTH; the message after it gets 1.</summary>
    public ulong StartBirth()
    {
        _next = 1;
        return 0;
    }

    public ulong Next()
    {
        ulong seq = _next;
        _next = (_next + 1) & 0xFF;
        return seq;
    }
}
