namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// A top-level command of <c>smartcity-edge</c> (<c>run</c>, <c>validate</c>, <c>modbus</c>, <c>opcua</c>, …).
/// A driver's technician tool is one new file plus one line in <see cref="CommandLine"/>.
/// </summary>
internal interface ICliCommand
{
    /// <summary>The first word on the command line.</summary>
    string Name { get; }

    /// <summary>One or more lines of usage shown by <c>smartcity-edge help</c>.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the words after its name. Returns the process exit code.</summary>
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
