using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Tests.Buffer;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>Used command tokens are remembered on disk until they expire, per key.</summary>
public sealed class CommandReplayStoreTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Remember_Token_UsedAcrossReopenUntilItExpires()
    {
        using var directory = new TempDataDirectory();
        using (var store = new CommandReplayStore(directory.Path))
        {
            store.Remember("desk-1", "j1", s_now.AddMinutes(1), s_now);
            Assert.True(store.WasUsed("desk-1", "j1"));
            Assert.False(store.WasUsed("night", "j1")); // another key's jti is another token
            Assert.False(store.WasUsed("desk-1", "j2"));
        }

        using (var reopened = new CommandReplayStore(directory.Path))
        {
            Assert.True(reopened.WasUsed("desk-1", "j1"));

            // Forgotten once no token that old can pass the lifetime check any more.
            reopened.Remember("desk-1", "j2", s_now.AddMinutes(10), forgetBefore: s_now.AddMinutes(2));
            Assert.False(reopened.WasUsed("desk-1", "j1"));
            Assert.True(reopened.WasUsed("desk-1", "j2"));
            Assert.Equal(1, reopened.Count());
        }
    }
}
