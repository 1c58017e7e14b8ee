namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>
/// The rules for a group, edge node, device or host id (§4.1.1, tck-id-topic-structure-namespace-valid-*): a
/// non-empty UTF-8 string that is one topic level, so no <c>/</c>, and no MQTT wildcard <c>+</c> or <c>#</c>. Hosts
/// trip over punctuation (§6.4.6 lists what to avoid), so we accept the conservative alphabet
/// <c>[A-Za-z0-9 _.-]</c> and say so when a technician writes something else.
/// </summary>
internal static class SparkplugIdentifier
{
    /// <summary>Null when <paramref name="id"/> is valid, else why not (for a configuration problem).</summary>
    public static string? Problem(string id)
    {
        if (id.Length == 0)
        {
            return "is empty";
        }

        foreach (char c in id)
        {
            if (c is '/' or '+' or '#')
            {
                return $"'{id}' contains '{c}', which cannot appear in a Sparkplug id (it is one MQTT topic level and no wildcard)";
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is ' ' or '_' or '.' or '-'))
            {
                return $"'{id}' contains '{c}'; use letters, digits, space, '_', '.' and '-' (Sparkplug hosts mishandle other punctuation)";
            }
        }

        if (id[0] == ' ' || id[^1] == ' ')
        {
            return $"'{id}' starts or ends with a space";
        }

        return null;
    }
}
