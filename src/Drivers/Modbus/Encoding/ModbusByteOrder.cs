namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Byte order of multi-register values, named as Telegraf does; for value bytes A (most significant) … D (or H):
/// ABCD big-endian; CDAB registers in reverse order (64-bit GH EF CD AB); BADC bytes swapped within each register;
/// DCBA little-endian. For 16-bit values BADC and DCBA swap the two bytes, ABCD and CDAB leave them.
/// Each order is its own inverse, so one permutation serves decoding and encoding.
/// </summary>
public enum ModbusByteOrder : byte
{
    ABCD,
    CDAB,
    BADC,
    DCBA,
}
