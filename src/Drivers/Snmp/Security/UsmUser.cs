using System.Text;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A configured USM user: name, protocols and passwords, with its keys. Ku (a megabyte of hashing per password) is
/// computed once; Kul is cached per authoritative engine (a few: the agent we poll, or trap senders), bounded so a
/// stream of forged engine IDs cannot grow it. Thread-safe. Passwords never appear in <see cref="ToString"/>.
/// </summary>
public sealed class UsmUser
{
    /// <summary>Localized keys kept per user; beyond this the cache starts over (only forged traffic gets there).</summary>
    private const int MaxEngines = 64;

    private readonly string? _authPassword;
    private readonly string? _privPassword;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, UsmLocalizedKeys> _localized = new(StringComparer.Ordinal);
    private byte[]? _authKu;
    private byte[]? _privKu;

    public UsmUser(string name, SnmpAuthProtocol auth, string? authPassword, SnmpPrivProtocol priv, string? privPassword)
    {
        if (priv != SnmpPrivProtocol.None && auth == SnmpAuthProtocol.None)
        {
            throw new ArgumentException("privacy needs authentication (RFC 3414 §3.1.1)", nameof(priv));
        }

        Name = name;
        NameBytes = Encoding.UTF8.GetBytes(name);
        Auth = auth;
        Priv = priv;
        _authPassword = authPassword;
        _privPassword = privPassword;
    }

    public string Name { get; }

    public byte[] NameBytes { get; }

    public SnmpAuthProtocol Auth { get; }

    public SnmpPrivProtocol Priv { get; }

    public SnmpSecurityLevel Level => Priv != SnmpPrivProtocol.None ? SnmpSecurityLevel.AuthPriv
        : Auth != SnmpAuthProtocol.None ? SnmpSecurityLevel.AuthNoPriv
        : SnmpSecurityLevel.NoAuthNoPriv;

    public int MacLength => UsmAuthentication.MacLength(Auth);

    /// <summary>Keys for <paramref name="engineId"/>; empty keys for noAuthNoPriv.</summary>
    internal UsmLocalizedKeys KeysFor(ReadOnlySpan<byte> engineId)
    {
        if (Auth == SnmpAuthProtocol.None)
        {
            return new UsmLocalizedKeys([], []);
        }

        string key = Convert.ToHexString(engineId);
        lock (_gate)
        {
            if (_localized.TryGetValue(key, out UsmLocalizedKeys? keys))
            {
                return keys;
            }

            _authKu ??= UsmKeyLocalizer.PasswordToKey(Auth, _authPassword!);
            byte[] authKey = UsmKeyLocalizer.Localize(Auth, _authKu, engineId);
            byte[] privKey = [];
            if (Priv != SnmpPrivProtocol.None)
            {
                _privKu ??= UsmKeyLocalizer.PasswordToKey(Auth, _privPassword!);
                privKey = UsmKeyLocalizer.Localize(Auth, _privKu, engineId);
            }

            if (_localized.Count >= MaxEngines)
            {
                _localized.Clear();
            }

            keys = new UsmLocalizedKeys(authKey, privKey);
            _localized.Add(key, keys);
            return keys;
        }
    }

    /// <summary>The same user at authNoPriv (a request sent below the user's level, e.g. to test the agent's VACM).</summary>
    public UsmUser WithoutPrivacy() => new(Name, Auth, _authPassword, SnmpPrivProtocol.None, null);

    public override string ToString() => $"UsmUser {{ Name = {Name}, Auth = {Auth}, Priv = {Priv} }}";
}
