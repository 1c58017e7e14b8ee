using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Parses YAML text into a root <see cref="ConfigSection"/>, turning every parser failure into a located problem.</summary>
public static class ConfigDocument
{
    /// <summary>
    /// Deepest nesting of lists and mappings accepted. A gateway file needs about six (devices → tags → a flow
    /// mapping); YamlDotNet builds its node tree recursively, so 50,000 nested <c>[</c> would overflow the stack
    /// and end the process (a saved file would then kill the service on reload, and systemd restart it in a loop).
    /// </summary>
    public const int MaxNesting = 64;

    /// <summary>Returns the root mapping, or null after reporting why the text is not a usable YAML mapping.</summary>
    public static ConfigSection? Parse(string text, ConfigContext context)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text), skipComments: true);
        try
        {
            // The limit sits between the parser and the tree builder: events are counted as the builder pulls them,
            // so the first event past the limit stops the load before the builder recurses any deeper.
            stream.Load(new NestingLimitedParser(new Parser(scanner), MaxNesting));
        }
        catch (NestingTooDeepException ex)
        {
            Add(context, ex.Start, $"lists and mappings are nested more than {MaxNesting} levels deep here; a gateway configuration needs far fewer (was the file generated or pasted wrongly?)");
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

            Add(context, ex.Start, "YAML syntax error: " + message);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet has states it does not expect (InvalidOperationException from its scanner, e.g. a flow list
            // continued on a line indented less than its key): whatever it throws is a problem of this file, at the
            // place the scanner stopped, never a crash of validate, run or a reload.
            Add(context, scanner.CurrentPosition, $"YAML syntax error the YAML reader cannot recover from ({ex.GetType().Name}); check the brackets and indentation here and on the line before: a [ ] or {{ }} continued on the next line must be indented more than its key");
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
            Add(context, node.Start, "the file must be a mapping with gateway:, devices:, alarms:, buffer: and upstream: sections");
            return null;
        }

        return new ConfigSection(root, string.Empty, context);
    }

    private static void Add(ConfigContext context, Mark mark, string message) =>
        context.Problems.Add(new ConfigLocation(context.File, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column)), string.Empty, message);
}
