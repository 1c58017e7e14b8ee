using System.Globalization;

namespace SmartCity.Edge.Drivers.OpcUa;

public static partial class UaStatusCodes
{
    /// <summary>
    /// The symbolic name of a code (OPC 10000-4 §7.34): the table's name for its top 16 bits (the low bits are
    /// info flags such as Overflow or a limit), else "Good/Uncertain/Bad (0x…)" so an unknown code still says its severity.
    /// </summary>
    public static string GetName(uint code)
    {
        int index = Array.BinarySearch(s_codes, code & 0xFFFF0000);
        if (index >= 0)
        {
            return s_names[index];
        }

        string severity = (code >> 30) switch
        {
            0 => "Good",
            1 => "Uncertain",
            _ => "Bad",
        };
        return severity + "(0x" + code.ToString("X8", CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>Looks a symbolic name up (e.g. for tests and the CLI); false when the table does not have it.</summary>
    public static bool TryGetCode(string name, out uint code)
    {
        for (int i = 0; i < s_names.Length; i++)
        {
            if (string.Equals(s_names[i], name, StringComparison.Ordinal))
            {
                code = s_codes[i];
                return true;
            }
        }

        code = 0;
        return false;
    }
}
