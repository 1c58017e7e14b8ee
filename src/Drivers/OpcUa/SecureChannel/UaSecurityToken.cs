namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>ChannelSecurityToken (OPC 10000-4 §5.5.2.2) plus the keys derived for it and when we received it.</summary>
internal sealed record UaSecurityToken(uint ChannelId, uint TokenId, DateTime CreatedAt, uint RevisedLifetime, object? Keys, DateTimeOffset ReceivedAt);
