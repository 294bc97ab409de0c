using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Resolves the references of a route's authentication: basic auth's Secret (same namespace only) into
/// <see cref="BasicAuthCredentials"/> (<see cref="BasicAuthLoader"/>), external auth's Service (same namespace) into
/// an upstream of the model through the <see cref="BackendResolver"/>, so the proxy can reach it. Whatever cannot be
/// resolved fails closed: the route answers 403 (<see cref="Denied"/>), with an error naming the Ingress and field.
/// </summary>
internal sealed class AuthResolver(BasicAuthLoader basicAuth, BackendResolver backends, DiagnosticBag diagnostics, PlanReads reads)
{
    /// <summary>
    /// <paramref name="policy"/> with its authentication resolved from <paramref name="spec"/>, or a 403 when it
    /// cannot be. <paramref name="basicFromPolicy"/>: the basic-auth rule comes from an IngressPolicy (its Secret is an
    /// htpasswd file), otherwise from annotations in <paramref name="format"/>.
    /// </summary>
    public (RoutePolicy Policy, RespondAction? Denied) Resolve(RoutePolicy policy, PolicySpec? spec, bool basicFromPolicy, BasicAuthSecretFormat format, ObjectRef ingress)
    {
        if (spec?.BasicAuth is { } basic)
        {
            string field = basicFromPolicy ? "IngressPolicy spec.basicAuth.secretRef" : $"metadata.annotations[{IngressNginxAnnotations.Prefix}auth-secret]";
            var secret = new NamespacedName(ingress.Namespace, basic.SecretName);
            reads.Secret(secret);
            var credentials = basicAuth.Load(secret, basicFromPolicy ? BasicAuthSecretFormat.AuthFile : format, basic.Realm, out string error);
            if (credentials is null)
            {
                return Deny(ingress, field, $"basic authentication cannot be enforced: {error}");
            }

            policy = policy with { BasicAuth = credentials };
        }

        if (spec?.ExternalAuth is { } external)
        {
            // nginx names headers in variables with '-' as '_'; a '.' cannot be named there.
            if (external.ForwardRequestHeaders.Concat(external.ForwardResponseHeaders).FirstOrDefault(h => h.Contains('.', StringComparison.Ordinal)) is { } dotted)
            {
                return Deny(ingress, "IngressPolicy spec.externalAuth", $"external authentication cannot be enforced: header {Printable.Quote(dotted)} holds '.', which cannot be forwarded");
            }

            // Annotations refuse these when parsed; a policy's URL is checked here: the proxy must not call its own
            // loopback services or link-local addresses (cloud metadata) with the client's headers.
            if (external.Url is { } url && !IngressNginxAnnotations.IsSafeAuthTarget(url))
            {
                return Deny(ingress, "IngressPolicy spec.externalAuth.url", $"external authentication cannot be enforced: {Printable.Quote(url.AbsoluteUri)} points at a loopback, link-local or unspecified address, which Portico does not call on a user's behalf");
            }

            string? upstream = null;
            if (external.Service is { } service)
            {
                string field = "IngressPolicy spec.externalAuth.service";
                var backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service.Name, Port = new V1ServiceBackendPort { Number = service.Port } } };
                upstream = backends.Resolve(ingress.Namespace, backend, ingress, field) switch
                {
                    ForwardAction forward => forward.UpstreamName,

                    // A Service without ready endpoints: the auth subrequest gets no answer, so requests answer 500
                    // until endpoints appear (still closed), and the route does not change when they do.
                    RespondAction { Backend: { } name } => name,
                    _ => null,
                };
                if (upstream is null)
                {
                    return Deny(ingress, field, $"external authentication cannot be enforced: Service {ingress.Namespace}/{service.Name} port {service.Port} cannot be resolved to endpoints (missing, no such port, or ExternalName)");
                }
            }

            policy = policy with
            {
                ExternalAuth = new ExternalAuthTarget(external.Url, upstream, external.Path, external.ForwardRequestHeaders, external.ForwardResponseHeaders, external.SigninUrl),
            };
        }

        return (policy, null);
    }

    private (RoutePolicy, RespondAction) Deny(ObjectRef ingress, string field, string message)
    {
        diagnostics.Error(ingress, field, message + "; the routes of this Ingress answer 403 until it is fixed");
        return (RoutePolicy.None, new RespondAction(403, $"{message}; denied rather than served openly"));
    }
}
