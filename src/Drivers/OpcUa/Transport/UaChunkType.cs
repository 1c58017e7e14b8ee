namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The fourth header byte: final chunk, intermediate chunk, or abort (OPC 10000-6 §6.7.2.2).</summary>
public enum UaChunkType : byte
{
    Final = (byte)'F',
    Intermediate = (byte)'C',
    Abort = (byte)'A',
}
