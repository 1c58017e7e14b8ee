namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>What the planner needs of a tag: where it lies and how many registers (or bits) it spans.</summary>
/// <param name="TagIndex">Index of the tag in the device's configuration.</param>
/// <param name="Table">Its table.</param>
/// <param name="Start">First register or bit.</param>
/// <param name="Length">Registers (register tables) or bits (bit tables) it spans; never split across requests.</param>
internal readonly record struct ModbusPlannedPoint(int TagIndex, ModbusTable Table, ushort Start, int Length)
{
    public int End => Start + Length;
}
