namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A decoded SNMPv3 message before security processing: header fields, the USM parameters and msgData as received
/// (a plaintext ScopedPDU or the encrypted octets). Slices of the datagram; use it before the buffer is reused.
/// </summary>
internal readonly ref struct SnmpV3Envelope
{
    public int MsgId { get; init; }

    public int MsgMaxSize { get; init; }

    public SnmpV3Flags Flags { get; init; }

    public ReadOnlySpan<byte> EngineId { get; init; }

    public int EngineBoots { get; init; }

    public int EngineTime { get; init; }

    public ReadOnlySpan<byte> UserName { get; init; }

    public ReadOnlySpan<byte> AuthParameters { get; init; }

    /// <summary>Where <see cref="AuthParameters"/> starts in the message (the MAC is checked with it zeroed).</summary>
    public int AuthParametersOffset { get; init; }

    public ReadOnlySpan<byte> PrivParameters { get; init; }

    /// <summary>The ScopedPDU TLV (plaintext) or the encrypted octets, as <see cref="IsEncrypted"/> says.</summary>
    public ReadOnlySpan<byte> Data { get; init; }

    public bool IsEncrypted { get; init; }
}
