using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// What an operator may write to a tag (<c>writable: true</c> and its rules, docs/commands.md): a tag without these
/// rules is not writable by a command, whatever the key allows. Applied live by a reload.
/// </summary>
/// <param name="Min">Lowest value accepted (numbers only), inclusive; null: the tag's type decides.</param>
/// <param name="Max">Highest value accepted, inclusive.</param>
/// <param name="AllowedValues">The only values accepted (<c>allowed_values</c>); null: any value within min/max.</param>
/// <param name="RateLimit">At most this many writes in a sliding window (<c>rate_limit: 1/10s</c>); null: no limit.</param>
/// <param name="ConfirmByRead"><c>confirm: read</c>: the tag is read back from the device after the write, and the result says what it holds.</param>
public sealed record TagWriteRules(double? Min, double? Max, IReadOnlyList<TagValue>? AllowedValues, WriteRateLimit? RateLimit, bool ConfirmByRead)
{
    /// <summary>True when <paramref name="value"/> is one of <see cref="AllowedValues"/> (<see cref="TagValueEquality.Same"/>), or when there is no such list.</summary>
    public bool IsAllowedValue(TagValue value) => AllowedValues is null || AllowedValues.Any(allowed => TagValueEquality.Same(allowed, value));
}
