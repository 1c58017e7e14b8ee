using SharpFuzz;
using SmartCity.Edge.Fuzz;

// Under libFuzzer (tests/fuzz/run.sh) the target comes from SMARTCITY_FUZZ_TARGET: the libfuzzer-dotnet bridge
// passes the assembly as the only argument. Without libFuzzer: Program TARGET FILE runs one input (a crash to replay).
string? target = Environment.GetEnvironmentVariable("SMARTCITY_FUZZ_TARGET") ?? (args.Length > 0 ? args[0] : null);
if (target is null || !FuzzTargets.Names.Contains(target))
{
    Console.Error.WriteLine($"usage: SMARTCITY_FUZZ_TARGET=TARGET under libFuzzer, or: SmartCity.Edge.Fuzz TARGET FILE; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

if (Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") is null && args.Length >= 2)
{
    FuzzTargets.Run(target, File.ReadAllBytes(args[1]));
    return 0;
}

Fuzzer.LibFuzzer.Run(input => FuzzTargets.Run(target, input));
return 0;
