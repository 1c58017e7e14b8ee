namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// One problem with <see cref="BufferOptions"/>: the YAML key it is about (<c>buffer.max_disk</c>) and what is wrong,
/// with the value and what is expected. The configuration loader reports it at that key's line; a programmatic caller
/// gets it in the <see cref="ArgumentException"/> of <see cref="BufferOptions.ThrowIfInvalid"/>.
/// </summary>
public readonly record struct BufferOptionsProblem(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}
