using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// One route of one side of a plan: the explain verdict for it, the host's certificate (<see cref="Certificate"/>:
/// the Secret and its content id, null without TLS or on the default certificate) and its plain-HTTP redirect status.
/// <see cref="CatchAll"/> marks the host's fallback "/" (the default backend or the implied 404).
/// </summary>
public sealed record RouteState(Explanation Route, TlsCertificate? Certificate, int? HttpsRedirect, bool CatchAll)
{
    /// <summary>
    /// What a reviewer calls a change: action, status, backend Service and port, the declaring Ingress,
    /// certificate and redirect. The field (spec.rules[i].http.paths[j]) is shown but not compared: reordering the
    /// paths of an Ingress routes nothing differently. Ready endpoints are shown but are not compared: they are the cluster's state, not
    /// the change under review (a backend losing all of them still shows, as respond 503).
    /// </summary>
    public bool SameAs(RouteState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (a, b) = (Route, other.Route);
        return a.Action == b.Action && a.Status == b.Status && a.Ingress == b.Ingress
            && a.Backend?.Service == b.Backend?.Service && a.Backend?.Port == b.Backend?.Port && a.Backend?.ExternalName == b.Backend?.ExternalName
            && Certificate?.Secret == other.Certificate?.Secret && Certificate?.Id == other.Certificate?.Id
            && HttpsRedirect == other.HttpsRedirect && CatchAll == other.CatchAll;
    }
}
