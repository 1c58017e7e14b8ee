namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// The latest write attempts in memory, newest first, for the status page: what an operator at the cabinet needs to
/// see ("who opened door 3 a minute ago?"). Bounded; the complete trail is the durable one upstream.
/// </summary>
internal sealed class AuditTrail
{
    public const int Capacity = 50;

    private readonly Lock _gate = new();
    private readonly Queue<AuditRecord> _records = new(Capacity);

    public void Add(AuditRecord record)
    {
        lock (_gate)
        {
            if (_records.Count == Capacity)
            {
                _records.Dequeue();
            }

            _records.Enqueue(record);
        }
    }

    /// <summary>The records kept, newest first.</summary>
    public IReadOnlyList<AuditRecord> Recent()
    {
        lock (_gate)
        {
            return _records.Reverse().ToArray();
        }
    }
}
