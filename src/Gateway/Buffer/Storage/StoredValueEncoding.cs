namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>How a reading's value is stored: the low four bits of its head byte (<see cref="FrameBodyWriter"/>).</summary>
internal enum StoredValueEncoding : byte
{
    None = 0,
    False = 1,
    True = 2,

    /// <summary>An Int64 ≥ 0 as a varint.</summary>
    Int64 = 3,

    /// <summary>An Int64 &lt; 0 as the varint of its one's complement (−1 → 0).</summary>
    NegativeInt64 = 4,

    /// <summary>A UInt64 as a varint.</summary>
    UInt64 = 5,

    /// <summary>4 bytes, IEEE 754 binary32, little-endian.</summary>
    Float32 = 6,

    /// <summary>8 bytes, IEEE 754 binary64, little-endian.</summary>
    Float64 = 7,

    /// <summary>A varint byte length, then UTF-8.</summary>
    String = 8,

    /// <summary>A double that is a whole number in [0, 2^53], as a varint (a simulator's 20, a scaled 1500).</summary>
    Float64Integral = 9,

    /// <summary>A double that is a whole number in [−2^53, 0), as the varint of the one's complement of its integer.</summary>
    Float64NegativeIntegral = 10,
}
