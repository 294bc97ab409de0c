namespace Portico.Core.Model;

/// <summary>
/// All routes for one host, merged from every Ingress that names it. <see cref="Routes"/> are the rules' paths in
/// precedence order (Exact first, then longest prefix); <see cref="Fallback"/> is the catch-all "/" the builder adds
/// when no rule claims the root (the default backend, or 404). <see cref="EffectiveRoutes"/> is what the proxy does,
/// in the order it decides: every renderer translates exactly that list. <see cref="CertificateId"/> is set when the
/// host is served over TLS; <see cref="HttpsRedirect"/> when its plain-HTTP requests are redirected to HTTPS instead.
/// </summary>
public sealed record VirtualHost(
    HostPattern Host,
    EquatableArray<Route> Routes,
    Route? Fallback,
    string? CertificateId,
    RedirectAction? HttpsRedirect)
{
    /// <summary>The rules' routes, then the catch-all.</summary>
    public IEnumerable<Route> EffectiveRoutes => Fallback is null ? Routes : Routes.Append(Fallback);

    /// <summary>The route a request for <paramref name="path"/> takes on this host: the first effective route that matches.</summary>
    public Route? RouteFor(string path) => EffectiveRoutes.FirstOrDefault(r => r.Matches(path));

    public override string ToString() => Host.ToString();
}
