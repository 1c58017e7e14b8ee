namespace SmartCity.Edge.Drivers;

public enum TagValueKind : byte
{
    /// <summary>No value: a bad-quality reading that never produced one.</summary>
    None = 0,
    Boolean,
    Int64,
    UInt64,
    Double,
    String,

    /// <summary>
    /// A 32-bit float as the device sent it (Modbus float32 registers, OPC UA Float): kept at its own precision and
    /// written upstream as the shortest text that reads back to the same float (<c>24.864313</c>, not the widened
    /// <c>24.86431312561035</c>).
    /// </summary>
    Float32,
}
