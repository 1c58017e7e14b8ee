namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>One read request of a plan: <paramref name="Count"/> registers or bits from <paramref name="Start"/>, serving <paramref name="Points"/>.</summary>
internal sealed record ModbusReadBlock(ModbusTable Table, ushort Start, int Count, IReadOnlyList<ModbusPlannedPoint> Points)
{
    public int End => Start + Count;

    public override string ToString() => $"{ModbusTableInfo.Name(Table)}:{Start}+{Count} ({Points.Count} tags)";
}
