namespace SmartCity.Edge.Gateway.Commands;

/// <summary>Why a command was refused; the wire name goes into the result's <c>code</c> (docs/alarms.md).</summary>
internal enum CommandRefusalCode
{
    /// <summary><c>no_keys</c>: <c>commands.keys</c> is empty, so no command can be verified.</summary>
    NoKeys,

    /// <summary><c>unsigned</c>: plain JSON where a signed token is required.</summary>
    Unsigned,

    /// <summary><c>too_large</c>: the payload is longer than any command token.</summary>
    TooLarge,

    /// <summary><c>malformed</c>: not a compact JWS (three base64url parts), or its header is not a JSON object.</summary>
    Malformed,

    /// <summary><c>unknown_key</c>: the header names no key, or one not in <c>commands.keys</c>.</summary>
    UnknownKey,

    /// <summary><c>algorithm</c>: <c>alg: none</c>, or another algorithm than the named key's.</summary>
    Algorithm,

    /// <summary><c>signature</c>: the signature does not verify with the named key.</summary>
    Signature,

    /// <summary><c>claims</c>: a claim is missing, of the wrong type, too long, or does not fit the topic.</summary>
    Claims,

    /// <summary><c>expired</c>: <c>exp</c> is past, beyond the clock skew tolerance.</summary>
    Expired,

    /// <summary><c>not_yet_valid</c>: <c>iat</c> is in the future, beyond the clock skew tolerance.</summary>
    NotYetValid,

    /// <summary><c>lifetime</c>: <c>exp - iat</c> is longer than <c>commands.max_lifetime</c>.</summary>
    Lifetime,

    /// <summary><c>not_allowed</c>: the key's <c>allow:</c> list does not cover this command and target.</summary>
    NotAllowed,

    /// <summary><c>replayed</c>: a command with this <c>jti</c> from this key was already executed.</summary>
    Replayed,

    /// <summary><c>occurrence</c>: the ack names another occurrence of the alarm than the current one.</summary>
    Occurrence,

    /// <summary><c>unknown_target</c>: a write names a device or tag that is not configured (or not running).</summary>
    UnknownTarget,

    /// <summary><c>not_writable</c>: the tag's configuration lacks <c>writable: true</c>, or its driver cannot write it (an input).</summary>
    NotWritable,

    /// <summary><c>value</c>: the value does not fit the tag's type (text for a number, 70000 for a uint16, 5 for a coil).</summary>
    Value,

    /// <summary><c>out_of_range</c>: the value is outside the tag's <c>min</c>/<c>max</c>.</summary>
    OutOfRange,

    /// <summary><c>value_not_allowed</c>: the value is not one of the tag's <c>allowed_values</c>.</summary>
    ValueNotAllowed,

    /// <summary><c>expect</c>: the tag does not hold the value the write's <c>expect</c> names (someone changed it meanwhile).</summary>
    Expect,

    /// <summary><c>rate_limited</c>: the tag's <c>rate_limit</c> is used up for now.</summary>
    RateLimited,
}
