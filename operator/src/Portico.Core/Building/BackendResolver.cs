using System.Collections.Immutable;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Values;
using k8s.Models;

namespace Portico.Core.Building;

/// <summary>
/// Resolves an Ingress backend to a route action: forward to a Service port (by number or name) whose ready endpoints
/// come from EndpointSlices, pod IPs direct. A port without ready endpoints answers 503; a reference that cannot be
/// resolved answers 503 with a warning; a backend that is not valid at all is an error and the caller drops the path.
/// </summary>
internal sealed class BackendResolver
{
    private readonly PlanReads _reads;
    private readonly UpstreamTable _upstreams;
    private readonly BuildOptions _options;
    private readonly DiagnosticBag _diagnostics;
    private readonly List<UpstreamUse> _uses;

    /// <summary>
    /// Services are read through <paramref name="reads"/>, upstreams made in <paramref name="upstreams"/> (the build's)
    /// and each one used is noted in <paramref name="uses"/>; what is said of the owner goes to <paramref name="diagnostics"/>.
    /// </summary>
    public BackendResolver(PlanReads reads, UpstreamTable upstreams, BuildOptions options, DiagnosticBag diagnostics, List<UpstreamUse> uses)
    {
        _reads = reads;
        _upstreams = upstreams;
        _options = options;
        _diagnostics = diagnostics;
        _uses = uses;
    }

    /// <summary>The action for <paramref name="backend"/>, or null (with an error) when the backend is invalid.</summary>
    public RouteAction? Resolve(string ns, V1IngressBackend? backend, ObjectRef owner, string field)
    {
        if (backend?.Resource is not null)
        {
            _diagnostics.Error(owner, field + ".resource", "resource backends are not supported; use a Service backend");
            return null;
        }

        var service = backend?.Service;
        if (service is null)
        {
            _diagnostics.Error(owner, field + ".service", "is required");
            return null;
        }

        if (!DnsGrammar.IsServiceName(service.Name))
        {
            _diagnostics.Error(owner, field + ".service.name", $"{Printable.Quote(service.Name)} is not a valid Service name (RFC 1035 label)");
            return null;
        }

        var port = service.Port;
        bool hasNumber = port?.Number is not null;
        bool hasName = !string.IsNullOrEmpty(port?.Name);
        if (hasNumber == hasName)
        {
            _diagnostics.Error(owner, field + ".service.port", "must give exactly one of number or name");
            return null;
        }

        if (hasNumber && port!.Number is < 1 or > 65535)
        {
            _diagnostics.Error(owner, field + ".service.port.number", $"{port.Number} is not a port number (1-65535)");
            return null;
        }

        if (hasName && !DnsGrammar.IsPortName(port!.Name))
        {
            _diagnostics.Error(owner, field + ".service.port.name", $"{Printable.Quote(port.Name)} is not a valid port name (IANA service name)");
            return null;
        }

        return ResolveService(new NamespacedName(ns, service.Name), port!, owner, field);
    }

    /// <summary>A warning about a backend reference made outside an Ingress path (a traffic split).</summary>
    public void Warn(ObjectRef owner, string field, string message) => _diagnostics.Warning(owner, field, message);

    /// <summary>The action that proxies to an upstream resolved before: forward, or 503 while it has no ready endpoints.</summary>
    public RouteAction ActionFor(string upstreamName) => _upstreams.ActionFor(upstreamName);

    // FIELD is the backend's ("spec.rules[0].http.paths[0].backend"): strings for diagnostics are made only when one
    // is said, as every route of every build passes here (issue 13).
    private RouteAction ResolveService(NamespacedName key, V1ServiceBackendPort port, ObjectRef owner, string field)
    {
        if (_reads.Service(key) is not { } service)
        {
            _diagnostics.Warning(owner, field + ".service.name", $"Service {key} not found; the route answers 503");
            return new RespondAction(503, $"Service {key} not found");
        }

        var servicePort = PortOf(service, port);
        if (service.Spec?.Type == "ExternalName")
        {
            return ResolveExternalName(service, new ObjectRef(KnownKinds.Service, key.Namespace, key.Name), servicePort?.Port ?? port.Number, owner, field + ".service");
        }

        if (servicePort is null)
        {
            string shownPort = port.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? port.Name;
            _diagnostics.Warning(owner, field + ".service.port", $"Service {key} has no port {shownPort}; the route answers 503");
            return new RespondAction(503, $"Service {key} has no port {shownPort}");
        }

        string name = UpstreamName(key, servicePort.Port);
        Use(new UpstreamUse(name, new ObjectRef(KnownKinds.Service, key.Namespace, key.Name), servicePort.Port, servicePort, ExternalName: null, Empty: false));
        return _upstreams.ActionFor(name);
    }

    /// <summary>The Service's port <paramref name="port"/> names (by number or name); a loop, as every route of a build asks.</summary>
    private static V1ServicePort? PortOf(V1Service service, V1ServiceBackendPort port)
    {
        var ports = service.Spec?.Ports;
        for (int i = 0; i < (ports?.Count ?? 0); i++)
        {
            var candidate = ports![i];
            if (port.Number is { } number ? candidate.Port == number : candidate.Name == port.Name)
            {
                return candidate;
            }
        }

        return null;
    }

    private RouteAction ResolveExternalName(V1Service service, ObjectRef serviceRef, int? port, ObjectRef owner, string field)
    {
        if (!_options.EnableExternalNameServices)
        {
            _diagnostics.Warning(owner, field + ".name", $"{serviceRef} is an ExternalName Service, and those are disabled (--enable-external-name); the route answers 503");
            return new RespondAction(503, $"{serviceRef} is an ExternalName Service (disabled)");
        }

        string? externalName = service.Spec.ExternalName is { } raw ? DnsGrammar.ToLowerAscii(raw.TrimEnd('.')) : null;
        if (!DnsGrammar.IsSubdomain(externalName) || port is null)
        {
            _diagnostics.Warning(serviceRef, "spec.externalName", $"{Printable.Quote(service.Spec.ExternalName)} is not a usable DNS name with a port; routes to it answer 503");
            return new RespondAction(503, $"{serviceRef} has no usable external name");
        }

        var key = new NamespacedName(serviceRef.Namespace, serviceRef.Name);
        string name = UpstreamName(key, port.Value);
        Use(new UpstreamUse(name, serviceRef, port.Value, ServicePort: null, externalName, Empty: true));
        return new ExternalNameAction(name, externalName!, port.Value);
    }

    /// <summary>Makes the upstream in the build's table and notes the use, with whether it had ready endpoints.</summary>
    private void Use(UpstreamUse use)
    {
        var upstream = _upstreams.Ensure(use);
        if (!_uses.Exists(u => u.Name == use.Name))
        {
            _uses.Add(use with { Empty = upstream.Endpoints.IsEmpty });
        }
    }

    // Each build makes its upstreams afresh, while routes of unchanged Ingresses come from earlier builds: through the
    // table, the same name is usually the same string in both (~0.5 MiB at 10,000 Ingresses, issue 13).
    private static readonly Kubernetes.SharedStrings Names = new();

    /// <summary>"namespace_service_port": the parts are validated DNS labels and a number, none contains '_'.</summary>
    internal static string UpstreamName(NamespacedName service, int port) =>
        Names.Get(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{service.Namespace}_{service.Name}_{port}"));
}
