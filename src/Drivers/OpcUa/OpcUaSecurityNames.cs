namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The one spelling of security policies and modes, shared by the YAML (<c>security.policy</c>, <c>security.mode</c>)
/// and the technician tools (<c>--policy</c>, <c>--mode</c>): the YAML names (<c>SignAndEncrypt</c>, the policies as the
/// specification names them, <c>auto</c>) are what every message and help text prints; the lower-case forms a shell
/// invites (<c>sign_and_encrypt</c>, <c>none</c>) are accepted as aliases in both places.
/// </summary>
public static class OpcUaSecurityNames
{
    /// <summary>Policy None.</summary>
    public const string NoPolicy = "None";

    /// <summary>Accepted spelling → the policy's name, deprecated ones included (the YAML refuses them without <c>allow_deprecated</c>).</summary>
    public static IReadOnlyDictionary<string, string> Policies { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [NoPolicy] = NoPolicy,
        [UaClientSecurity.Auto] = UaClientSecurity.Auto,
        ["Basic256Sha256"] = "Basic256Sha256",
        ["Aes128_Sha256_RsaOaep"] = "Aes128_Sha256_RsaOaep",
        ["Aes256_Sha256_RsaPss"] = "Aes256_Sha256_RsaPss",
        ["Basic256"] = "Basic256",
        ["Basic128Rsa15"] = "Basic128Rsa15",
        ["none"] = NoPolicy,
    };

    /// <summary>Aliases of <see cref="Policies"/> → the name printed.</summary>
    public static IReadOnlyDictionary<string, string> PolicyAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["none"] = NoPolicy,
    };

    /// <summary>Accepted spelling → mode; <c>auto</c> (null) takes the best the server offers.</summary>
    public static IReadOnlyDictionary<string, UaMessageSecurityMode?> Modes { get; } = new Dictionary<string, UaMessageSecurityMode?>(StringComparer.Ordinal)
    {
        ["None"] = UaMessageSecurityMode.None,
        ["Sign"] = UaMessageSecurityMode.Sign,
        ["SignAndEncrypt"] = UaMessageSecurityMode.SignAndEncrypt,
        [UaClientSecurity.Auto] = null,
        ["none"] = UaMessageSecurityMode.None,
        ["sign"] = UaMessageSecurityMode.Sign,
        ["sign_and_encrypt"] = UaMessageSecurityMode.SignAndEncrypt,
    };

    /// <summary>Aliases of <see cref="Modes"/> → the name printed.</summary>
    public static IReadOnlyDictionary<string, string> ModeAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["none"] = "None",
        ["sign"] = "Sign",
        ["sign_and_encrypt"] = "SignAndEncrypt",
    };

    /// <summary>Policies that are SHA-1 based and need <c>allow_deprecated: true</c>.</summary>
    public static bool IsDeprecated(string policy) => policy is "Basic256" or "Basic128Rsa15";

    /// <summary>The printed name of a mode: <c>None</c>, <c>Sign</c>, <c>SignAndEncrypt</c>, or <c>auto</c> for null.</summary>
    public static string ModeName(UaMessageSecurityMode? mode) => mode?.ToString() ?? UaClientSecurity.Auto;

    /// <summary>The names listed in messages and help (aliases left out).</summary>
    public static IEnumerable<string> Listed<T>(IReadOnlyDictionary<string, T> names, IReadOnlyDictionary<string, string> aliases) =>
        names.Keys.Where(k => !aliases.ContainsKey(k));
}
