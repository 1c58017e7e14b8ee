namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// The <c>commands:</c> section: who may command the gateway over <c>{prefix}/commands/…</c> (docs/alarms.md,
/// "Signed commands"). Every command is a compact JWS signed with one of <see cref="Keys"/>; without a key, every
/// command is refused.
/// </summary>
/// <param name="Keys">The keys, by <c>kid</c>.</param>
/// <param name="AllowUnsigned">Accept today's plain JSON acks too (anyone who can publish on the broker can then ack); warned at every start.</param>
/// <param name="MaxLifetime">A token's <c>exp - iat</c> may be at most this (default 5 min): a stolen token is useful only briefly.</param>
/// <param name="ClockSkew">Tolerance between the desk's clock and the gateway's when checking <c>iat</c> and <c>exp</c> (default 2 min).</param>
public sealed record CommandsConfiguration(IReadOnlyList<CommandKey> Keys, bool AllowUnsigned, TimeSpan MaxLifetime, TimeSpan ClockSkew)
{
    public static readonly CommandsConfiguration Default = new([], false, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2));

    public CommandKey? FindKey(string id) => Keys.FirstOrDefault(k => string.Equals(k.Id, id, StringComparison.Ordinal));
}
