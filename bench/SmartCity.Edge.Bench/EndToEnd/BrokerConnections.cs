using System.Globalization;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// Bytes a process sent to the broker over TCP: the kernel's <c>bytes_sent</c> (tcp_info) of that process's
/// established connections to the broker port, read with <c>ss -tinp</c>. That is every MQTT byte the broker received
/// from it (PUBLISH headers, topics, payloads, PINGREQs), without the TCP/IP headers; loopback has no retransmissions.
/// </summary>
internal static partial class BrokerConnections
{
    /// <summary>Bytes sent so far on its broker connections, or -1 when ss shows no connection of that process.</summary>
    public static async Task<long> BytesSentAsync(int pid, int brokerPort, CancellationToken cancellationToken)
    {
        string output = await BenchProcess.RunToEndAsync(
            "ss", ["-tinpH", "state", "established", $"( dport = :{brokerPort.ToString(CultureInfo.InvariantCulture)} )"], cancellationToken);

        // Each socket is a line with users:(("name",pid=N,fd=F)) followed by an indented line of tcp_info fields.
        // Without the right to see other processes' sockets (not root), ss leaves users:() out: unknown then.
        long total = 0;
        bool ours = false;
        bool seen = false;
        foreach (string line in output.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                ours = PidPattern().Matches(line).Any(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) == pid);
                seen |= ours;
                continue;
            }

            Match sent = BytesSentPattern().Match(line);
            if (ours && sent.Success)
            {
                total += long.Parse(sent.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return seen ? total : -1;
    }

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex PidPattern();

    [GeneratedRegex(@"\bbytes_sent:(\d+)")]
    private static partial Regex BytesSentPattern();
}
