using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// Child-process mode for the kill test: producers append to the buffer without end and print one line per
/// committed batch, <c>committed PRODUCER BATCH FIRSTSEQ COUNT end</c>, only after <see cref="IDurableBuffer.AppendAsync"/>
/// returned. The trailing <c>end</c> lets the parent ignore a line cut short by the kill.
/// </summary>
internal static class BufferAppendChild
{
    public const string Mode = "buffer-append-child";
    public const int BatchSize = 20;

    public static string Body(int producer, int batch, int index) => $"\"producer\":{producer},\"batch\":{batch},\"i\":{index}";

    public static RecordKind Kind(int index) => index % 5 == 0 ? RecordKind.Alarm : RecordKind.Telemetry;

    public static async Task<int> RunAsync(string[] args)
    {
        string directory = args[0];
        int producers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var buffer = new SqliteDurableBuffer(new BufferOptions { DataDirectory = directory }, NullLogger<SqliteDurableBuffer>.Instance, TimeProvider.System);
        var output = new object();
        Console.Out.WriteLine("ready");

        Task[] tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (int batch = 0; ; batch++)
            {
                var entries = new BufferEntry[BatchSize];
                for (int i = 0; i < BatchSize; i++)
                {
                    entries[i] = new BufferEntry(Kind(i), $"device-{p}", Body(p, batch, i));
                }

                long first = await buffer.AppendAsync(entries, CancellationToken.None);
                lock (output)
                {
                    Console.Out.WriteLine($"committed {p} {batch} {first} {BatchSize} end");
                    Console.Out.Flush();
                }
            }
        })).ToArray();

        await Task.WhenAll(tasks); // never completes: the parent kills this process
        return 0;
    }
}
