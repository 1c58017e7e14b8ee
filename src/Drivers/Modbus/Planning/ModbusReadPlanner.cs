namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Coalesces a device's tags into the fewest read requests (Telegraf request.go's <c>max_insert</c> strategy): per table,
/// in address order, a tag joins the current request when the unused span before it is at most <c>maxGap</c> and the
/// request stays within <c>maxBlock</c>. A tag is never split across requests. Bit tables use 16 bits per register of
/// either limit, capped at 2000 bits (AP §6.1). Pure: no I/O, no state, so it is tested on its own.
/// </summary>
internal static class ModbusReadPlanner
{
    public static IReadOnlyList<ModbusReadBlock> Plan(IEnumerable<ModbusPlannedPoint> points, int maxBlock, int maxGap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlock, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBlock, ModbusLimits.MaxReadRegisters);
        ArgumentOutOfRangeException.ThrowIfNegative(maxGap);
        var blocks = new List<ModbusReadBlock>();
        foreach (IGrouping<ModbusTable, ModbusPlannedPoint> table in points.GroupBy(p => p.Table).OrderBy(g => g.Key))
        {
            bool bits = ModbusTableInfo.IsBitTable(table.Key);
            int blockLimit = bits ? Math.Min(ModbusLimits.MaxReadBits, maxBlock * 16) : maxBlock;
            int gapLimit = bits ? maxGap * 16 : maxGap;
            var current = new List<ModbusPlannedPoint>();
            int start = 0;
            int end = 0;
            foreach (ModbusPlannedPoint point in table.OrderBy(p => p.Start).ThenBy(p => p.TagIndex))
            {
                if (current.Count > 0 && point.Start - end <= gapLimit && Math.Max(end, point.End) - start <= blockLimit)
                {
                    current.Add(point);
                    end = Math.Max(end, point.End);
                    continue;
                }

                if (current.Count > 0)
                {
                    blocks.Add(new ModbusReadBlock(table.Key, (ushort)start, end - start, current));
                }

                current = [point];
                start = point.Start;
                end = point.End;
            }

            if (current.Count > 0)
            {
                blocks.Add(new ModbusReadBlock(table.Key, (ushort)start, end - start, current));
            }
        }

        return blocks;
    }

    /// <summary>
    /// Halves a block that the device refused with IllegalDataAddress (02): each half covers only its own tags, so the
    /// gap that contained the missing address is no longer read. Repeated, it isolates the bad tag in log2(n) steps.
    /// </summary>
    public static (ModbusReadBlock Left, ModbusReadBlock Right) Split(ModbusReadBlock block)
    {
        if (block.Points.Count < 2)
        {
            throw new ArgumentException("a block with one tag cannot be split", nameof(block));
        }

        ModbusPlannedPoint[] sorted = [.. block.Points.OrderBy(p => p.Start).ThenBy(p => p.TagIndex)];
        int half = sorted.Length / 2;
        return (Cover(block.Table, sorted[..half]), Cover(block.Table, sorted[half..]));
    }

    private static ModbusReadBlock Cover(ModbusTable table, ModbusPlannedPoint[] points)
    {
        int start = points.Min(p => p.Start);
        int end = points.Max(p => p.End);
        return new ModbusReadBlock(table, (ushort)start, end - start, points);
    }
}
