using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Bench;

/// <summary>What every benchmark needs from its surroundings: the repository, a free loopback port, its options.</summary>
internal static class BenchEnvironment
{
    /// <summary>The folder holding SmartCity.Edge.sln, found from the build output.</summary>
    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "SmartCity.Edge.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? Directory.GetCurrentDirectory();
        }
    }

    /// <summary>Binds port 0 on loopback and returns what the OS chose (the peer binds it right after).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Option(string[] args, string name, string fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        int.Parse(Option(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>Waits until something accepts connections on a loopback port.</summary>
    public static async Task WaitForPortAsync(int port, string what, CancellationToken cancellationToken)
    {
        for (int i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25, cancellationToken);
            }
        }

        throw new InvalidOperationException($"{what} did not listen on {port}");
    }
}
