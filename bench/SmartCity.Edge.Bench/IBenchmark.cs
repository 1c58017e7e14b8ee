namespace SmartCity.Edge.Bench;

/// <summary>One on-demand benchmark. Each writes its figures as a section of docs/benchmarks.md.</summary>
internal interface IBenchmark
{
    /// <summary>Name on the command line: <c>dotnet run -c Release --project bench/SmartCity.Edge.Bench -- NAME</c>.</summary>
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
