namespace SmartCity.Edge.Gateway.Commands;

/// <summary>A refused command: the code for programs and a reason for people, both in the <c>ok:false</c> result and the log.</summary>
/// <param name="Code">Why, as a code.</param>
/// <param name="Reason">Why, in words: what was wrong and how to fix it. Never a secret; untrusted text only quoted through <see cref="CommandText.Quote"/>.</param>
internal sealed record CommandRefusal(CommandRefusalCode Code, string Reason)
{
    public string WireCode => Code switch
    {
        CommandRefusalCode.NoKeys => "no_keys",
        CommandRefusalCode.Unsigned => "unsigned",
        CommandRefusalCode.TooLarge => "too_large",
        CommandRefusalCode.Malformed => "malformed",
        CommandRefusalCode.UnknownKey => "unknown_key",
        CommandRefusalCode.Algorithm => "algorithm",
        CommandRefusalCode.Signature => "signature",
        CommandRefusalCode.Claims => "claims",
        CommandRefusalCode.Expired => "expired",
        CommandRefusalCode.NotYetValid => "not_yet_valid",
        CommandRefusalCode.Lifetime => "lifetime",
        CommandRefusalCode.NotAllowed => "not_allowed",
        CommandRefusalCode.Replayed => "replayed",
        CommandRefusalCode.Occurrence => "occurrence",
        CommandRefusalCode.UnknownTarget => "unknown_target",
        CommandRefusalCode.NotWritable => "not_writable",
        CommandRefusalCode.Value => "value",
        CommandRefusalCode.OutOfRange => "out_of_range",
        CommandRefusalCode.ValueNotAllowed => "value_not_allowed",
        CommandRefusalCode.Expect => "expect",
        CommandRefusalCode.RateLimited => "rate_limited",
        _ => throw new InvalidOperationException($"Unhandled refusal code {Code}."),
    };
}
