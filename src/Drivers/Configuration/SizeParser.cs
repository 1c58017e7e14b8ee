namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Sizes like <c>512MiB</c>, <c>1GiB</c>, <c>100MB</c>, <c>64KiB</c>, <c>4096B</c>. A unit is required.</summary>
public static class SizeParser
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (!QuantityText.TrySplit(text, out double number, out string unit))
        {
            return false;
        }

        double factor;
        switch (unit)
        {
            case "B": factor = 1; break;
            case "KB": factor = 1e3; break;
            case "MB": factor = 1e6; break;
            case "GB": factor = 1e9; break;
            case "TB": factor = 1e12; break;
            case "KiB": factor = 1L << 10; break;
            case "MiB": factor = 1L << 20; break;
            case "GiB": factor = 1L << 30; break;
            case "TiB": factor = 1L << 40; break;
            default: return false;
        }

        double result = number * factor;
        if (result > long.MaxValue)
        {
            return false;
        }

        bytes = (long)result;
        return true;
    }
}
