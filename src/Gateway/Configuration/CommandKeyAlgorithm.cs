namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The JWS algorithm (RFC 7518 §3.1) a command key verifies; a token naming another is refused.</summary>
public enum CommandKeyAlgorithm
{
    /// <summary>ECDSA P-256 with SHA-256: the desk keeps the private key, the gateway holds only the public key.</summary>
    ES256,

    /// <summary>HMAC SHA-256 with a shared secret of at least 32 bytes (RFC 7518 §3.2).</summary>
    HS256,
}
