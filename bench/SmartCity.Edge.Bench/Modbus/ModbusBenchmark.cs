using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Bench.Modbus;

/// <summary>
/// Requests/s and CPU-µs per request of our Modbus TCP client against the libmodbus test server, side by side in the
/// same run with a libmodbus C client doing the same reads (tests/peers/modbus/libmodbus_bench_client.c). Everything
/// should run on one core (<c>taskset -c 0</c>, see test-peers.md): a ping-pong across cores of this VM costs ~250 µs
/// of wake-up per round trip and would measure the hypervisor, not the clients.
/// </summary>
internal sealed class ModbusBenchmark : IBenchmark
{
    private const string Host = "127.0.0.1";
    private const int Rounds = 5;

    public string Name => "modbus";

    public string Description => "Modbus TCP reads of 10 and 125 registers: ours (sequential, pipelined) vs a libmodbus C client";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int requests = args.Length > 1 && args[0] == "--requests" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        string peers = Path.Combine(RepositoryRoot(), "tests", "peers", "modbus");
        await RunToEndAsync("make", ["-s", "-C", peers], cancellationToken);
        string cpus = CpusAllowed();
        string[] pin = File.Exists("/usr/bin/taskset") ? ["taskset", "-c", cpus] : [];

        using Process server = Start(pin, Path.Combine(peers, "build", "libmodbus_server"), ["tcp", "0", "--quiet"]);
        string ready = await server.StandardOutput.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("server did not start");
        int port = int.Parse(ready["READY port=".Length..], CultureInfo.InvariantCulture);
        try
        {
            var rows = new List<string>();
            foreach (int registers in new[] { 10, 125 })
            {
                // Rounds alternate the clients, and each row reports its median round: other load on the machine
                // then hits both sides alike instead of whichever ran during a burst.
                var runs = new List<Result>[5];
                for (int i = 0; i < runs.Length; i++)
                {
                    runs[i] = [];
                }

                for (int round = 0; round < Rounds; round++)
                {
                    runs[0].Add(await LibmodbusAsync(pin, peers, port, registers, requests, 1, cancellationToken));
                    runs[1].Add(await LibmodbusAsync(pin, peers, port, registers, requests, 4, cancellationToken));
                    runs[2].Add(await OursAsync(port, registers, requests, 1, cancellationToken));
                    runs[3].Add(await OursAsync(port, registers, requests, 4, cancellationToken));
                    runs[4].Add(await OursAsync(port, registers, requests, 16, cancellationToken));
                }

                Result[] median = [.. runs.Select(r => Median(r) with { Low = r.Min(x => x.RequestsPerSecond), High = r.Max(x => x.RequestsPerSecond) })];
                rows.Add(Row(registers, "libmodbus 3.1.6 C client, sequential (1 connection)", median[0], median[0]));
                rows.Add(Row(registers, "libmodbus C client ×4 processes (4 connections)", median[1], median[0]));
                rows.Add(Row(registers, "ours, sequential (max_inflight 1)", median[2], median[0]));
                rows.Add(Row(registers, "ours, pipelined max_inflight 4 (1 connection)", median[3], median[0]));
                rows.Add(Row(registers, "ours, pipelined max_inflight 16 (1 connection)", median[4], median[0]));
            }

            var md = new StringBuilder();
            md.AppendLine("## Modbus TCP master: ours vs libmodbus");
            md.AppendLine();
            md.AppendLine($"{BenchmarkReport.MachineLine()}; CPUs allowed: {cpus}. Command: `taskset -c 0 dotnet run -c Release --project bench/SmartCity.Edge.Bench -- modbus --requests {requests}` (median of {Rounds} alternating rounds of {requests} reads per row, after a warm-up; the server `tests/peers/modbus/libmodbus_server tcp 0 --quiet` and the C clients pinned the same way).");
            md.AppendLine();
            md.AppendLine("| registers | client | requests/s (median) | range over rounds | × libmodbus sequential | client CPU-µs/request | allocated B/request |");
            md.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
            rows.ForEach(r => md.AppendLine(r));
            md.AppendLine();
            md.AppendLine("CPU-µs/request is the client process's own user+system time (getrusage in C; `Process.TotalProcessorTime` for ours, which includes the runtime's socket-event and thread-pool threads) divided by requests; the server's CPU is not counted on either side. " +
                "libmodbus can only have one request outstanding per connection, so its parallel row uses 4 client processes with a connection each; ours pipelines over one connection by transaction id. " +
                "The C server answers pipelined requests in order (select() loop, one `modbus_receive` per readable event), so with everything on one core pipelining mostly saves context switches and wake-ups.");
            Console.WriteLine(md);
            BenchmarkReport.WriteSection("modbus", md.ToString());
            return 0;
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<Result> OursAsync(int port, int registers, int requests, int inflight, CancellationToken cancellationToken)
    {
        await using var channel = new ModbusTcpChannel(Host, port, TimeProvider.System, NullLogger.Instance);
        var client = new ModbusClient(channel, 1, TimeSpan.FromSeconds(2), 0, inflight);
        await client.ConnectAsync(cancellationToken);
        await ReadManyAsync(client, registers, 2_000, inflight, cancellationToken);
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpu0 = process.TotalProcessorTime;
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        long t0 = Stopwatch.GetTimestamp();
        await ReadManyAsync(client, registers, requests, inflight, cancellationToken);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(t0);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpu0;
        return new Result(requests / elapsed.TotalSeconds, cpu.TotalMicroseconds / requests, (double)allocated / requests);
    }

    private static async Task ReadManyAsync(ModbusClient client, int registers, int requests, int inflight, CancellationToken cancellationToken)
    {
        // `inflight` loops share the client; its semaphore keeps that many requests outstanding on the one connection.
        var loops = new Task[inflight];
        for (int l = 0; l < inflight; l++)
        {
            int share = (requests / inflight) + (l < requests % inflight ? 1 : 0);
            loops[l] = Task.Run(
                async () =>
                {
                    byte[] data = new byte[250];
                    for (int i = 0; i < share; i++)
                    {
                        await client.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 0, (ushort)registers, data, cancellationToken);
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(loops);
    }

    private static async Task<Result> LibmodbusAsync(string[] pin, string peers, int port, int registers, int requests, int processes, CancellationToken cancellationToken)
    {
        string client = Path.Combine(peers, "build", "libmodbus_bench_client");
        var runs = new List<Task<string>>();
        for (int p = 0; p < processes; p++)
        {
            string[] args = [Host, port.ToString(CultureInfo.InvariantCulture), registers.ToString(CultureInfo.InvariantCulture), (requests / processes).ToString(CultureInfo.InvariantCulture)];
            runs.Add(RunToEndAsync(pin.Length > 0 ? pin[0] : client, pin.Length > 0 ? [.. pin[1..], client, .. args] : args, cancellationToken));
        }

        string[] outputs = await Task.WhenAll(runs);
        double seconds = 0;
        double cpuUs = 0;
        int total = 0;
        foreach (string output in outputs)
        {
            // RESULT requests=N seconds=S cpu_us=U
            Dictionary<string, string> fields = output.Trim().Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            total += int.Parse(fields["requests"], CultureInfo.InvariantCulture);
            seconds = Math.Max(seconds, double.Parse(fields["seconds"], CultureInfo.InvariantCulture));
            cpuUs += double.Parse(fields["cpu_us"], CultureInfo.InvariantCulture);
        }

        return new Result(total / seconds, cpuUs / total, 0);
    }

    private static Result Median(List<Result> results) =>
        results.OrderBy(r => r.RequestsPerSecond).ElementAt(results.Count / 2);

    private static string Row(int registers, string client, Result result, Result baseline) =>
        string.Create(CultureInfo.InvariantCulture, $"| {registers} | {client} | {result.RequestsPerSecond:N0} | {result.Low:N0}–{result.High:N0} | {result.RequestsPerSecond / baseline.RequestsPerSecond:0.00} | {result.CpuMicrosecondsPerRequest:0.0} | {(client.StartsWith("ours", StringComparison.Ordinal) ? result.BytesPerRequest.ToString("0", CultureInfo.InvariantCulture) : "–")} |");

    private static Process Start(string[] pin, string file, string[] args)
    {
        var info = new ProcessStartInfo(pin.Length > 0 ? pin[0] : file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in pin.Length > 0 ? [.. pin[1..], file, .. args] : args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start " + file);
    }

    private static async Task<string> RunToEndAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        using Process process = Start([], file, args);
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode})");
    }

    private static string CpusAllowed()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)) : null;
        return line?.Split(':', 2)[1].Trim() ?? "all";
    }

    private static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SmartCity.Edge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? Directory.GetCurrentDirectory();
    }

    private readonly record struct Result(double RequestsPerSecond, double CpuMicrosecondsPerRequest, double BytesPerRequest, double Low = 0, double High = 0);
}
