namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>The state of the seq high-water mark file at open.</summary>
internal enum SeqMarkStatus
{
    /// <summary>No file: a new data_dir, a gateway version that kept none, or deleted by hand.</summary>
    Missing,

    Valid,

    /// <summary>Present but not a mark this gateway wrote (torn, edited, garbage, oversized, unreadable).</summary>
    Damaged,
}
