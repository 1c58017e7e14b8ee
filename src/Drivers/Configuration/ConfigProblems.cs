namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// Collects every problem of one configuration load, so a technician sees them all at once. Every problem of every
/// section and driver passes through <see cref="Add"/>, which is where substituted values are kept out of messages:
/// a value that came from <c>${NAME}</c> or <c>${file:PATH}</c> is a secret until proven otherwise, and problems
/// reach the terminal and, on a reload, the journal.
/// </summary>
public sealed class ConfigProblems
{
    private readonly List<ConfigProblem> _problems = [];

    /// <summary>Text to hide and what to show instead, longest first.</summary>
    private readonly List<(string Value, string Shown, bool Quoted)> _concealed = [];

    public IReadOnlyList<ConfigProblem> All => _problems;

    public bool HasAny => _problems.Count > 0;

    /// <summary>Adds a problem; any substituted value in <paramref name="message"/> is replaced by where it came from.</summary>
    public void Add(ConfigLocation location, string path, string message) =>
        _problems.Add(new ConfigProblem(location, path, Conceal(message)));

    /// <summary>Problems in file order, for printing.</summary>
    public IEnumerable<ConfigProblem> Ordered() =>
        _problems.OrderBy(p => p.Location.Line).ThenBy(p => p.Location.Column);

    /// <summary>
    /// Records a substituted scalar: <paramref name="written"/> as in the file (<c>pre-${SECRET}</c>),
    /// <paramref name="expanded"/> as substituted, and each reference with its value. From then on a message that
    /// quotes the value says <c>the value from ${SECRET}</c> (or the text as written when it mixes text and
    /// references), and a reference's value anywhere else in a message is replaced the same way.
    /// </summary>
    public void RecordSubstitution(string written, string expanded, IReadOnlyList<(string Reference, string Value)> references)
    {
        string shown = references.Count == 1 && written == references[0].Reference
            ? "the value from " + written
            : $"'{written}'";
        Remember($"'{expanded}'", shown, quoted: true);
        Remember(expanded, shown, quoted: false);
        foreach ((string reference, string value) in references)
        {
            Remember(value, "the value from " + reference, quoted: false);
        }

        _concealed.Sort((a, b) => b.Value.Length.CompareTo(a.Value.Length));
    }

    private void Remember(string value, string shown, bool quoted)
    {
        if (value.Length > (quoted ? 2 : 0) && !_concealed.Exists(c => c.Value == value))
        {
            _concealed.Add((value, shown, quoted));
        }
    }

    private string Conceal(string message)
    {
        foreach ((string value, string shown, bool quoted) in _concealed)
        {
            message = quoted ? message.Replace(value, shown, StringComparison.Ordinal) : ReplaceWord(message, value, shown);
        }

        return message;
    }

    /// <summary>
    /// Replaces <paramref name="value"/> where it stands as a word of its own (not inside a longer word or number),
    /// so a short substituted value such as <c>1</c> hides itself without mangling "10 s" elsewhere in the message.
    /// </summary>
    private static string ReplaceWord(string message, string value, string shown)
    {
        int at = message.IndexOf(value, StringComparison.Ordinal);
        if (at < 0)
        {
            return message;
        }

        var result = new System.Text.StringBuilder(message.Length);
        int from = 0;
        while (at >= 0)
        {
            int end = at + value.Length;
            bool alone = (at == 0 || !char.IsLetterOrDigit(message[at - 1]) || !char.IsLetterOrDigit(value[0]))
                && (end == message.Length || !char.IsLetterOrDigit(message[end]) || !char.IsLetterOrDigit(value[^1]));
            if (alone)
            {
                result.Append(message, from, at - from).Append(shown);
                from = end;
                at = message.IndexOf(value, end, StringComparison.Ordinal);
            }
            else
            {
                at = message.IndexOf(value, at + 1, StringComparison.Ordinal);
            }
        }

        return result.Append(message, from, message.Length - from).ToString();
    }
}
