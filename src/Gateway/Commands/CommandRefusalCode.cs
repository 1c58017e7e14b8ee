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
}
