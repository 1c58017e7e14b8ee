namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>The seq high-water mark kept outside the database (<see cref="SeqHighWaterMark"/>): at open, and before a commit passes it.</summary>
internal sealed partial class SqliteDurableBuffer
{
    private SeqHighWaterMark _seqMark = null!;

    /// <summary>The database had no table when opened: new, deleted by hand, or the damaged one was just moved aside.</summary>
    private bool _createdEmpty;

    /// <summary>Path of the seq high-water mark file.</summary>
    public string SeqMarkPath => _seqMark.Path;

    /// <summary>Where the damaged database found at open was moved, or null when it opened.</summary>
    public string? MovedAsidePath { get; private set; }

    /// <summary>
    /// After the database opened (<see cref="_lastSeq"/> already lifted above a valid mark when the file was empty):
    /// says what happened to seq, and makes the mark cover <see cref="_lastSeq"/> before any commit.
    /// </summary>
    private void KeepSeqMark(SeqMarkReading mark, string? movedTo, string? damage)
    {
        MovedAsidePath = movedTo;
        string markPath = _databasePath + SeqHighWaterMark.Suffix;
        _seqMark = new SeqHighWaterMark(markPath, mark.Status == SeqMarkStatus.Valid ? mark.Value : 0);
        long nextSeq = _lastSeq + 1;
        if (movedTo is not null)
        {
            if (mark.Status == SeqMarkStatus.Valid)
            {
                Log.CorruptDatabaseMovedAside(_logger, _databasePath, movedTo, damage ?? "", nextSeq, markPath);
            }
            else
            {
                Log.CorruptDatabaseMovedAsideWithoutMark(_logger, _databasePath, movedTo, damage ?? "", nextSeq, markPath);
            }
        }
        else if (mark.Status == SeqMarkStatus.Damaged)
        {
            // The database opened: its own records and last_seq say where seqs stand, the mark only ran ahead of them.
            Log.SeqMarkRewritten(_logger, markPath, mark.Problem ?? "", nextSeq);
        }
        else if (_createdEmpty && mark.Status == SeqMarkStatus.Valid && mark.Value > 0)
        {
            Log.DatabaseMissingSeqContinues(_logger, _databasePath, nextSeq, markPath);
        }

        if (mark.Status != SeqMarkStatus.Valid || _seqMark.Value < _lastSeq)
        {
            _seqMark.Reserve(_lastSeq);
        }
    }

    /// <summary>Before a commit that hands out seqs through <paramref name="lastSeq"/>: the mark covers them first (rarely written, see <see cref="SeqHighWaterMark"/>).</summary>
    private void CoverBySeqMark(long lastSeq)
    {
        if (lastSeq > _seqMark.Value)
        {
            _seqMark.Reserve(lastSeq);
        }
    }
}
