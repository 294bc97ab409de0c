namespace Portico.Core.Model.Policies;

/// <summary>
/// A resolved external-auth check. The subrequest goes to <see cref="Url"/> (an absolute http(s) URL), or to the
/// upstream <see cref="UpstreamName"/> (a Service of the namespace, in <see cref="ProxyModel.Upstreams"/>) with
/// <see cref="Path"/>. Listed request headers are forwarded to the check; listed response headers of the check are
/// copied onto the request to the backend. A 401 with <see cref="SigninUrl"/> set redirects the client there.
/// </summary>
public sealed record ExternalAuthTarget(
    Uri? Url,
    string? UpstreamName,
    string Path,
    EquatableArray<string> ForwardRequestHeaders,
    EquatableArray<string> ForwardResponseHeaders,
    Uri? SigninUrl);
