namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>gateway:</c> section.</summary>
/// <param name="Id">Gateway id, <c>[a-z0-9_-]+</c>; appears in topics and payloads.</param>
/// <param name="Site">Free text naming the park or site.</param>
/// <param name="DataDirectory">Absolute path of <c>data_dir</c> (relative paths are resolved against the config file's folder).</param>
public sealed record GatewayIdentity(string Id, string Site, string DataDirectory);
