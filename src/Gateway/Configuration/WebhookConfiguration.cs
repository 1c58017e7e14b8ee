namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>One entry of <c>webhooks:</c>: alarm transitions POSTed as JSON, signed with HMAC-SHA256.</summary>
/// <param name="Url">https:// URL (http:// only to a loopback address, for local receivers and tests).</param>
/// <param name="Secret">HMAC key for <c>X-SmartCity-Signature</c>; never logged.</param>
/// <param name="MinSeverity">Only alarms of at least this severity are sent.</param>
/// <param name="Timeout">Per-request timeout.</param>
/// <param name="MaxRetryInterval">Retries back off exponentially from 250 ms up to this.</param>
/// <param name="Tls">ca_file, client_cert and client_key of an https:// webhook; null uses the system trust store and no client certificate.</param>
public sealed record WebhookConfiguration(Uri Url, string Secret, AlarmSeverity MinSeverity, TimeSpan Timeout, TimeSpan MaxRetryInterval, TlsFiles? Tls = null)
{
    /// <summary>Keeps the secret out of logs.</summary>
    public override string ToString() => $"{Url} min_severity={MinSeverity}";
}
