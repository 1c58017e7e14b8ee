namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Seeded damage for the parser fuzz tests: a quarter of the replies intact, the rest cut, extended, bit-flipped, turned into an exception reply, or noise.</summary>
internal static class ModbusReplyMutator
{
    /// <param name="random">The seeded source.</param>
    /// <param name="reply">A valid reply PDU.</param>
    /// <param name="exceptionFunction">The function byte of an exception reply to this request (function | 0x80).</param>
    /// <param name="noise">Makes the noise case (length and optional prefix are the caller's).</param>
    public static byte[] Mutate(Random random, byte[] reply, byte exceptionFunction, Func<Random, byte[]> noise)
    {
        switch (random.Next(8))
        {
            case 0 or 1:
                return reply;
            case 2:
                return reply[..random.Next(reply.Length)];
            case 3:
                byte[] longer = new byte[reply.Length + random.Next(1, 4)];
                random.NextBytes(longer);
                reply.CopyTo(longer, 0);
                return longer;
            case 4:
                byte[] flipped = (byte[])reply.Clone();
                flipped[random.Next(flipped.Length)] ^= (byte)(1 + random.Next(255));
                return flipped;
            case 5:
                return [exceptionFunction, (byte)random.Next(256)];
            default:
                return noise(random);
        }
    }
}
