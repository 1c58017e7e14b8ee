using SharpFuzz;
using SmartCity.Edge.Fuzz;

// The target comes from SMARTCITY_FUZZ_TARGET: under libFuzzer the libfuzzer-dotnet bridge passes the assembly as the
// only argument. Without libFuzzer, SharpFuzz runs the one input named by the first argument (a crash to replay):
//   SMARTCITY_FUZZ_TARGET=config dotnet SmartCity.Edge.Fuzz.dll crash-…
if (args is ["--write-seeds", string directory])
{
    foreach ((string seedTarget, string name, byte[] bytes) in FuzzSeeds.All())
    {
        Directory.CreateDirectory(Path.Combine(directory, seedTarget));
        File.WriteAllBytes(Path.Combine(directory, seedTarget, "seed-" + name), bytes);
    }

    return 0;
}

string? target = Environment.GetEnvironmentVariable("SMARTCITY_FUZZ_TARGET");
if (target is null || !FuzzTargets.Names.Contains(target))
{
    Console.Error.WriteLine($"usage: SMARTCITY_FUZZ_TARGET=TARGET SmartCity.Edge.Fuzz [FILE]; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

Fuzzer.LibFuzzer.Run(input => FuzzTargets.Run(target, input));
return 0;
