using System.Text;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Fills a trap rule's message template: <c>{device}</c>, <c>{trap}</c> (the trap OID), <c>{source}</c> (sender address)
/// and <c>{OID}</c> (that varbind's value; <c>?</c> when the trap does not carry it). Values are cut to 200 characters:
/// a trap's text must not flood the alarm.
/// </summary>
internal static class SnmpTrapMessage
{
    private const int MaxValueLength = 200;

    public static string Render(string template, string deviceId, SnmpNotification notification)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        var text = new StringBuilder(template.Length + 32);
        int position = 0;
        while (position < template.Length)
        {
            int open = template.IndexOf('{', position);
            int close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                text.Append(template, position, template.Length - position);
                break;
            }

            text.Append(template, position, open - position);
            string key = template[(open + 1)..close];
            text.Append(key switch
            {
                "device" => deviceId,
                "trap" => notification.TrapOid.ToString(),
                "source" => notification.Source.Address.ToString(),
                _ => VarBindText(key, notification),
            });
            position = close + 1;
        }

        return text.ToString();
    }

    private static string VarBindText(string key, SnmpNotification notification)
    {
        if (!SnmpOid.TryParse(key, out SnmpOid oid, out _))
        {
            return "{" + key + "}";
        }

        foreach (SnmpVarBind varBind in notification.VarBinds)
        {
            if (varBind.Oid == oid)
            {
                string value = varBind.Value.ValueText();
                return value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…";
            }
        }

        return "?";
    }
}
