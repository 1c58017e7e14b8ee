namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>SignatureData (OPC 10000-4 §7.32): algorithm URI and signature bytes.</summary>
public sealed record UaSignatureData(string? Algorithm, byte[]? Signature)
{
    public static UaSignatureData Empty { get; } = new(null, null);

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteString(Algorithm);
        writer.WriteByteString(Signature);
    }

    public static UaSignatureData Decode(ref UaBinaryReader reader)
    {
        string? algorithm = reader.ReadString();
        return new UaSignatureData(algorithm, reader.ReadByteString());
    }
}
