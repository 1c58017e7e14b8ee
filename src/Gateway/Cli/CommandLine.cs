namespace SmartCity.Edge.Gateway.Cli;

/// <summary>Dispatches the first word of the command line to an <see cref="ICliCommand"/>.</summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        // An explicit list rather than reflection over the assembly: a native AOT build trims what reflection
        // would have to find, and the list is the one place a driver's technician tool is registered.
        ICliCommand[] commands =
        [
            new CommandCommand(),
            new ModbusCommand(),
            new OpcUaCommand(),
            new SnmpCommand(),
            new SupportBundleCommand(),
            new RunCommand(),
            new TestCommand(),
            new ValidateCommand(),
        ];

        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            PrintUsage(commands, Console.Out);
            return args.Length == 0 ? 2 : 0;
        }

        ICliCommand? command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            Console.Error.WriteLine($"smartcity-edge: unknown command '{args[0]}'");
            PrintUsage(commands, Console.Error);
            return 2;
        }

        // Ctrl-C ends tools; the host installs its own handling for 'run'.
        using var cts = new CancellationTokenSource();
        return await command.RunAsync(args[1..], cts.Token);
    }

    private static void PrintUsage(IEnumerable<ICliCommand> commands, TextWriter writer)
    {
        writer.WriteLine("usage: smartcity-edge COMMAND [options]");
        foreach (ICliCommand command in commands)
        {
            foreach (string line in command.Usage.Split('\n'))
            {
                writer.WriteLine("  " + line.TrimEnd());
            }
        }
    }
}
