using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// Passes a parser's events through and throws <see cref="NestingTooDeepException"/> at the first collection start
/// deeper than the limit. The parser itself is a state machine with explicit stacks; only the node builder above
/// it recurses, once per level.
/// </summary>
public sealed class NestingLimitedParser : IParser
{
    private readonly IParser _inner;
    private readonly int _maxDepth;
    private int _depth;

    public NestingLimitedParser(IParser inner, int maxDepth)
    {
        _inner = inner;
        _maxDepth = maxDepth;
    }

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            return false;
        }

        switch (_inner.Current)
        {
            case MappingStart or SequenceStart:
                if (++_depth > _maxDepth)
                {
                    throw new NestingTooDeepException(_inner.Current.Start);
                }

                break;
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}
