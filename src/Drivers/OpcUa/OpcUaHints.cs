namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// What a technician should do about an OPC UA status, in one place: the driver's log lines and device errors,
/// <c>smartcity-edge test</c> (through <see cref="OpcUaDriverFactory.Explain"/>) and <c>smartcity-edge opcua</c> print
/// these texts. Certificate trust has its own messages (<see cref="UaCertificateException"/>), which already name the
/// command to run.
/// </summary>
public static class OpcUaHints
{
    /// <summary>
    /// The hint for a tag whose reading reports <paramref name="reason"/> (a status name), or null. Names the tool
    /// that shows what the server really has, with the options that reach it as the gateway does.
    /// </summary>
    public static string? ForTag(string deviceId, OpcUaTagSettings tag, string reason) => reason switch
    {
        "BadNodeIdUnknown" or "BadNodeIdInvalid" =>
            $"the server has no node {tag.Source}; run `smartcity-edge opcua browse --config FILE --device {deviceId}` to list its node ids, then correct node:",
        "BadNoMatch" or "BadBrowseNameInvalid" =>
            $"no node at the path {tag.Source}; run `smartcity-edge opcua browse --config FILE --device {deviceId}` to see the browse names (with their namespace, e.g. 2:Door1), then correct path:",
        "BadNotReadable" or "BadUserAccessDenied" =>
            $"the server does not let this session read {tag.Source}; give the gateway's user read access on the server, or log in as another user (auth:)",
        "BadAttributeIdInvalid" =>
            $"{tag.Source} is not a variable (a folder or object has no value); run `smartcity-edge opcua browse --config FILE --device {deviceId}` and pick a variable below it",
        "BadSecurityModeInsufficient" =>
            "the server gives this node only to encrypted sessions; set security.mode: SignAndEncrypt",
        _ => null,
    };

    /// <summary>
    /// A plain sentence for a login the server refused (ActivateSession answered <paramref name="status"/>), or null
    /// when <paramref name="status"/> is not about the identity. <paramref name="tool"/>: name the options of
    /// <c>smartcity-edge opcua</c> rather than the YAML keys.
    /// </summary>
    public static string? ForLogin(UaStatusCode status, string? userName, bool userCertificate, bool tool) => status.Code switch
    {
        UaStatusCodes.BadUserAccessDenied or UaStatusCodes.BadIdentityTokenRejected or UaStatusCodes.BadIdentityTokenInvalid => userName is not null
            ? $"the server refused user '{userName}': wrong user name or password, or the user may not log in; check {(tool ? "--user and the password given" : "auth.username and auth.password")} ({status.Name})"
            : userCertificate
                ? $"the server refused the X.509 user certificate: the server must trust it and map it to a user; check {(tool ? "--user-cert" : "auth.certificate_file")} and the server's user settings ({status.Name})"
                : $"the server does not accept anonymous logins: {(tool ? "give --user with --password-env or --password-file, or --user-cert" : "set auth.username and auth.password")} ({status.Name})",
        _ => null,
    };
}
