using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Http;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge run [--config FILE] [--http-listen ADDR:PORT]</c>: validates, then runs the gateway until SIGTERM /
/// Ctrl-C. A stop at any moment, start-up included, ends in an orderly shutdown and exit code 0.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    public string Name => "run";

    public string Usage =>
        "run [--config FILE] [--http-listen ADDR:PORT]\n" +
        "    run the gateway (without --config: the embedded demo park, whose status page takes a free port when 8080 is\n" +
        "    taken); --http-listen serves the status page, health and metrics there instead of http.listen";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var signals = new StopSignals();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token);
        ConfigurationLoadResult result = ConfigArguments.Load(args);
        if (result.Configuration is not { } configuration)
        {
            ConfigArguments.PrintProblems(result.Problems, Console.Error);
            return 1;
        }

        IPEndPoint? listen = null;
        if (ConfigArguments.Option(args, "--http-listen") is { } listenText)
        {
            if (!HttpConfiguration.TryParseListen(listenText, out listen, out string? error))
            {
                Console.Error.WriteLine("run: --http-listen " + error);
                return 2;
            }

            // The same rule as for http.listen: off loopback only with a token (or allow_unauthenticated).
            if (configuration.Http.ExposureProblem(listen) is { } exposed)
            {
                Console.Error.WriteLine("run: --http-listen " + exposed);
                return 2;
            }
        }

        if (stop.IsCancellationRequested)
        {
            return 0; // stopped before anything was opened or read
        }

        // Reading a large configuration leaves tens of MB of parser garbage behind (YAML nodes with their positions:
        // ~45 MB allocated for 10,000 tags). Give it back before the pipeline starts, so that it does not add to the
        // gateway's peak memory; a loaded configuration itself takes a few hundred bytes a tag.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        bool demo = configuration.SourceFile == ConfigArguments.EmbeddedDemoName;
        HttpListenOverride? httpListen = listen is not null || demo ? new HttpListenOverride(listen, FreePortIfTaken: demo && listen is null) : null;
        using IHost host = GatewayHost.Build(configuration, httpListen: httpListen);
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayHost).FullName!);
        HostingLog.Starting(logger, configuration.SourceFile, ConfigurationSummary.Overview(configuration), ConfigurationSummary.Topics(configuration), ConfigurationSummary.Commands(configuration));
        return await RunHostAsync(host, stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="HostingAbstractionsHostExtensions.RunAsync"/>, except that a stop during start-up is not an error: the
    /// start runs to its end and the host then stops in order (devices, then processing drains and commits what they
    /// read, then the forwarder).
    /// </summary>
    /// <remarks>
    /// The stop is deliberately not handed to <see cref="IHost.StartAsync"/>: the host links that token into every
    /// <see cref="BackgroundService"/>'s stopping token, and since .NET 10 a BackgroundService starts its ExecuteAsync
    /// with <c>Task.Run</c> on that token. A stop in the middle of start-up then cancelled services before they ran and
    /// before the host knew it was stopping, which it logged as "BackgroundService failed" (a service that never ran
    /// also never completed its output channel). Starting takes a few hundred milliseconds; the stop waits for it.
    /// </remarks>
    private static async Task<int> RunHostAsync(IHost host, CancellationToken stop)
    {
        await host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        if (stop.IsCancellationRequested)
        {
            ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RunCommand).Namespace!);
            HostingLog.StoppedDuringStartup(logger);
        }

        // Returns once the host has stopped: at once (stopping everything in order) when the stop came during start-up.
        await host.WaitForShutdownAsync(stop).ConfigureAwait(false);
        return Environment.ExitCode;
    }
}
