using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Drivers.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// A configuration file made fit for a support ticket: the value of every key that holds a secret (<c>password</c>,
/// <c>secret</c>, <c>token</c>, SNMP <c>community</c>, …) and the query of every <c>url</c> are replaced by
/// <see cref="Marker"/> in the text as written, comments and layout kept. A <c>${NAME}</c> or <c>${file:PATH}</c>
/// reference stays as written (it says where the secret comes from, not what it is), but its value is read so that
/// <see cref="Scrub"/> can take it out of every other file of the bundle (logs, status, metrics) too: anything
/// substituted is a secret until proven otherwise, as in the configuration loader's messages.
/// </summary>
internal sealed partial class ConfigRedaction
{
    public const string Marker = "<redacted>";

    /// <summary>Shorter values are not scrubbed from other files: "1" or "on" would blank out half a log.</summary>
    private const int MinScrubLength = 4;

    private readonly List<string> _secrets = [];

    private ConfigRedaction(string text) => Text = text;

    /// <summary>The configuration with its secrets replaced by <see cref="Marker"/>.</summary>
    public string Text { get; private set; }

    /// <summary>How many values were replaced in <see cref="Text"/>.</summary>
    public int Redacted { get; private set; }

    /// <summary>Redacts <paramref name="yaml"/>; <paramref name="baseDirectory"/> resolves relative <c>${file:}</c> paths.</summary>
    public static ConfigRedaction Redact(string yaml, string baseDirectory)
    {
        var redaction = new ConfigRedaction(yaml);
        var spans = new List<(int Start, int End, string Replacement)>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new NestingLimitedParser(new Parser(new Scanner(new StringReader(yaml), skipComments: true)), ConfigDocument.MaxNesting));
            foreach (YamlDocument document in stream.Documents)
            {
                redaction.Walk(document.RootNode, key: null, baseDirectory, spans);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not valid YAML (often why the ticket is written): redact line by line instead.
            redaction.Text = redaction.RedactLines(yaml);
            return redaction;
        }

        var text = new StringBuilder(yaml);
        foreach ((int start, int end, string replacement) in spans.OrderByDescending(s => s.Start))
        {
            text.Remove(start, end - start).Insert(start, replacement);
        }

        redaction.Redacted = spans.Count;
        redaction.Text = text.ToString();
        return redaction;
    }

    /// <summary><paramref name="text"/> with every secret value seen in the configuration replaced by <see cref="Marker"/>.</summary>
    public string Scrub(string text)
    {
        foreach (string secret in _secrets.Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Marker, StringComparison.Ordinal);
            // As a JSON string carries it (the status JSON, a JSON log line): quotes and backslashes escaped.
            string escaped = JsonEncodedText.Encode(secret).ToString();
            if (escaped != secret)
            {
                text = text.Replace(escaped, Marker, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Key names whose value is a secret, in any section and at any depth.</summary>
    public static bool IsSecretKey(string key) =>
        key is "password" or "secret" or "token" or "community" or "passphrase" or "private_key"
        || key.EndsWith("_password", StringComparison.Ordinal)
        || key.EndsWith("_secret", StringComparison.Ordinal)
        || key.EndsWith("_token", StringComparison.Ordinal)
        || key.EndsWith("_community", StringComparison.Ordinal);

    private void Walk(YamlNode node, string? key, string baseDirectory, List<(int, int, string)> spans)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach ((YamlNode childKey, YamlNode child) in mapping.Children)
                {
                    Walk(child, (childKey as YamlScalarNode)?.Value, baseDirectory, spans);
                }

                break;
            case YamlSequenceNode sequence:
                foreach (YamlNode item in sequence.Children)
                {
                    Walk(item, key, baseDirectory, spans);
                }

                break;
            case YamlScalarNode scalar:
                string value = scalar.Value ?? string.Empty;
                AddReferencedValues(value, baseDirectory);
                if (key is not null && IsSecretKey(key) && !IsOnlyReference(value) && value.Length > 0)
                {
                    Remember(value);
                    spans.Add(Span(scalar, Marker));
                }
                else if (key is "url" && value.IndexOf('?', StringComparison.Ordinal) is var query and >= 0 && !IsOnlyReference(value))
                {
                    // A webhook's query often carries its access key (?code=…, ?token=…).
                    Remember(value[(query + 1)..]);
                    spans.Add(Span(scalar, value[..(query + 1)] + Marker));
                }

                break;
        }
    }

    private static (int, int, string) Span(YamlScalarNode scalar, string replacement)
    {
        int start = (int)scalar.Start.Index;
        int end = (int)scalar.End.Index;
        // A quoted or block value is replaced whole; the marker needs no quotes.
        return (start, end, replacement);
    }

    private void Remember(string value)
    {
        if (value.Length >= MinScrubLength)
        {
            _secrets.Add(value);
        }
    }

    /// <summary>Reads what each <c>${NAME}</c> / <c>${file:PATH}</c> in <paramref name="value"/> stands for, to scrub it elsewhere.</summary>
    private void AddReferencedValues(string value, string baseDirectory)
    {
        foreach (Match reference in Reference().Matches(value))
        {
            string name = reference.Groups["name"].Value;
            string? secret = name.StartsWith(SecretFile.Prefix, StringComparison.Ordinal)
                ? SecretFile.Read(name[SecretFile.Prefix.Length..], baseDirectory, out _)
                : Environment.GetEnvironmentVariable(name);
            if (secret is not null)
            {
                Remember(secret);
            }
        }
    }

    private static bool IsOnlyReference(string value) => Reference().Match(value) is { Success: true } match && match.Length == value.Length;

    /// <summary>The fallback for a file that is not valid YAML: <c>key: value</c> lines (block or flow) with a secret key.</summary>
    private string RedactLines(string yaml) => SecretPair().Replace(yaml, match =>
    {
        string value = match.Groups["value"].Value.Trim();
        if (IsOnlyReference(value.Trim('"', '\'')))
        {
            return match.Value;
        }

        Remember(value.Trim('"', '\''));
        Redacted++;
        return match.Groups["key"].Value + Marker;
    });

    [GeneratedRegex(@"(?<!\$)\$\{(?<name>[^}]*)\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<key>\b(?:[a-z_]*_)?(?:password|secret|token|community|passphrase|private_key)\s*:[ \t]*)(?<value>""[^""\n]*""|'[^'\n]*'|[^,}\n#]*[^,}\n# \t])")]
    private static partial Regex SecretPair();
}
