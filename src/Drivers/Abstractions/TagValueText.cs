namespace SmartCity.Edge.Drivers;

/// <summary>Tag values as error messages quote them: text in quotes and cut (it may come from the network), numbers as they are.</summary>
public static class TagValueText
{
    private const int MaxQuoted = 40;

    /// <summary><c>the text 'abc'</c>, <c>70000</c>, <c>true</c>, <c>no value</c>; control characters in text become '?'.</summary>
    public static string Describe(TagValue value) => value.Kind switch
    {
        TagValueKind.String => "the text '" + Printable(value.AsString()!) + "'",
        TagValueKind.None => "no value",
        _ => value.ToString(),
    };

    private static string Printable(string text)
    {
        string cut = text.Length > MaxQuoted ? text[..MaxQuoted] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
