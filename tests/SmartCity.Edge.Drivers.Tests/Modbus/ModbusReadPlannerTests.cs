using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>The pure coalescing planner.</summary>
public sealed class ModbusReadPlannerTests
{
    private static ModbusPlannedPoint P(int tag, ModbusTable table, int start, int length) => new(tag, table, (ushort)start, length);

    [Fact]
    public void Plan_GapWithinMaxGap_MergesIntoOneRequest()
    {
        IReadOnlyList<ModbusReadBlock> plan = ModbusReadPlanner.Plan([P(0, ModbusTable.HoldingRegister, 100, 2), P(1, ModbusTable.HoldingRegister, 112, 2)], 125, 10);
        ModbusReadBlock block = Assert.Single(plan);
        Assert.Equal((ushort)100, block.Start);
        Assert.Equal(14, block.Count);
    }

    [Fact]
    public void Plan_GapOverMaxGap_SplitsRequests()
    {
        IReadOnlyList<ModbusReadBlock> plan = ModbusReadPlanner.Plan([P(0, ModbusTable.HoldingRegister, 100, 2), P(1, ModbusTable.HoldingRegister, 113, 2)], 125, 10);
        Assert.Equal(2, plan.Count);
    }

    [Fact]
    public void Plan_MaxBlock_LimitsRequestSizeWithoutSplittingAValue()
    {
        // Four float64 values back to back, max_block 10: 8 registers fit, the third value would make 12.
        ModbusPlannedPoint[] points = [.. Enumerable.Range(0, 4).Select(i => P(i, ModbusTable.HoldingRegister, 4 * i, 4))];
        IReadOnlyList<ModbusReadBlock> plan = ModbusReadPlanner.Plan(points, 10, 10);
        Assert.Equal([(0, 8), (8, 8)], plan.Select(b => ((int)b.Start, b.Count)));
    }

    [Fact]
    public void Plan_TablesNeverMix_AndOverlappingTagsShareARequest()
    {
        IReadOnlyList<ModbusReadBlock> plan = ModbusReadPlanner.Plan(
            [P(0, ModbusTable.HoldingRegister, 5, 1), P(1, ModbusTable.InputRegister, 5, 1), P(2, ModbusTable.HoldingRegister, 5, 1), P(3, ModbusTable.Coil, 5, 1)], 125, 10);
        Assert.Equal([ModbusTable.Coil, ModbusTable.HoldingRegister, ModbusTable.InputRegister], plan.Select(b => b.Table));
        Assert.Equal(2, plan[1].Points.Count);
        Assert.Equal(1, plan[1].Count);
    }

    [Fact]
    public void Plan_BitTables_Use16BitsPerRegisterCappedAt2000()
    {
        IReadOnlyList<ModbusReadBlock> plan = ModbusReadPlanner.Plan([P(0, ModbusTable.Coil, 0, 1), P(1, ModbusTable.Coil, 160, 1), P(2, ModbusTable.Coil, 1999, 1), P(3, ModbusTable.Coil, 2000, 1)], 125, 125);
        Assert.Equal([(0, 2000), (2000, 1)], plan.Select(b => ((int)b.Start, b.Count)));
        Assert.Equal(2, ModbusReadPlanner.Plan([P(0, ModbusTable.DiscreteInput, 0, 1), P(1, ModbusTable.DiscreteInput, 162, 1)], 125, 10).Count);
    }

    [Fact]
    public void Plan_MaxGapZero_MergesOnlyAdjacentTags()
    {
        IReadOnlyList<ModbusReadBlock> plan = ModbusReadPlanner.Plan([P(0, ModbusTable.HoldingRegister, 0, 2), P(1, ModbusTable.HoldingRegister, 2, 2), P(2, ModbusTable.HoldingRegister, 5, 1)], 125, 0);
        Assert.Equal([(0, 4), (5, 1)], plan.Select(b => ((int)b.Start, b.Count)));
    }

    [Fact]
    public void Split_RepeatedOnTheHalfWithTheBadTag_IsolatesItInLog2Steps()
    {
        ModbusPlannedPoint[] points = [.. Enumerable.Range(0, 8).Select(i => P(i, ModbusTable.HoldingRegister, 500 + (2 * i), 1))];
        ModbusReadBlock block = Assert.Single(ModbusReadPlanner.Plan(points, 125, 10));
        int splits = 0;
        while (block.Points.Count > 1)
        {
            (ModbusReadBlock left, ModbusReadBlock right) = ModbusReadPlanner.Split(block);
            Assert.Equal(block.Points.Count, left.Points.Count + right.Points.Count);
            Assert.True(left.End <= right.Start);
            block = left.Points.Any(p => p.TagIndex == 5) ? left : right;
            splits++;
        }

        Assert.Equal(3, splits);
        Assert.Equal(5, block.Points[0].TagIndex);
        Assert.Equal((ushort)510, block.Start);
        Assert.Equal(1, block.Count);
    }

    [Fact]
    public void Split_SingleTag_Throws() =>
        Assert.Throws<ArgumentException>(() => ModbusReadPlanner.Split(new ModbusReadBlock(ModbusTable.Coil, 0, 1, [P(0, ModbusTable.Coil, 0, 1)])));
}
