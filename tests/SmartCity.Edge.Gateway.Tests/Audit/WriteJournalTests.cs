using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Audit;

namespace SmartCity.Edge.Gateway.Tests.Audit;

/// <summary>The journal of writes in progress: what a crash leaves, what the next start finds, and damaged files.</summary>
public sealed class WriteJournalTests : IDisposable
{
    private static readonly DateTimeOffset s_expires = new(2026, 12, 4, 5, 0, 0, TimeSpan.Zero);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("write-journal-").FullName;

    private static AuditRecord Interrupted(string tokenId) =>
        new("write", "mqtt", "alice", "desk-1", tokenId, "plc", "setpoint", TagValue.FromInt64(5), TagValue.FromInt64(7), TagValue.None,
            AuditOutcome.Interrupted, "interrupted", "whether the device carried it out is unknown", s_expires.AddMinutes(-5));

    [Fact]
    public void Begin_ThenCrash_NextStartFindsTheRecordAndTheTokenExpiry_OldestFirst()
    {
        var running = new WriteJournal(_dataDirectory);
        running.Begin(Interrupted("first"), s_expires);
        running.Begin(Interrupted("second"), default);
        running.Begin(Interrupted("done"), s_expires).Complete();

        var next = new WriteJournal(_dataDirectory);

        Assert.Equal(2, next.Leftovers.Count);
        Assert.True(WriteJournal.TryRead(next.Leftovers[0], out AuditRecord? first, out DateTimeOffset firstExpires, out _));
        Assert.Equal(Interrupted("first"), first);
        Assert.Equal(s_expires, firstExpires);
        Assert.True(WriteJournal.TryRead(next.Leftovers[1], out AuditRecord? second, out DateTimeOffset secondExpires, out _));
        Assert.Equal("second", second!.TokenId);
        Assert.Equal(default, secondExpires);
    }

    [Fact]
    public void Leftovers_AreThePreviousRunsOnly_NotWritesBegunAfterStart()
    {
        var journal = new WriteJournal(_dataDirectory);
        journal.Begin(Interrupted("now"), s_expires);
        Assert.Empty(journal.Leftovers);
    }

    [Fact]
    public void TempFileOfAWriteNeverRenamed_DeletedAtStart_NotALeftover()
    {
        string folder = Path.Combine(_dataDirectory, WriteJournal.FolderName);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "0000000000000000001-x.tmp"), [1, 2, 3]);

        var journal = new WriteJournal(_dataDirectory);

        Assert.Empty(journal.Leftovers);
        Assert.Empty(Directory.GetFiles(folder));
    }

    public static TheoryData<string, byte[]> DamagedFiles()
    {
        byte[] valid = ValidBytes();
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "another file's bytes", "{\"not\":\"a journal\"}"u8.ToArray() },
            { "format 2", [.. valid[..4], 2, .. valid[5..]] },
            { "truncated record", valid[..(valid.Length - 3)] },
            { "trailing bytes", [.. valid, 0] },
            { "oversized", new byte[(64 * 1024) + 1] },
            { "outcome out of range", Mutate(valid, 13 + 2, 0xFF) }, // header 13 bytes, then the record's version, flags, outcome
        };
    }

    [Theory]
    [MemberData(nameof(DamagedFiles))]
    public void TryRead_DamagedFile_FalseWithAReason(string name, byte[] bytes)
    {
        string path = Path.Combine(_dataDirectory, name.Replace(' ', '-') + ".write");
        File.WriteAllBytes(path, bytes);

        Assert.False(WriteJournal.TryRead(path, out AuditRecord? record, out _, out string? damage), name);
        Assert.Null(record);
        Assert.False(string.IsNullOrEmpty(damage));
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private static byte[] ValidBytes()
    {
        string directory = Directory.CreateTempSubdirectory("write-journal-valid-").FullName;
        try
        {
            return File.ReadAllBytes(new WriteJournal(directory).Begin(Interrupted("valid"), s_expires).Path);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] Mutate(byte[] bytes, int index, byte value)
    {
        byte[] copy = [.. bytes];
        copy[index] = value;
        return copy;
    }
}
