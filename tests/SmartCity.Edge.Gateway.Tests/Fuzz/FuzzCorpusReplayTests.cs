using SmartCity.Edge.Fuzz;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Fuzz;

/// <summary>
/// CI's share of the coverage-guided fuzzing (tests/fuzz/run.sh): every input of the committed, minimized corpus goes
/// through the same entry points again, uninstrumented. An input that once passed must keep passing; the corpus is
/// what the fuzzer found interesting, so it reaches far more branches than hand-written cases.
/// </summary>
public sealed class FuzzCorpusReplayTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Corpus_EveryCommittedInput_PassesTheTargetWithoutACrash(string target)
    {
        string directory = Path.Combine(Path.GetDirectoryName(PeerProcess.PeersDirectory)!, "fuzz", "corpus", target);
        string[] inputs = Directory.GetFiles(directory);
        Assert.True(inputs.Length > 0, $"no corpus committed for {target} in {directory}");
        foreach (string input in inputs)
        {
            try
            {
                FuzzTargets.Run(target, File.ReadAllBytes(input));
            }
            catch (Exception ex)
            {
                Assert.Fail($"{target} crashed on {Path.GetFileName(input)}: {ex}");
            }
        }
    }

    [Fact]
    public void Seeds_EveryTarget_PassWithoutACrash()
    {
        foreach ((string target, string name, byte[] bytes) in FuzzSeeds.All())
        {
            FuzzTargets.Run(target, bytes);
            Assert.Contains(target, FuzzTargets.Names);
            Assert.NotEmpty(name);
        }
    }

    /// <summary>
    /// The seeds lead past authentication, or the fuzzer would spend its runs on refusals: every signed-claims and
    /// unsigned command seed is verified, and every trap seed but the discovery probe is accepted by the listener
    /// (community, v3 user, digest, decryption, time window).
    /// </summary>
    [Fact]
    public void Seeds_CommandAndTrapSeeds_GetPastAuthentication()
    {
        foreach ((string target, string name, byte[] bytes) in FuzzSeeds.All())
        {
            if (target == FuzzTargets.CommandToken)
            {
                (_, VerifiedCommand? command, CommandRefusal? refusal) = NetworkFuzzTargets.VerifyCommand(bytes);
                Assert.True(command is not null, $"seed {name} refused: {refusal}");
            }
            else if (target == FuzzTargets.SnmpTrap && name != "v3-discovery")
            {
                long before = NetworkFuzzTargets.TrapsAccepted;
                FuzzTargets.Run(target, bytes);
                Assert.True(NetworkFuzzTargets.TrapsAccepted > before, $"trap seed {name} was not accepted");
            }
        }
    }
}
