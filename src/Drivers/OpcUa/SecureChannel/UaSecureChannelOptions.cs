namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Tuning of one secure channel.</summary>
/// <param name="RequestedLifetime">Token lifetime asked for in OpenSecureChannel; renewed at 75 % of the revised value.</param>
/// <param name="Limits">Buffer and message sizes offered in Hello.</param>
/// <param name="EncodingLimits">Decoder bounds for responses.</param>
public sealed record UaSecureChannelOptions(TimeSpan RequestedLifetime, UaTransportLimits Limits, UaEncodingLimits EncodingLimits)
{
    public static UaSecureChannelOptions Default { get; } = new(TimeSpan.FromHours(1), UaTransportLimits.Default, UaEncodingLimits.Default);
}
