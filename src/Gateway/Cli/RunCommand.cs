using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Http;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary><c>smartcity-edge run [--config FILE] [--http-listen ADDR:PORT]</c>: validates, then runs the gateway until SIGTERM / Ctrl-C.</summary>
internal sealed class RunCommand : ICliCommand
{
    public string Name => "run";

    public string Usage =>
        "run [--config FILE] [--http-listen ADDR:PORT]\n" +
        "    run the gateway (without --config: the embedded demo park, whose status page takes a free port when 8080 is\n" +
        "    taken); --http-listen serves the status page, health and metrics there instead of http.listen";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
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

        bool demo = configuration.SourceFile == ConfigArguments.EmbeddedDemoName;
        HttpListenOverride? httpListen = listen is not null || demo ? new HttpListenOverride(listen, FreePortIfTaken: demo && listen is null) : null;
        using IHost host = GatewayHost.Build(configuration, httpListen: httpListen);
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayHost).FullName!);
        HostingLog.Starting(logger, configuration.SourceFile, ConfigurationSummary.Overview(configuration), ConfigurationSummary.Topics(configuration), ConfigurationSummary.Commands(configuration));
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return Environment.ExitCode;
    }
}
