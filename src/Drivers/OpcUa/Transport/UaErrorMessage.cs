namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Error (OPC 10000-6 §7.1.2.5), the body after the 8-byte header: <c>[Error UInt32 StatusCode][Reason String]</c>.
/// The same layout is the body of an abort chunk (§6.7.2.4). The server closes the socket after ERR.
/// </summary>
public readonly record struct UaErrorMessage(UaStatusCode Error, string? Reason)
{
    /// <summary>Reads the body; a truncated or malformed body throws <see cref="UaDecodingException"/>.</summary>
    public static UaErrorMessage Read(ReadOnlySpan<byte> body)
    {
        var reader = new UaBinaryReader(body, new UaEncodingLimits(4096, 0, 1));
        UaStatusCode error = reader.ReadStatusCode();
        return new UaErrorMessage(error, reader.ReadString());
    }

    public override string ToString() => string.IsNullOrEmpty(Reason) ? Error.Name : $"{Error.Name} ({Reason})";
}
