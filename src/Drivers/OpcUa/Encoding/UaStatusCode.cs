namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// An OPC UA StatusCode (OPC 10000-4 §7.34, encoded as UInt32 per 10000-6 §5.2.2.16). The top two bits give the
/// severity: 00 Good, 01 Uncertain, 10/11 Bad.
/// </summary>
public readonly record struct UaStatusCode(uint Code)
{
    public static UaStatusCode Good => default;

    public bool IsGood => (Code & 0xC0000000) == 0;

    public bool IsUncertain => (Code & 0xC0000000) == 0x40000000;

    public bool IsBad => (Code & 0x80000000) != 0;

    public string Name => UaStatusCodes.GetName(Code);

    public static implicit operator UaStatusCode(uint code) => new(code);

    public override string ToString() => Name;
}
