using System.Reflection;
using SmartCity.Edge.Bench;

// Benchmarks are discovered by type, so adding one touches no other file.
IBenchmark[] benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t, nonPublic: true)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToArray();

IBenchmark? chosen = args.Length > 0 ? benchmarks.FirstOrDefault(b => b.Name == args[0]) : null;
if (chosen is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/SmartCity.Edge.Bench -- NAME [options]");
    foreach (IBenchmark b in benchmarks)
    {
        Console.Error.WriteLine($"  {b.Name,-24} {b.Description}");
    }

    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await chosen.RunAsync(args[1..], cts.Token);
