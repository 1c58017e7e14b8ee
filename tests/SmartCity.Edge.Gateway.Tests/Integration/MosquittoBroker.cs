namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A real mosquitto on a free loopback port with its own config and persistence file in a temp folder, so it can be
/// stopped (SIGTERM saves queued messages of persistent sessions) and started again on the same port. The process is a
/// <see cref="PeerProcess"/>: mosquitto logs to its file and to standard error, and is ready on its "running" line.
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _directory;
    private PeerProcess? _process;

    private MosquittoBroker(string directory, int port)
    {
        _directory = directory;
        Port = port;
        AnonymousPort = port;
    }

    public int Port { get; }

    /// <summary>A second, anonymous listener for test subscribers when <see cref="Port"/> requires a password; else <see cref="Port"/>.</summary>
    public int AnonymousPort { get; private init; }

    /// <summary>The broker's own log (connects, disconnects), for tests that assert on the broker's side.</summary>
    public string ReadLog()
    {
        string path = Path.Combine(_directory, "mosquitto.log");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// A broker whose <see cref="Port"/> admits only <paramref name="user"/> with <paramref name="password"/>
    /// (a <c>password_file</c> written by Debian's <c>mosquitto_passwd</c>, shipped in the mosquitto package), and an
    /// anonymous listener on <see cref="AnonymousPort"/> for the test's subscribers.
    /// </summary>
    public static Task<MosquittoBroker> StartWithPasswordAsync(string user, string password)
        => FreePort.StartWithRetryAsync(async () =>
        {
            string directory = Directory.CreateTempSubdirectory("mosquitto-").FullName;
            var broker = new MosquittoBroker(directory, FreePort.Next()) { AnonymousPort = FreePort.Next() };
            string passwordFile = Path.Combine(directory, "passwd");
            await using (PeerProcess passwd = PeerProcess.Start("mosquitto_passwd", "-c", "-b", passwordFile, user, password))
            {
                await passwd.WaitForExitAsync();
                if (passwd.ExitCode != 0)
                {
                    throw new InvalidOperationException($"mosquitto_passwd failed: {passwd.Stderr}");
                }
            }

            await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
                # Test broker: the first listener needs a user name and password, the second is anonymous (subscribers).
                per_listener_settings true
                listener {broker.Port} 127.0.0.1
                allow_anonymous false
                password_file {passwordFile}
                listener {broker.AnonymousPort} 127.0.0.1
                allow_anonymous true
                persistence false
                user root
                log_dest file {directory}/mosquitto.log
                log_dest stderr
                """);
            await broker.StartProcessAsync();
            return broker;
        });

    /// <summary>
    /// A broker whose <see cref="Port"/> speaks only TLS with the server certificate of <paramref name="certificates"/>
    /// (signed by its desk CA), and an anonymous plain listener on <see cref="AnonymousPort"/> for the test's
    /// subscribers. With <paramref name="requireClientCertificate"/> the TLS listener admits only clients presenting a
    /// certificate signed by the gateways' CA.
    /// </summary>
    public static Task<MosquittoBroker> StartWithTlsAsync(TestCertificates certificates, bool requireClientCertificate)
        => FreePort.StartWithRetryAsync(async () =>
        {
            string directory = Directory.CreateTempSubdirectory("mosquitto-").FullName;
            var broker = new MosquittoBroker(directory, FreePort.Next()) { AnonymousPort = FreePort.Next() };
            await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
                # Test broker: the first listener is TLS only, the second plain and anonymous (subscribers).
                per_listener_settings true
                listener {broker.Port} 127.0.0.1
                allow_anonymous true
                certfile {certificates.ServerCertFile}
                keyfile {certificates.ServerKeyFile}
                cafile {certificates.ClientCaFile}
                require_certificate {(requireClientCertificate ? "true" : "false")}
                listener {broker.AnonymousPort} 127.0.0.1
                allow_anonymous true
                persistence false
                user root
                log_dest file {directory}/mosquitto.log
                log_dest stderr
                """);
            await broker.StartProcessAsync();
            return broker;
        });

    public static Task<MosquittoBroker> StartAsync()
        => FreePort.StartWithRetryAsync(async () =>
        {
            string directory = Directory.CreateTempSubdirectory("mosquitto-").FullName;
            var broker = new MosquittoBroker(directory, FreePort.Next());
            await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
                # Test broker: loopback only, anonymous, persistent sessions survive a restart.
                listener {broker.Port} 127.0.0.1
                allow_anonymous true
                persistence true
                persistence_location {directory}/
                autosave_interval 1
                max_queued_messages 0
                user root
                log_dest file {directory}/mosquitto.log
                log_dest stderr
                """);
            await broker.StartProcessAsync();
            return broker;
        });

    /// <summary>
    /// A broker (loopback, anonymous, no persistence) bridged to the broker on <paramref name="remotePort"/>: mosquitto's
    /// own bridge forwards <paramref name="topic"/> both ways at QoS 1, as the nodes of a broker cluster share messages.
    /// </summary>
    public static Task<MosquittoBroker> StartBridgedAsync(int remotePort, string topic)
        => FreePort.StartWithRetryAsync(async () =>
        {
            string directory = Directory.CreateTempSubdirectory("mosquitto-").FullName;
            var broker = new MosquittoBroker(directory, FreePort.Next());
            await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
                # Test broker bridged to another one on this machine.
                listener {broker.Port} 127.0.0.1
                allow_anonymous true
                persistence false
                user root
                log_dest file {directory}/mosquitto.log
                log_dest stderr
                connection bridge-{broker.Port}
                address 127.0.0.1:{remotePort}
                topic {topic} both 1
                cleansession true
                try_private true
                restart_timeout 1
                """);
            await broker.StartProcessAsync();
            return broker;
        });

    /// <summary>
    /// Starts mosquitto on <see cref="Port"/> and returns once it logs that it runs (every listener bound). mosquitto
    /// cannot bind port 0 and report it (<c>listener 0</c> is a Unix socket in mosquitto 2), so the port comes from
    /// <see cref="FreePort.Next"/> with its small race: when another process took the port first, mosquitto exits with
    /// "Address already in use" and this throws <see cref="PortTakenException"/>, on which the factories above start
    /// again on new ports.
    /// </summary>
    public async Task StartProcessAsync()
    {
        string executable = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        PeerProcess process = PeerProcess.Start(executable, "-c", Path.Combine(_directory, "mosquitto.conf"));
        try
        {
            await process.WaitForOutputAsync(l => l.EndsWith(" running", StringComparison.Ordinal), timeout: TestTimeouts.PeerStart);
            _process = process;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            await process.DisposeAsync();
            string output = string.Join('\n', process.Output);
            if (output.Contains("Address already in use", StringComparison.Ordinal))
            {
                Directory.Delete(_directory, recursive: true);
                throw new PortTakenException($"mosquitto: port {Port} or {AnonymousPort} was taken before it bound it\n{output}");
            }

            throw new InvalidOperationException($"mosquitto did not start on {Port}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Freezes (SIGSTOP) or thaws (SIGCONT) the broker: its connections stay open and nothing is lost, it just stops
    /// acknowledging, so a publisher's backlog grows and then drains at once.
    /// </summary>
    public void Freeze(bool frozen) => Posix.Kill(_process?.Pid ?? throw new InvalidOperationException("the broker is not running"), frozen ? Posix.SigStop : Posix.SigCont);

    /// <summary>Graceful stop (SIGTERM): the broker saves its persistence file.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            Posix.Kill(process.Pid, Posix.SigTerm);
            await process.WaitForExitAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
