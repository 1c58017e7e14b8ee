namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// Entry point of the test assembly. The test runner never calls it (it loads the assembly into its test host);
/// tests start <c>dotnet SmartCity.Edge.Gateway.Tests.dll MODE …</c> to get a real child process they can kill.
/// </summary>
internal static class TestProgram
{
    public static async Task<int> Main(string[] args) => args switch
    {
        [BufferAppendChild.Mode, ..] => await BufferAppendChild.RunAsync(args[1..]),
        _ => 0,
    };
}
