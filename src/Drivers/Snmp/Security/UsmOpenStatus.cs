namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>Outcome of checking and decrypting an incoming v3 message for a user (RFC 3414 §3.2 steps 5–8).</summary>
internal enum UsmOpenStatus
{
    Ok,

    /// <summary>The message's level is not what the user is configured for (usmStatsUnsupportedSecLevels).</summary>
    UnsupportedSecurityLevel,

    /// <summary>The MAC is wrong: wrong password or protocol, or a forged or altered message (usmStatsWrongDigests).</summary>
    WrongDigest,

    /// <summary>The ciphertext could not be decrypted into a ScopedPDU (usmStatsDecryptionErrors).</summary>
    DecryptionError,
}
