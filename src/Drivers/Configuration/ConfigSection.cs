using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Helpers;
using YamlDotNet.RepresentationModel;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// A YAML mapping being read into options. Every getter validates and reports problems with file, line, column
/// and key path instead of throwing, so one load lists every mistake. Keys read are remembered:
/// <see cref="ReportUnknownKeys"/> then flags the rest as typos, with a suggestion.
/// </summary>
public sealed class ConfigSection
{
    private readonly YamlMappingNode _node;

    // A handful of keys per mapping, and one mapping per tag of a 10,000-tag file: a list, not a hash set (whose
    // arrays made up a fifth of what loading such a file allocated).
    private readonly List<string> _known = new(4);

    /// <summary>Keys whose value came (partly) from <c>${…}</c>: no "did you mean" hint near a secret.</summary>
    private readonly HashSet<string> _substituted = new(StringComparer.Ordinal);

    /// <summary>Keys a problem was reported at: checks across keys skip them, so one mistake gives one message.</summary>
    private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);

    public ConfigSection(YamlMappingNode node, string path, ConfigContext context)
    {
        _node = node;
        Path = path;
        Context = context;
    }

    /// <summary>The key path of this mapping, e.g. <c>devices[1].tags[0]</c>.</summary>
    public string Path { get; }

    public ConfigContext Context { get; }

    public ConfigProblems Problems => Context.Problems;

    public ConfigLocation Location => At(_node.Start);

    public bool Has(string key)
    {
        Know(key);
        return Find(key) is not null;
    }

    /// <summary>True when <paramref name="key"/> holds a mapping: for keys that take a scalar shorthand or a block (<c>events: true</c> or <c>events: { … }</c>).</summary>
    public bool HasMapping(string key)
    {
        Know(key);
        return Find(key) is YamlMappingNode;
    }

    /// <summary>Records that <paramref name="key"/> is valid here without reading it (e.g. read elsewhere).</summary>
    public void Accept(params string[] keys)
    {
        foreach (string key in keys)
        {
            Know(key);
        }
    }

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Reports a problem at the value of <paramref name="key"/> (or at this mapping when the key is absent).</summary>
    public void Error(string key, string message)
    {
        YamlNode? value = Find(key);
        Report(value is null ? Location : At(value.Start), key, message);
    }

    /// <summary>
    /// False once a problem was reported at <paramref name="key"/> (its value is invalid, missing or of the wrong
    /// shape): a check that combines it with other keys would only repeat the mistake in other words, so it is skipped
    /// (<c>policy: basic256sha256</c> is one problem, not also "policy None needs mode None").
    /// </summary>
    public bool IsValid(string key) => !_invalid.Contains(key);

    public string? GetString(string key, string? defaultValue = null, bool required = false)
    {
        if (ReadScalar(key, required, "a text value") is not { } scalar)
        {
            return defaultValue;
        }

        // A failed substitution is reported; the default keeps callers that rely on one (text!.Trim()) from crashing.
        return Substitute(key, scalar) ?? defaultValue;
    }

    public string GetRequiredString(string key) => GetString(key, required: true) ?? string.Empty;

    public bool GetBoolean(string key, bool defaultValue)
    {
        if (ReadScalar(key, false, "true or false") is not { } scalar)
        {
            return defaultValue;
        }

        string? text = Substitute(key, scalar);
        switch (text)
        {
            case "true" or "True" or "yes" or "on": return true;
            case "false" or "False" or "no" or "off": return false;
            case null: return defaultValue;
            default:
                Error(key, $"'{text}' is not true or false");
                return defaultValue;
        }
    }

    public long GetInt64(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue, bool required = false)
    {
        if (ReadScalar(key, required, "a whole number") is not { } scalar || Substitute(key, scalar) is not { } text)
        {
            return defaultValue;
        }

        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        bool ok = hex
            ? long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long value)
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        if (!ok)
        {
            Error(key, $"'{text}' is not a whole number");
            return defaultValue;
        }

        if (value < min || value > max)
        {
            Error(key, $"{text} is out of range ({RangeText(min, max)})");
            return defaultValue;
        }

        return value;
    }

    public int GetInt32(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue, bool required = false) =>
        (int)GetInt64(key, defaultValue, min, max, required);

    public double GetDouble(string key, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool required = false) =>
        GetOptionalDouble(key, min, max, required) ?? defaultValue;

    public double? GetOptionalDouble(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool required = false)
    {
        if (ReadScalar(key, required, "a number") is not { } scalar || Substitute(key, scalar) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            Error(key, $"'{text}' is not a number");
            return null;
        }

        if (value < min || value > max)
        {
            Error(key, $"{text} is out of range ({RangeText(min, max)})");
            return null;
        }

        return value;
    }

    public TimeSpan GetDuration(string key, TimeSpan defaultValue, TimeSpan? min = null, TimeSpan? max = null, bool required = false) =>
        GetOptionalDuration(key, min, max, required) ?? defaultValue;

    public TimeSpan? GetOptionalDuration(string key, TimeSpan? min = null, TimeSpan? max = null, bool required = false)
    {
        if (ReadScalar(key, required, "a duration such as 500ms, 2s or 5m") is not { } scalar || Substitute(key, scalar) is not { } text)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out TimeSpan value))
        {
            Error(key, $"'{text}' is not a duration (write a number and a unit: 500ms, 2s, 5m, 1h)");
            return null;
        }

        if (min is { } lo && value < lo)
        {
            Error(key, $"{text} is too short (at least {DurationParser.Format(lo)})");
            return null;
        }

        if (max is { } hi && value > hi)
        {
            Error(key, $"{text} is too long (at most {DurationParser.Format(hi)})");
            return null;
        }

        return value;
    }

    public long GetSize(string key, long defaultValue, long min = 0, long max = long.MaxValue)
    {
        if (ReadScalar(key, false, "a size such as 512MiB or 1GiB") is not { } scalar || Substitute(key, scalar) is not { } text)
        {
            return defaultValue;
        }

        if (!SizeParser.TryParse(text, out long value))
        {
            Error(key, $"'{text}' is not a size (write a number and a unit: 64KiB, 512MiB, 1GiB)");
            return defaultValue;
        }

        if (value < min || value > max)
        {
            Error(key, $"{text} is out of range");
            return defaultValue;
        }

        return value;
    }

    /// <summary>
    /// Reads one of a fixed set of words, suggesting the nearest on a typo (compared without regard to case, so
    /// <c>FLOAT32</c> suggests <c>float32</c>). <paramref name="aliases"/> maps other accepted spellings to the one
    /// the documentation uses (<c>sign_and_encrypt</c> → <c>SignAndEncrypt</c>): they are accepted but never listed or
    /// suggested, so every message names one spelling.
    /// </summary>
    public T GetChoice<T>(string key, T defaultValue, IReadOnlyDictionary<string, T> choices, bool required = false, IReadOnlyDictionary<string, string>? aliases = null)
    {
        IEnumerable<string> names = aliases is null ? choices.Keys : choices.Keys.Where(k => !aliases.ContainsKey(k));
        if (ReadScalar(key, required, "one of ", names) is not { } scalar || Substitute(key, scalar) is not { } text)
        {
            return defaultValue;
        }

        if (choices.TryGetValue(text, out T? value))
        {
            return value;
        }

        string hint = string.Empty;
        if (!_substituted.Contains(key) && DidYouMean.Suggest(text, choices.Keys) is { } suggestion)
        {
            hint = $" (did you mean '{(aliases is not null && aliases.TryGetValue(suggestion, out string? canonical) ? canonical : suggestion)}'?)";
        }

        Error(key, $"'{text}' is not one of {string.Join(" | ", names)}{hint}");
        return defaultValue;
    }

    public ConfigSection? GetSection(string key, bool required = false) =>
        TryGetNode(key, required, "must be a mapping of keys (indented 'key: value' lines)", out YamlMappingNode? mapping)
            ? new ConfigSection(mapping, PathOf(key), Context)
            : null;

    public IReadOnlyList<ConfigSection> GetSectionList(string key, bool required = false)
    {
        if (!TryGetNode(key, required, "must be a list ('- ' items)", out YamlSequenceNode? sequence))
        {
            return [];
        }

        var sections = new List<ConfigSection>(sequence.Children.Count);
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode item)
            {
                sections.Add(new ConfigSection(item, $"{PathOf(key)}[{i}]", Context));
            }
            else
            {
                Problems.Add(At(sequence.Children[i].Start), $"{PathOf(key)}[{i}]", "must be a mapping of keys");
            }
        }

        return sections;
    }

    /// <summary>Reads a list of scalars (e.g. <c>outside: [10, 20]</c>), each substituted.</summary>
    public IReadOnlyList<string>? GetScalarList(string key, bool required = false)
    {
        if (!TryGetNode(key, required, "must be a list such as [1, 2]", out YamlSequenceNode? sequence))
        {
            return null;
        }

        var values = new List<string>(sequence.Children.Count);
        foreach (YamlNode child in sequence.Children)
        {
            if (child is YamlScalarNode scalar && Substitute(key, scalar) is { } text)
            {
                values.Add(text);
            }
            else
            {
                Report(At(child.Start), key, "list items must be plain values");
                return null;
            }
        }

        return values;
    }

    /// <summary>Every key of this mapping that no getter asked for is a typo or a key of another driver.</summary>
    public void ReportUnknownKeys()
    {
        foreach (KeyValuePair<YamlNode, YamlNode> entry in _node.Children)
        {
            if (entry.Key is not YamlScalarNode { Value: var scalar })
            {
                // YAML allows a mapping or a list as a key ("? id: x" or "{a: b}: c"); no key of ours is one (found by fuzzing).
                Problems.Add(At(entry.Key.Start), Path, $"a key must be a plain name, not a {(entry.Key is YamlSequenceNode ? "list" : "mapping")} (a stray '?' or braces?)");
                continue;
            }

            string key = scalar ?? string.Empty;
            if (!_known.Contains(key))
            {
                Report(At(entry.Key.Start), key, $"unknown key{DidYouMean.Hint(key, _known)}");
            }
        }
    }

    /// <summary>The location of a key's value, for problems found after reading (e.g. duplicate ids).</summary>
    public ConfigLocation LocationOf(string key) => Find(key) is { } node ? At(node.Start) : Location;

    /// <summary>
    /// Finds a mapping or list value, reporting a missing required key or a value of the wrong shape. An empty value
    /// (<c>key:</c> or <c>key: ~</c>) of an optional key counts as absent.
    /// </summary>
    private bool TryGetNode<TNode>(string key, bool required, string wrongShape, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TNode? node)
        where TNode : YamlNode
    {
        _known.Add(key);
        node = null;
        switch (Find(key))
        {
            case null:
                if (required)
                {
                    Report(Location, key, "is required");
                }

                return false;
            case TNode found:
                node = found;
                return true;
            case YamlScalarNode { Value: null or "" or "~" } when !required:
                return false;
            case YamlNode other:
                Report(At(other.Start), key, wrongShape);
                return false;
        }
    }

    /// <param name="choices">Appended to <paramref name="expected"/> in a message (built only when there is a problem to report).</param>
    private YamlScalarNode? ReadScalar(string key, bool required, string expected, IEnumerable<string>? choices = null)
    {
        Know(key);
        YamlNode? node = Find(key);
        switch (node)
        {
            case null:
                if (required)
                {
                    Report(Location, key, $"is required ({Expected(expected, choices)})");
                }

                return null;
            case YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" }:
                if (required)
                {
                    Report(At(node.Start), key, $"is empty (expected {Expected(expected, choices)})");
                }

                return null;
            case YamlScalarNode scalar:
                return scalar;
            default:
                Report(At(node.Start), key, $"expected {Expected(expected, choices)}, found a {(node is YamlSequenceNode ? "list" : "mapping")}");
                return null;
        }
    }

    private static string Expected(string expected, IEnumerable<string>? choices) => choices is null ? expected : expected + string.Join(", ", choices);

    /// <summary>
    /// Replaces <c>${NAME}</c> from the environment and <c>${file:PATH}</c> with the contents of a secret file; a missing
    /// variable or unreadable file is a problem naming it. <c>$${</c> escapes. A substituted value is recorded with
    /// <see cref="ConfigProblems.RecordSubstitution"/>, so no problem message ever shows it.
    /// </summary>
    private string? Substitute(string key, YamlScalarNode scalar)
    {
        string value = scalar.Value ?? string.Empty;
        if (!value.Contains('$', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        List<(string Reference, string Value)>? references = null;
        int i = 0;
        while (i < value.Length)
        {
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '$')
            {
                result.Append('$');
                i += 2;
                continue;
            }

            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '{')
            {
                int end = value.IndexOf('}', i + 2);
                if (end < 0)
                {
                    Report(At(scalar.Start), key, "unterminated '${' (write ${NAME})");
                    return null;
                }

                string name = value[(i + 2)..end];
                string? replacement;
                if (name.StartsWith(SecretFile.Prefix, StringComparison.Ordinal))
                {
                    replacement = SecretFile.Read(name[SecretFile.Prefix.Length..], Context.BaseDirectory, out string? error);
                    if (replacement is null)
                    {
                        Report(At(scalar.Start), key, error!);
                        return null;
                    }
                }
                else
                {
                    if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    {
                        Report(At(scalar.Start), key, $"'${{{name}}}' is not a valid environment variable reference");
                        return null;
                    }

                    replacement = Context.Environment(name);
                    if (replacement is null)
                    {
                        Report(At(scalar.Start), key, $"environment variable '{name}' is not set");
                        return null;
                    }
                }

                (references ??= []).Add((value[i..(end + 1)], replacement));
                result.Append(replacement);
                i = end + 1;
                continue;
            }

            result.Append(value[i]);
            i++;
        }

        string expanded = result.ToString();
        if (references is not null)
        {
            Problems.RecordSubstitution(value, expanded, references);
            _substituted.Add(key);
        }

        return expanded;
    }

    private YamlNode? Find(string key)
    {
        // By index: a foreach over the interface would allocate an enumerator per lookup.
        IOrderedDictionary<YamlNode, YamlNode> children = _node.Children;
        for (int i = 0; i < children.Count; i++)
        {
            KeyValuePair<YamlNode, YamlNode> entry = children[i];
            if (entry.Key is YamlScalarNode { Value: { } name } && name == key)
            {
                return entry.Value;
            }
        }

        return null;
    }

    private void Know(string key)
    {
        if (!_known.Contains(key))
        {
            _known.Add(key);
        }
    }

    private void Report(ConfigLocation location, string key, string message)
    {
        _invalid.Add(key);
        Problems.Add(location, PathOf(key), message);
    }

    private ConfigLocation At(Mark mark) => new(Context.File, (int)mark.Line, (int)mark.Column);

    private static string RangeText(double min, double max) =>
        (double.IsInfinity(min) || min == long.MinValue, double.IsInfinity(max) || max == long.MaxValue) switch
        {
            (true, true) => "any",
            (true, false) => $"at most {max.ToString(CultureInfo.InvariantCulture)}",
            (false, true) => $"at least {min.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        };
}
