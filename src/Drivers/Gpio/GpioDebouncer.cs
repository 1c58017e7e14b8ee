using System.Diagnostics;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>
/// Turns the raw edges of one input into accepted state changes: a new level counts once it has held for the
/// debounce time with no further edge, so a contact's bounce burst yields one change and a glitch shorter than the
/// debounce time yields none. The accepted change carries the time of the burst's first edge, the moment the contact
/// actually moved. Pure logic: time comes in as arguments and the owner runs the timer (<see cref="GpioDebounceAction.Arm"/>).
/// Not thread-safe; the owner serialises calls.
/// </summary>
internal sealed class GpioDebouncer
{
    private readonly TimeSpan _debounce;
    private State _state;
    private bool _raw;
    private DateTimeOffset _burstStart;
    private DateTimeOffset _lastEdge;

    public GpioDebouncer(TimeSpan debounce, bool initialLevel)
    {
        Debug.Assert(debounce >= TimeSpan.Zero);
        _debounce = debounce;
        Accepted = initialLevel;
        _raw = initialLevel;
        _state = State.Stable;
    }

    private enum State
    {
        /// <summary>The raw level equals the accepted level and no edge is pending.</summary>
        Stable,

        /// <summary>Edges arrived; waiting for the line to stay quiet for the debounce time.</summary>
        Settling,
    }

    /// <summary>The debounced level.</summary>
    public bool Accepted { get; private set; }

    /// <summary>True while edges are waiting out the debounce time.</summary>
    public bool IsSettling => _state == State.Settling;

    /// <summary>An edge to <paramref name="level"/> was seen at <paramref name="at"/>.</summary>
    public GpioDebounceDecision OnEdge(bool level, DateTimeOffset at)
    {
        _raw = level;
        _lastEdge = at;
        switch (_state)
        {
            case State.Stable when level == Accepted:
                // A repeated edge of the level already reported (the kernel reports both edges of a glitch we never saw).
                return GpioDebounceDecision.Nothing;
            case State.Stable when _debounce == TimeSpan.Zero:
                Accepted = level;
                return GpioDebounceDecision.Accept(level, at);
            case State.Stable:
                _state = State.Settling;
                _burstStart = at;
                return GpioDebounceDecision.Arm(at + _debounce);
            case State.Settling:
                return GpioDebounceDecision.Arm(at + _debounce);
            default:
                throw new UnreachableException($"Unhandled debounce state {_state}.");
        }
    }

    /// <summary>The timer armed by an earlier decision fired at <paramref name="now"/>.</summary>
    public GpioDebounceDecision OnDeadline(DateTimeOffset now)
    {
        switch (_state)
        {
            case State.Stable:
                return GpioDebounceDecision.Nothing;
            case State.Settling when now < _lastEdge + _debounce:
                // A later edge moved the deadline and this firing is the earlier one.
                return GpioDebounceDecision.Arm(_lastEdge + _debounce);
            case State.Settling:
                _state = State.Stable;
                if (_raw == Accepted)
                {
                    return GpioDebounceDecision.Nothing;
                }

                Accepted = _raw;
                return GpioDebounceDecision.Accept(_raw, _burstStart);
            default:
                throw new UnreachableException($"Unhandled debounce state {_state}.");
        }
    }
}
