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
}
