using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge support-bundle [--config FILE] [--out FILE] [--log FILE…]</c>: one <c>.tar.gz</c> a technician
/// attaches to a ticket, like Ignition's and Fledge's diagnostics bundles — the version and platform, the configuration
/// with every secret redacted (<see cref="ConfigRedaction"/>) and what <c>validate</c> says of it, the running
/// gateway's <c>/api/status</c> (devices, alarms, buffer statistics, upstream), <c>/readyz</c> and <c>/metrics</c>, the
/// last log lines (journald, and any <c>--log</c> file), the data_dir listing with sizes and free space, the OPC UA
/// certificate lists and the TLS files of the broker and webhook connections (<see cref="TlsFileListing"/>). Every file but the configuration is scrubbed of each secret value the configuration names.
/// </summary>
/// <remarks>Exit codes: 0 the bundle was written (parts that could not be collected say why inside it); 2 usage error or the archive could not be written.</remarks>
internal sealed class SupportBundleCommand : ICliCommand
{
    private const int LogLines = 2000;
    private static readonly TimeSpan s_httpTimeout = TimeSpan.FromSeconds(5);

    public string Name => "support-bundle";

    public string Usage =>
        "support-bundle [--config FILE] [--out FILE] [--log FILE…] [--unit NAME]\n" +
        "    write one .tar.gz for a support ticket: version, the configuration with every secret redacted, validate's\n" +
        "    verdict, the running gateway's status (devices, alarms, buffer), readiness and metrics, the last log lines\n" +
        "    (journald unit NAME, default smartcity-edge, and each --log FILE), the data_dir listing, the OPC UA certificate\n" +
        "    lists and the TLS files' certificates with their expiry. Default FILE: ./smartcity-edge-support-GATEWAY-TIME.tar.gz (mode 0600)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var logs = new List<string>();
        string? configFile = null;
        string? output = null;
        string unit = "smartcity-edge";
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--config" when value is not null:
                    configFile = value;
                    i++;
                    break;
                case "--out" when value is not null:
                    output = value;
                    i++;
                    break;
                case "--log" when value is not null:
                    logs.Add(value);
                    i++;
                    break;
                case "--unit" when value is not null:
                    unit = value;
                    i++;
                    break;
                case "--help" or "-h":
                    Console.WriteLine("usage: smartcity-edge " + Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"support-bundle: unexpected '{args[i]}'{(args[i].StartsWith("--", StringComparison.Ordinal) ? " (or its value is missing)" : string.Empty)}\nusage: smartcity-edge {Usage}");
                    return 2;
            }
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        ConfigurationLoadResult loaded = ConfigArguments.Load(configFile is null ? [] : ["--config", configFile]);
        GatewayConfiguration? configuration = loaded.Configuration;
        string gatewayId = configuration?.Gateway.Id ?? "unknown";
        string stamp = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string root = $"smartcity-edge-support-{gatewayId}-{stamp}";
        output ??= Path.Combine(Directory.GetCurrentDirectory(), root + ".tar.gz");

        var files = new List<(string Name, string Text)>();
        ConfigRedaction redaction = CollectConfiguration(configFile, loaded, files);
        files.Add(("version.txt", Version(now)));
        if (configuration is not null)
        {
            await CollectHttpAsync(configuration.Http, files, cancellationToken).ConfigureAwait(false);
            files.Add(("data_dir.txt", DataDirectory(configuration.Gateway.DataDirectory)));
            files.Add(("certificates.txt", Certificates(configuration.Gateway.DataDirectory)));
            files.Add(("tls.txt", TlsFileListing.Describe(configuration, now)));
        }
        else
        {
            files.Add(("status.txt", "not collected: the configuration has problems (config/validate.txt), so the status page's address and token are unknown\n"));
        }

        files.Add(("logs/journal.txt", await JournalAsync(unit, cancellationToken).ConfigureAwait(false)));
        foreach (string log in logs)
        {
            files.Add(($"logs/{Path.GetFileName(log)}", Tail(log)));
        }

        files.Add(("README.txt", Readme(files, redaction)));
        try
        {
            WriteArchive(output, root, files, redaction);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"support-bundle: cannot write {output}: {ex.Message}");
            return 2;
        }

        Console.WriteLine($"wrote {output} ({Plural.Of(files.Count, "file")}; {Plural.Of(redaction.Redacted, "secret")} redacted in the configuration, secret values scrubbed from the other files)");
        Console.WriteLine("check it before you send it: tar -tzvf " + output);
        return 0;
    }

    private static ConfigRedaction CollectConfiguration(string? configFile, ConfigurationLoadResult loaded, List<(string, string)> files)
    {
        string yaml;
        string baseDirectory;
        if (configFile is null)
        {
            using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("demo.yaml")!;
            using var reader = new StreamReader(stream);
            yaml = reader.ReadToEnd();
            baseDirectory = Directory.GetCurrentDirectory();
        }
        else
        {
            try
            {
                yaml = File.ReadAllText(configFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                yaml = $"# not collected: {ex.Message}\n";
            }

            baseDirectory = Path.GetDirectoryName(Path.GetFullPath(configFile)) ?? Directory.GetCurrentDirectory();
        }

        ConfigRedaction redaction = ConfigRedaction.Redact(yaml, baseDirectory);
        files.Add(($"config/{(configFile is null ? "demo.yaml" : Path.GetFileName(configFile))}", redaction.Text));

        var verdict = new StringWriter();
        if (loaded.Configuration is { } configuration)
        {
            verdict.WriteLine($"{configuration.SourceFile}: OK — {ConfigurationSummary.Overview(configuration)}");
            verdict.WriteLine("  " + ConfigurationSummary.Topics(configuration));
            verdict.WriteLine("  " + ConfigurationSummary.Commands(configuration));
        }
        else
        {
            // The loader's messages already show a substituted value only as the reference it came from.
            ConfigArguments.PrintProblems(loaded.Problems, verdict);
        }

        files.Add(("config/validate.txt", verdict.ToString()));
        return redaction;
    }

    private static string Version(DateTimeOffset now)
    {
        string version = Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return string.Create(CultureInfo.InvariantCulture, $"""
            smartcity-edge {version}
            build: {(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "native AOT")}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}
            os: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})
            host: {Environment.MachineName}, {Environment.ProcessorCount} CPUs, up {TimeSpan.FromMilliseconds(Environment.TickCount64):d\.hh\:mm\:ss}
            collected: {now:yyyy-MM-ddTHH:mm:ssZ} by {Environment.UserName}

            """);
    }

    /// <summary>The running gateway's status, readiness and metrics, from its own HTTP endpoint.</summary>
    private static async Task CollectHttpAsync(HttpConfiguration http, List<(string, string)> files, CancellationToken cancellationToken)
    {
        if (!http.Enabled)
        {
            files.Add(("status.txt", "not collected: http.enabled is false\n"));
            return;
        }

        if (http.Listen.Port == 0)
        {
            // Port 0 binds a port the system picks: only the running gateway knows it, from its own log line.
            files.Add(("status.txt", "not collected: http.listen has port 0, so the gateway's port is known only from its log (\"Status page, health and metrics on http://…\", event 1400); open /api/status, /readyz and /metrics there\n"));
            return;
        }

        // A wildcard listen address is reached on loopback.
        IPAddress address = http.Listen.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : http.Listen.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : http.Listen.Address;
        var baseAddress = new Uri($"http://{new IPEndPoint(address, http.Listen.Port)}/");
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = s_httpTimeout };
        if (http.Token is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var failures = new StringBuilder();
        foreach ((string path, string file) in new[] { ("api/status", "status.json"), ("readyz", "readyz.txt"), ("metrics", "metrics.txt") })
        {
            try
            {
                using HttpResponseMessage response = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                // /readyz answers 503 when not ready: that answer is the point.
                files.Add((file, response.IsSuccessStatusCode || path == "readyz" ? body : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}\n{body}"));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"{baseAddress}{path}: not reachable ({(ex is TaskCanceledException ? "no answer within 5s" : ex.Message)}): is the gateway running? (systemctl status smartcity-edge)");
            }
        }

        if (failures.Length > 0)
        {
            files.Add(("status.txt", failures.ToString()));
        }
    }

    /// <summary>Every file under data_dir with its size and time (the buffer's database and WAL sizes among them) and the free space.</summary>
    private static string DataDirectory(string dataDirectory)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"data_dir {dataDirectory}");
        if (!Directory.Exists(dataDirectory))
        {
            text.AppendLine("  does not exist (created at the first run)");
            return text.ToString();
        }

        try
        {
            var drive = new DriveInfo(dataDirectory);
            text.AppendLine(CultureInfo.InvariantCulture, $"  free space {drive.AvailableFreeSpace / (1024 * 1024)} MiB of {drive.TotalSize / (1024 * 1024)} MiB");
            foreach (string file in Directory.EnumerateFiles(dataDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                // Names and sizes only: the private key is in pki/own/private, never its contents.
                text.AppendLine(CultureInfo.InvariantCulture, $"  {info.Length,12}  {info.LastWriteTimeUtc:yyyy-MM-ddTHH:mm:ssZ}  {Path.GetRelativePath(dataDirectory, file)}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            text.AppendLine("  not fully listed: " + ex.Message);
        }

        return text.ToString();
    }

    private static string Certificates(string dataDirectory)
    {
        string pki = Path.Combine(dataDirectory, "pki");
        if (!Directory.Exists(pki))
        {
            return $"no OPC UA PKI folder ({pki}): no secured OPC UA device has connected yet\n";
        }

        var text = new StringWriter();
        OpcUaCommand.RunCertificateCommand(["certs", "--pki", pki], text, text);
        return text.ToString();
    }

    private static async Task<string> JournalAsync(string unit, CancellationToken cancellationToken)
    {
        try
        {
            var start = new ProcessStartInfo("journalctl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in new[] { "-u", unit, "-n", LogLines.ToString(CultureInfo.InvariantCulture), "--no-pager", "-o", "short-iso-precise" })
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
            string text = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return $"journalctl -u {unit} -n {LogLines} (exit {process.ExitCode})\n{await error.ConfigureAwait(false)}{text}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not collected: journalctl is not installed here; attach the gateway's log with --log FILE\n";
        }
    }

    /// <summary>The last <see cref="LogLines"/> lines of a log file.</summary>
    private static string Tail(string path)
    {
        try
        {
            var lines = new Queue<string>(LogLines);
            foreach (string line in File.ReadLines(path))
            {
                if (lines.Count == LogLines)
                {
                    lines.Dequeue();
                }

                lines.Enqueue(line);
            }

            return string.Join('\n', lines) + "\n";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"not collected: {ex.Message}\n";
        }
    }

    private static string Readme(List<(string Name, string Text)> files, ConfigRedaction redaction)
    {
        var text = new StringBuilder();
        text.AppendLine("smartcity-edge support bundle (smartcity-edge support-bundle; docs/service.md, \"Support bundle\")");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Secrets: {Plural.Of(redaction.Redacted, "value")} of secret keys (password, secret, token, community, …) and URL queries in the");
        text.AppendLine($"configuration are replaced by {ConfigRedaction.Marker}; ${{ENV}} and ${{file:}} references are kept as written and the values they");
        text.AppendLine("stand for are scrubbed from every file here. Comments in the configuration are kept as written.");
        text.AppendLine();
        foreach ((string name, string content) in files)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-24} {Encoding.UTF8.GetByteCount(content),9} bytes");
        }

        return text.ToString();
    }

    private static void WriteArchive(string output, string root, List<(string Name, string Text)> files, ConfigRedaction redaction)
    {
        // The bundle describes the site (addresses, device names): readable by its owner only, like the secrets it omits.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(output, options);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach ((string name, string text) in files)
        {
            // Every file, the redacted configuration too (a secret repeated in a comment or under another key).
            byte[] bytes = Encoding.UTF8.GetBytes(redaction.Scrub(text));
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{root}/{name}")
            {
                DataStream = new MemoryStream(bytes),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                ModificationTime = now,
            };
            tar.WriteEntry(entry);
        }
    }
}
