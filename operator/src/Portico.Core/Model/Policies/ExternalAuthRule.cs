namespace Portico.Core.Model.Policies;

/// <summary>
/// An auth subrequest: to an absolute URL, or to a Service port of the policy's namespace (<see cref="Service"/>,
/// resolved by the builder) at <see cref="Path"/>. The request headers named are forwarded to it; the response
/// headers named are copied from its answer onto the proxied request. A 401 redirects to <see cref="SigninUrl"/> when set.
/// </summary>
public sealed record ExternalAuthRule(
    Uri? Url,
    ServicePort? Service,
    string Path,
    EquatableArray<string> ForwardRequestHeaders,
    EquatableArray<string> ForwardResponseHeaders,
    Uri? SigninUrl);
