namespace SmartCity.Edge.Gateway.Audit;

/// <summary>One write in progress in the <see cref="WriteJournal"/>.</summary>
internal sealed class WriteJournalEntry(string path)
{
    public string Path { get; } = path;

    /// <summary>The write's outcome is recorded: it is no longer in progress. Idempotent.</summary>
    public void Complete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Left behind, it is recovered at the next start as interrupted: a second record, never a lost one.
        }
    }
}
