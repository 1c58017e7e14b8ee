namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>A service request: its DefaultBinary encoding id and the fields after the RequestHeader.</summary>
public interface IUaRequest
{
    uint TypeId { get; }

    void Encode(UaBinaryWriter writer);
}

/// <summary>A service response: its encoding id and a decoder for the fields after the ResponseHeader.</summary>
public interface IUaResponse<TSelf>
    where TSelf : IUaResponse<TSelf>
{
    static abstract uint TypeId { get; }

    static abstract TSelf Decode(ref UaBinaryReader reader, UaResponseHeader header);
}
