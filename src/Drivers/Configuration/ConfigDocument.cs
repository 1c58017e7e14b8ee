using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Parses YAML text into a root <see cref="ConfigSection"/>, turning syntax errors into located problems.</summary>
public static class ConfigDocument
{
    /// <summary>Returns the root mapping, or null after reporting why the text is not a usable YAML mapping.</summary>
    public static ConfigSection? Parse(string text, ConfigContext context)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        var scanner = new Scanner(reader);
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 throws these instead of a YamlException for some malformed text (both found by fuzzing:
            // its scanner's InvalidOperationException on ":\n{\n\x01", its node loader's "current event is of an
            // unsupported type" ArgumentException): still a syntax error of the file, reported where the scanner stopped.
            Mark at = scanner.CurrentPosition;
            context.Problems.Add(new ConfigLocation(context.File, (int)at.Line, (int)at.Column), string.Empty, $"YAML syntax error: the text cannot be read as YAML here ({ex.Message}); check quoting, brackets and stray control characters");
            return null;
        }
        catch (YamlException ex)
        {
            // YamlDotNet's message repeats the position; keep only its explanation.
            string message = ex.InnerException?.Message ?? ex.Message;
            int cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            context.Problems.Add(new ConfigLocation(context.File, (int)ex.Start.Line, (int)ex.Start.Column), string.Empty, "YAML syntax error: " + message);
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            context.Problems.Add(new ConfigLocation(context.File, 1, 1), string.Empty, "the file is empty");
            return null;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            YamlNode node = stream.Documents[0].RootNode;
            context.Problems.Add(new ConfigLocation(context.File, (int)node.Start.Line, (int)node.Start.Column), string.Empty, "the file must be a mapping with gateway:, devices:, alarms:, buffer: and upstream: sections");
            return null;
        }

        return new ConfigSection(root, string.Empty, context);
    }
}
