using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: per metric family one <c># HELP</c> and one <c># TYPE</c>
/// line, then its samples <c>name{label="value"} number</c>. Label values escape <c>\</c>, <c>"</c> and newline;
/// numbers use the invariant culture and <c>+Inf</c>/<c>-Inf</c>/<c>NaN</c> (format spec, "Text format details").
/// Small enough that prometheus-net is not worth its start-up and memory.
/// </summary>
internal sealed class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);

    /// <summary>Starts a metric family; <paramref name="type"/> is counter, gauge or histogram.</summary>
    public void Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"");
                AppendEscaped(labels[i].Value);
                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    public override string ToString() => _text.ToString();

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void AppendEscaped(string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }
}
