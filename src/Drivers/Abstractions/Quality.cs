namespace SmartCity.Edge.Drivers;

/// <summary>How far a reading can be trusted. Mirrors the OPC UA severity bits (good / uncertain / bad).</summary>
public enum Quality : byte
{
    Good = 0,
    Uncertain = 1,
    Bad = 2,
}
