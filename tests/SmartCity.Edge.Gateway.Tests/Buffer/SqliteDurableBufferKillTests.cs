using System.Diagnostics;
using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class SqliteDurableBufferKillTests
{
    [Fact]
    public async Task Append_ProcessKilledMidStream_EveryAcknowledgedSeqIsPresentAfterReopen()
    {
        using var dir = new TempDataDirectory();
        var acknowledged = new List<(int Producer, int Batch, long First, int Count)>();
        int killAfter = Random.Shared.Next(100, 300);
        int exitCode;

        using (Process child = StartChild(dir.Path, producers: 3))
        {
            try
            {
                using var timeout = new CancellationTokenSource(PassingTimeout);
                Assert.Equal("ready", await child.StandardOutput.ReadLineAsync(timeout.Token));
                while (acknowledged.Count < killAfter)
                {
                    string? line = await child.StandardOutput.ReadLineAsync(timeout.Token);
                    if (line is null)
                    {
                        Assert.Fail("the child stopped before it was killed: " + await child.StandardError.ReadToEndAsync(timeout.Token));
                    }

                    acknowledged.Add(ParseAcknowledgement(line)!.Value);
                }

                // SIGKILL while the producers keep appending: no chance to flush, close or checkpoint.
                child.Kill();

                // Lines already in the pipe were printed after their commit returned: they count too. A line cut
                // short by the kill has no "end" and is ignored.
                while (await child.StandardOutput.ReadLineAsync(timeout.Token) is string line)
                {
                    if (ParseAcknowledgement(line) is { } ack)
                    {
                        acknowledged.Add(ack);
                    }
                }

                await child.WaitForExitAsync(timeout.Token);
                exitCode = child.ExitCode;
            }
            finally
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.Equal(128 + 9, exitCode); // killed by SIGKILL, not exited on its own

        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Dictionary<long, StoredRecord> stored = (await ReadAllAsync(reopened, RecordKind.Telemetry))
            .Concat(await ReadAllAsync(reopened, RecordKind.Alarm))
            .Concat(await ReadAllAsync(reopened, RecordKind.Audit))
            .ToDictionary(r => r.Seq);
        foreach ((int producer, int batch, long first, int count) in acknowledged)
        {
            // Every record of the batch, with its seqs in order: a frame holds a contiguous range.
            long seq = first;
            for (int i = 0; i < BufferAppendChild.BatchSize; i++)
            {
                Assert.True(stored.TryGetValue(seq, out StoredRecord? record), $"acknowledged seq {seq} is missing after the kill");
                Assert.Equal(BufferAppendChild.Body(producer, batch, i), record.Body);
                Assert.Equal(BufferAppendChild.Kind(i), record.Kind);
                Assert.Equal(seq + BufferAppendChild.Readings(i) - 1, record.LastSeq);
                seq = record.LastSeq + 1;
            }

            Assert.Equal(first + count, seq);
        }

        long highestAcknowledged = acknowledged.Max(a => a.First + a.Count - 1);
        Assert.True(reopened.GetStatistics().LastSeq >= highestAcknowledged);
        Assert.True(await reopened.AppendAsync([Telemetry(1)], CancellationToken.None) > highestAcknowledged);
    }

    private static (int Producer, int Batch, long First, int Count)? ParseAcknowledgement(string line)
    {
        string[] parts = line.Split(' ');
        if (parts is not ["committed", var producer, var batch, var first, var count, "end"])
        {
            return null;
        }

        return (int.Parse(producer, System.Globalization.CultureInfo.InvariantCulture), int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(first, System.Globalization.CultureInfo.InvariantCulture), int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Process StartChild(string directory, int producers)
    {
        // The test assembly itself is the child program (see TestProgram); run it with the same dotnet host.
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromCli
            ? fromCli
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(BufferAppendChild).Assembly.Location);
        start.ArgumentList.Add(BufferAppendChild.Mode);
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(producers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
    }
}
