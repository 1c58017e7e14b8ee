using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The seq ranges of evicted telemetry (<see cref="EvictedRange"/>, table <c>evictions</c>): written in the transaction
/// that evicts, read by each upstream's forwarder before the data that follows the gap, deleted once every upstream's
/// telemetry cursor is past them. So a receiver can tell eviction at <c>max_disk</c> from loss.
/// </summary>
internal sealed partial class SqliteDurableBuffer
{
    /// <summary>Ranges one read returns; consecutive evictions during one outage are merged into one range, so a few suffice.</summary>
    private const int MaxEvictedRangesPerRead = 1000;

    /// <summary>The highest evicted seq whose range is still kept (writer-owned; 0 when none).</summary>
    private long _lastEvictedSeq;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvictedRange>> ReadEvictionsAsync(long afterSeq, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ranges = new List<EvictedRange>();
        Read(static (buffer, after, max, list) => buffer.ReadEvictions(after, max, list), afterSeq, MaxEvictedRangesPerRead, ranges);
        return new ValueTask<IReadOnlyList<EvictedRange>>(ranges);
    }

    private void ReadEvictions(long afterSeq, int max, List<EvictedRange> into)
    {
        using SqliteCommand command = _reader!.CreateCommand();
        command.CommandText = "SELECT from_seq, to_seq, readings, evicted_at FROM evictions WHERE to_seq > $after ORDER BY from_seq LIMIT $max;";
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$max", max);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            into.Add(new EvictedRange(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }
    }

    /// <summary>At open: where the kept ranges end.</summary>
    private void LoadLastEvictedSeq()
    {
        using SqliteCommand command = _writer!.CreateCommand();
        command.CommandText = "SELECT ifnull(max(to_seq), 0) FROM evictions;";
        _lastEvictedSeq = (long)command.ExecuteScalar()!;
    }

    /// <summary>The first seq of the oldest frame (0 when none), inside the writer's transaction.</summary>
    private long QueryOldestFrameSeq()
    {
        using SqliteCommand command = _writer!.CreateCommand();
        command.CommandText = "SELECT ifnull(min(seq), 0) FROM frames;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The last seq of the frames <see cref="DeleteThrough"/> would delete through <paramref name="through"/>.</summary>
    private long QueryLastSeqOfFramesThrough(long through)
    {
        using SqliteCommand command = _writer!.CreateCommand();
        command.CommandText = "SELECT ifnull(max(seq + count - 1), 0) FROM frames WHERE seq <= $through AND seq + count - 1 <= $through;";
        command.Parameters.AddWithValue("$through", through);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Stores the range the running transaction evicted. Eviction always takes the oldest frames, so a range starts where
    /// the previous one ended (seqs between them are alarm or audit records, or records every upstream had): it is merged
    /// into the previous range while no upstream can have sent a notice of that one yet (every telemetry cursor still
    /// below its start), so a long outage ends in one range rather than thousands.
    /// </summary>
    private void RecordEvictedRange(long fromSeq, long toSeq, long readings, IEnumerable<UpstreamCursor> cursors)
    {
        long evictedAt = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        long? previousFrom = null;
        using (SqliteCommand last = _writer!.CreateCommand())
        {
            last.CommandText = "SELECT from_seq FROM evictions ORDER BY from_seq DESC LIMIT 1;";
            if (last.ExecuteScalar() is long from)
            {
                previousFrom = from;
            }
        }

        using SqliteCommand write = _writer.CreateCommand();
        if (previousFrom is long start && cursors.All(c => c.Telemetry < start))
        {
            write.CommandText = "UPDATE evictions SET to_seq = $to, readings = readings + $readings, evicted_at = $at WHERE from_seq = $from;";
            write.Parameters.AddWithValue("$from", start);
        }
        else
        {
            write.CommandText = "INSERT INTO evictions (from_seq, to_seq, readings, evicted_at) VALUES ($from, $to, $readings, $at);";
            write.Parameters.AddWithValue("$from", fromSeq);
        }

        write.Parameters.AddWithValue("$to", toSeq);
        write.Parameters.AddWithValue("$readings", readings);
        write.Parameters.AddWithValue("$at", evictedAt);
        write.ExecuteNonQuery();
    }

    /// <summary>Deletes the ranges every upstream's telemetry cursor is past (each has sent its notice), inside the writer's transaction.</summary>
    private static void DeleteNoticedEvictions(SqliteConnection writer, long everyone)
    {
        using SqliteCommand command = writer.CreateCommand();
        command.CommandText = "DELETE FROM evictions WHERE to_seq <= $through;";
        command.Parameters.AddWithValue("$through", everyone);
        command.ExecuteNonQuery();
    }
}
