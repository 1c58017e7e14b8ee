namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Downgrade protection (OPC 10000-4 §5.6.2, CreateSession <c>serverEndpoints</c>): GetEndpoints travels on an
/// unsecured channel, so an active attacker can strip the strongest endpoints (or the encrypted user token policies)
/// from it and make the client choose a weaker one. The server repeats its endpoint list in the CreateSession response,
/// which is signed on the secured channel; the client compares the two and refuses the session when they differ.
/// </summary>
/// <remarks>
/// Compared are the fields the specification names for this check — server ApplicationUri, endpointUrl, securityMode,
/// securityPolicyUri, userIdentityTokens, transportProfileUri and securityLevel — as multisets (the order is not
/// specified). Certificates are not compared: servers may leave them out of CreateSession (node-opcua does); the
/// certificate of the chosen endpoint is checked separately.
/// </remarks>
internal static class UaDiscoveryCheck
{
    private const string StandardPrefix = "http://opcfoundation.org/UA/SecurityPolicy#";

    /// <summary>Null when both lists describe the same endpoints; else what differs, for the refusal message.</summary>
    public static string? Compare(IReadOnlyList<UaEndpointDescription> discovered, IReadOnlyList<UaEndpointDescription> signed)
    {
        List<string> unsigned = discovered.Select(Describe).Order(StringComparer.Ordinal).ToList();
        List<string> confirmed = signed.Select(Describe).Order(StringComparer.Ordinal).ToList();
        if (unsigned.SequenceEqual(confirmed, StringComparer.Ordinal))
        {
            return null;
        }

        // Multiset differences, one entry per surplus occurrence, told by their policy and mode.
        List<UaEndpointDescription> missing = [.. signed];
        List<UaEndpointDescription> extra = [];
        foreach (UaEndpointDescription endpoint in discovered)
        {
            int match = missing.FindIndex(e => Describe(e) == Describe(endpoint));
            if (match >= 0)
            {
                missing.RemoveAt(match);
            }
            else
            {
                extra.Add(endpoint);
            }
        }

        string[] left = missing.Select(Label).Distinct().ToArray();
        string[] added = extra.Select(Label).Distinct().ToArray();
        string[] changed = left.Intersect(added).ToArray();
        var parts = new List<string>(3);
        if (left.Except(changed).ToArray() is { Length: > 0 } leftOut)
        {
            parts.Add("left out of GetEndpoints: " + string.Join(", ", leftOut));
        }

        if (changed.Length > 0)
        {
            parts.Add("changed in GetEndpoints (user token policies, security level, URL or application): " + string.Join(", ", changed));
        }

        if (added.Except(changed).ToArray() is { Length: > 0 } unconfirmed)
        {
            parts.Add("not confirmed by CreateSession: " + string.Join(", ", unconfirmed));
        }

        return string.Join("; ", parts);
    }

    private static string Label(UaEndpointDescription endpoint) => $"{Policy(endpoint.SecurityPolicyUri).TrimStart('#', ' ')}/{endpoint.SecurityMode}";

    /// <summary>A comparable text of the checked fields, e.g. <c>#Basic256Sha256/SignAndEncrypt level 10 opc.tcp://… users [anonymous:0, username:1#Basic256Sha256]</c>.</summary>
    private static string Describe(UaEndpointDescription endpoint)
    {
        IEnumerable<string> tokens = endpoint.UserIdentityTokens.Select(t =>
            $"{t.TokenType.ToString().ToLowerInvariant()}:{t.PolicyId}{Policy(t.SecurityPolicyUri)}" +
            (t.IssuedTokenType is null && t.IssuerEndpointUrl is null ? string.Empty : $"({t.IssuedTokenType},{t.IssuerEndpointUrl})"));
        return $"{Policy(endpoint.SecurityPolicyUri)}/{endpoint.SecurityMode} level {endpoint.SecurityLevel} {endpoint.EndpointUrl} " +
            $"{endpoint.TransportProfileUri} app {endpoint.Server.ApplicationUri} users [{string.Join(", ", tokens)}]";
    }

    /// <summary>
    /// A standard policy URI as <c>#Name</c>, any other in full (it contains "://", so the two forms never collide);
    /// null and empty alike ("use the endpoint's policy").
    /// </summary>
    private static string Policy(string? uri) =>
        string.IsNullOrEmpty(uri) ? string.Empty
        : uri.StartsWith(StandardPrefix, StringComparison.Ordinal) ? "#" + uri[StandardPrefix.Length..]
        : " " + uri;
}
