using k8s.Models;
using Portico.Core.Building.Policies;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Values;

namespace Portico.Core.Building;

/// <summary>
/// Works out one Ingress's <see cref="IngressPlan"/>: its rules, backends, policies, annotations and TLS entries, read
/// from the snapshot through what the build shares (options, bound policies, upstreams, basic-auth files). Nothing
/// here depends on another Ingress: what does (a host and path claimed twice, a canary's main route, the oldest TLS
/// claim, the default backend) is left to the build as claims.
/// </summary>
internal sealed class IngressPlanner
{
    private readonly BuildOptions _options;
    private readonly IngressPolicyBinder _policies;
    private readonly UpstreamTable _upstreams;
    private readonly BasicAuthLoader _basicAuth;
    private readonly PlanReads _reads;
    private readonly Scope _scope;
    private readonly List<UnservedRule> _unserved = [];
    private readonly List<(HostPattern Host, Route Route)> _routes = [];
    private readonly List<PlanStep> _steps = [];
    private readonly Dictionary<HostPattern, RouteAction?> _splits = [];
    private IngressNginxAnnotationResult? _annotations;
    private RespondAction? _annotationDenial;

    private IngressPlanner(ClusterSnapshot snapshot, BuildOptions options, IngressPolicyBinder policies, UpstreamTable upstreams, BasicAuthLoader basicAuth)
    {
        _options = options;
        _policies = policies;
        _upstreams = upstreams;
        _basicAuth = basicAuth;
        _reads = new PlanReads(snapshot);
        _scope = NewScope();
    }

    public static IngressPlan Plan(V1Ingress ingress, ClusterSnapshot snapshot, BuildOptions options, IngressPolicyBinder policies, UpstreamTable upstreams, BasicAuthLoader basicAuth) =>
        new IngressPlanner(snapshot, options, policies, upstreams, basicAuth).Plan(ingress);

    /// <summary>The plan of <paramref name="ingress"/>, with everything it read.</summary>
    private IngressPlan Plan(V1Ingress ingress)
    {
        string ns = ingress.Metadata.NamespaceProperty ?? "default";
        var self = new ObjectRef(KnownKinds.Ingress, ns, ingress.Metadata.Name);
        bool served = Served(ingress, self);
        // Keyed as PolicyFor and DenialFor are asked (an Ingress without namespace is in "default"), not as the snapshot keys it.
        var policies = _policies.Targeting(new NamespacedName(self.Namespace, self.Name));
        return new IngressPlan
        {
            Ingress = ingress,
            Self = self,
            Served = served,
            Services = _reads.Services,
            Upstreams = [.. _scope.Uses],
            Routes = [.. _routes],
            Rare = PlanRare.Of(_reads.Secrets, policies.Count == 0 ? [] : [.. policies], _scope.Diagnostics.ToArray(), [.. _unserved], [.. _scope.RedirectsOff], [.. _steps]),
        };
    }

    /// <summary>
    /// Records the rule paths of an Ingress that is not served (parsed quietly, within the per-Ingress bounds), so
    /// `portico explain` can say why a request did not reach them.
    /// </summary>
    public static void AddUnserved(List<UnservedRule> unserved, BuildLimits limits, V1Ingress ingress, string why, string reason)
    {
        var self = new ObjectRef(KnownKinds.Ingress, ingress.Metadata.NamespaceProperty ?? "default", ingress.Metadata.Name ?? string.Empty);
        var rules = ingress.Spec?.Rules ?? [];
        for (int i = 0; i < Math.Min(rules.Count, limits.MaxRulesPerIngress); i++)
        {
            var paths = rules[i].Http?.Paths ?? [];
            if (!HostParser.TryParse(rules[i].Host, out var host, out _))
            {
                continue;
            }

            for (int j = 0; j < Math.Min(paths.Count, limits.MaxPathsPerRule); j++)
            {
                if (PathParser.TryParse(paths[j].Path, paths[j].PathType, out var match, out _, out _))
                {
                    unserved.Add(new UnservedRule(host, match, self, IngressFields.Path(i, j), why, reason));
                }
            }
        }
    }

    private Scope NewScope()
    {
        var diagnostics = new DiagnosticBag();
        var uses = new List<UpstreamUse>();
        var backends = new BackendResolver(_reads, _upstreams, _options, diagnostics, uses);
        return new Scope(diagnostics, uses, backends, new AuthResolver(_basicAuth, backends, diagnostics, _reads), []);
    }

    private DiagnosticBag Diagnostics => _scope.Diagnostics;

    private bool Served(V1Ingress ingress, ObjectRef self)
    {
        string ns = self.Namespace;
        if (!DnsGrammar.IsLabel(ns) || !DnsGrammar.IsSubdomain(ingress.Metadata.Name))
        {
            Diagnostics.Error(self, "metadata", "namespace must be an RFC 1123 label and name an RFC 1123 subdomain; the Ingress is not served");
            AddUnserved(_unserved, _options.Limits, ingress, "rejected", "the Ingress is not served: its namespace or name is invalid");
            return false;
        }

        var spec = ingress.Spec ?? new V1IngressSpec();
        var limits = _options.Limits;
        if ((spec.Rules?.Count ?? 0) > limits.MaxRulesPerIngress || (spec.Tls?.Count ?? 0) > limits.MaxTlsEntriesPerIngress)
        {
            Diagnostics.Error(self, "spec", $"has more than {limits.MaxRulesPerIngress} rules or {limits.MaxTlsEntriesPerIngress} TLS entries; the Ingress is not served");
            AddUnserved(_unserved, _options.Limits, ingress, "rejected", "the Ingress is not served: it has too many rules or TLS entries");
            return false;
        }

        ApplyAnnotations(ingress, self);
        if (spec.DefaultBackend is not null)
        {
            AddDefaultBackend(ns, spec.DefaultBackend, self);
        }

        var ruleHosts = new List<HostPattern>();
        for (int i = 0; i < (spec.Rules?.Count ?? 0); i++)
        {
            if (AddRule(ns, spec.Rules![i], self, i) is { } host)
            {
                ruleHosts.Add(host);
            }
        }

        for (int i = 0; i < (spec.Tls?.Count ?? 0); i++)
        {
            AddTls(ns, spec.Tls![i], ruleHosts, self, $"spec.tls[{i}]");
        }

        AddAnnotationRedirects(self, ruleHosts.Distinct());
        return true;
    }

    /// <summary>
    /// ingress-nginx app-root (an Exact "/" redirected with 302 to the root path, on every host of the Ingress's
    /// rules, unless a rule already has an Exact "/") and from-to-www-redirect (settled once every Ingress has claimed
    /// its hosts). An Ingress whose routes deny gets neither.
    /// </summary>
    private void AddAnnotationRedirects(ObjectRef self, IEnumerable<HostPattern> hosts)
    {
        var routing = _annotations?.Routing ?? Model.Policies.IngressNginxRouting.None;
        foreach (var host in hosts)
        {
            if (Denial(self, host) is not null)
            {
                continue;
            }

            if (routing.AppRoot is { } root)
            {
                _steps.Add(new AppRootClaim(host, new Route(new PathMatch(PathKind.Exact, "/"), new UrlRedirectAction(null, null, null, root, string.Empty, 302), self, ModelBuilder.AppRootField)));
            }

            if (routing.FromToWwwRedirect && host.Kind == HostKind.Exact)
            {
                _steps.Add(new WwwRedirectClaim(host));
            }
        }
    }

    /// <summary>
    /// The Ingress's ingress-nginx annotations: their diagnostics, and a 403 for every route when they carry access
    /// control that is refused (never served openly); the rest is applied to the routes as a policy is.
    /// </summary>
    private void ApplyAnnotations(V1Ingress ingress, ObjectRef self)
    {
        var annotations = IngressNginxAnnotations.Parse(ingress.Metadata.Annotations, self);
        _annotations = annotations;
        Diagnostics.AddRange(annotations.Diagnostics);

        if (annotations.AccessDenied)
        {
            string why = string.Join("; ", annotations.DenyReasons);
            _annotationDenial = new RespondAction(403, $"ingress-nginx annotations of {self}: {why}; denied rather than served openly");
            Diagnostics.Warning(self, "metadata.annotations", $"access control in the annotations cannot be honoured ({why}); every route of this Ingress answers 403 until it is fixed");
        }

        if (annotations.Routing.NextUpstream is { } next && RoutePolicyResolver.UnmappedNextUpstream(next) is { Count: > 0 } unmapped)
        {
            Diagnostics.Warning(self, "metadata.annotations", $"proxy-next-upstream settings without a Portico counterpart are ignored (the others are enforced): {string.Join(", ", unmapped)}");
        }
    }

    /// <summary>
    /// <paramref name="route"/> with what its Ingress's policies and annotations ask of it on <paramref name="host"/>
    /// (policy fields win over annotations), said and used in <paramref name="scope"/>. Routes that only answer a
    /// status carry no policy; a 503 for a backend without ready endpoints does: with live routing its location names
    /// that backend, and the endpoints arriving must never find a location without the route's access control (the
    /// workers would serve them openly while nginx reloads the policy in).
    /// </summary>
    private Route WithPolicy(Scope scope, ObjectRef self, HostPattern host, Route route)
    {
        if (route.Action is RespondAction { Backend: null })
        {
            return route;
        }

        var fromPolicies = _policies.PolicyFor(new NamespacedName(self.Namespace, self.Name), host);
        var spec = RoutePolicyResolver.Overlay(fromPolicies, _annotations?.Policy);
        var routing = _annotations?.Routing ?? Model.Policies.IngressNginxRouting.None;
        var policy = RoutePolicyResolver.Resolve(spec, routing, _options);

        // Authentication names a Secret or a Service: resolved here (the resolver stays pure); what cannot be
        // resolved makes the route answer 403, never serve openly.
        var (resolved, denied) = scope.Auth.Resolve(policy, spec, fromPolicies?.BasicAuth is not null, routing.BasicAuthFormat ?? Model.Policies.BasicAuthSecretFormat.AuthFile, self);
        if (denied is not null)
        {
            return route with { Action = denied };
        }

        if (spec?.HttpsRedirect == false)
        {
            scope.RedirectsOff.Add((host, route.Match));
        }

        if (resolved.Rewrite is { } rewrite && !RewriteApplies(rewrite, route.Match, out string why))
        {
            scope.Diagnostics.Warning(self, route.Field, $"{route.Match}: {why}; the path is passed on unchanged");
            resolved = resolved with { Rewrite = null };
        }

        return resolved.IsEmpty ? route : route with { Policy = resolved };
    }

    /// <summary>
    /// A prefix replacement needs a prefix (Exact and Prefix routes); a rewrite-target with captures needs a regex
    /// path to take them from.
    /// </summary>
    private static bool RewriteApplies(Model.Policies.RouteRewrite rewrite, PathMatch match, out string why)
    {
        why = rewrite.ReplacePrefix is not null && match.Kind == PathKind.Regex
            ? "rewrite.replacePrefixMatch does not apply to a regular-expression path"
            : rewrite.Template is { HighestGroup: > 0 } template && match.Kind != PathKind.Regex
                ? $"rewrite-target {Printable.Quote(template.ToString())} refers to capture groups, but this path is not a regular expression (use-regex applies to Prefix and ImplementationSpecific paths)"
                : string.Empty;
        return why.Length == 0;
    }

    /// <summary>The redirect the routes of <paramref name="self"/> on <paramref name="host"/> answer with instead of their backend, or null.</summary>
    private UrlRedirectAction? RedirectFor(ObjectRef self, HostPattern host)
    {
        var spec = RoutePolicyResolver.Overlay(_policies.PolicyFor(new NamespacedName(self.Namespace, self.Name), host), _annotations?.Policy);
        return RoutePolicyResolver.Redirect(spec, _annotations?.Routing ?? Model.Policies.IngressNginxRouting.None);
    }

    /// <summary>The 403 a route of <paramref name="self"/> on <paramref name="host"/> gets because its access control cannot be honoured, or null.</summary>
    private RespondAction? Denial(ObjectRef self, HostPattern host) =>
        _annotationDenial ?? _policies.DenialFor(new NamespacedName(self.Namespace, self.Name), host);

    private void AddDefaultBackend(string ns, V1IngressBackend backend, ObjectRef self)
    {
        var action = _scope.Backends.Resolve(ns, backend, self, "spec.defaultBackend");
        if (action is null)
        {
            return;
        }

        action = Denial(self, HostPattern.Any) ?? (RouteAction?)RedirectFor(self, HostPattern.Any) ?? SplitOf(ns, self, HostPattern.Any) ?? action;

        // The policy is resolved for the claim; what that says and uses counts only if no older Ingress has a default backend.
        var claim = NewScope();
        var route = WithPolicy(claim, self, HostPattern.Any, new Route(ModelBuilder.RootPrefix, action, self, "spec.defaultBackend"));
        _steps.Add(new DefaultBackendClaim(route, claim.Diagnostics.ToArray(), [.. claim.Uses], [.. claim.RedirectsOff]));
    }

    private HostPattern? AddRule(string ns, V1IngressRule rule, ObjectRef self, int index)
    {
        string field = IngressFields.Rule(index);
        if (!HostParser.TryParse(rule.Host, out var host, out string hostError))
        {
            Diagnostics.Error(self, field + ".host", hostError + "; the rule is not served");
            return null;
        }

        var paths = rule.Http?.Paths ?? [];
        var routing = _annotations?.Routing ?? Model.Policies.IngressNginxRouting.None;
        if (paths.Count > _options.Limits.MaxPathsPerRule)
        {
            Diagnostics.Error(self, field + ".http.paths", $"has more than {_options.Limits.MaxPathsPerRule} paths; the rule is not served");
            return null;
        }

        for (int j = 0; j < paths.Count; j++)
        {
            string pathField = IngressFields.Path(index, j);
            var path = paths[j];
            // use-regex (or a rewrite-target with captures) makes the Ingress's Prefix and ImplementationSpecific paths
            // regular expressions, as ingress-nginx does ("^PATH", so no longer element-wise); Exact stays exact.
            PathMatch match;
            if (routing.UseRegex && path.PathType is "ImplementationSpecific" or "Prefix")
            {
                string pattern = string.IsNullOrEmpty(path.Path) ? "/" : path.Path;
                if (!IngressNginxAnnotations.TryParseRegexPath(pattern, routing.Rewrite, out _, out string regexError))
                {
                    Diagnostics.Error(self, $"{pathField}.path", $"{Printable.Quote(pattern)} is not a usable regular expression: {regexError}; the path is not served");
                    continue;
                }

                match = new PathMatch(PathKind.Regex, pattern);
            }
            else if (!PathParser.TryParse(path.Path, path.PathType, out match, out string subField, out string pathError))
            {
                Diagnostics.Error(self, $"{pathField}.{subField}", pathError + "; the path is not served");
                continue;
            }

            // ingress-nginx users bring regex paths (use-regex); here they would silently match only literally.
            if (match.Kind != PathKind.Regex && path.PathType == "ImplementationSpecific" && path.Path is { } literal && literal.AsSpan().IndexOfAny("()*+") >= 0)
            {
                Diagnostics.Warning(self, $"{pathField}.path", $"{Printable.Quote(literal)} looks like a regular expression; ImplementationSpecific paths are prefixes, matched literally");
            }

            var action = _scope.Backends.Resolve(ns, path.Backend, self, pathField + ".backend");
            if (action is null)
            {
                _unserved.Add(new UnservedRule(host, match, self, pathField, "rejected", "its backend is invalid"));
                continue;
            }

            if (routing.Canary is { } canary)
            {
                _steps.Add(new CanaryClaim(host, match, action, canary, pathField, Denial(self, host) is not null));
                continue;
            }

            action = Denial(self, host) ?? (RouteAction?)RedirectFor(self, host) ?? SplitOf(ns, self, host) ?? action;
            _routes.Add((host, WithPolicy(_scope, self, host, new Route(match, action, self, pathField))));
        }

        return host;
    }

    /// <summary>
    /// The action a policy's trafficSplit gives the routes of <paramref name="self"/> on <paramref name="host"/>
    /// (replacing the Ingress's own backends), or null. Resolved once per host.
    /// </summary>
    private RouteAction? SplitOf(string ns, ObjectRef self, HostPattern host)
    {
        if (!_splits.TryGetValue(host, out var action))
        {
            var split = _policies.PolicyFor(new NamespacedName(self.Namespace, self.Name), host)?.TrafficSplit;
            action = split is null ? null : TrafficSplitResolver.Resolve(_scope.Backends, ns, split.Value, self, "IngressPolicy.spec.trafficSplit");
            _splits[host] = action;
        }

        return action;
    }

    private void AddTls(string ns, V1IngressTLS tls, List<HostPattern> ruleHosts, ObjectRef self, string field)
    {
        if (tls.SecretName is not null && !DnsGrammar.IsSubdomain(tls.SecretName))
        {
            Diagnostics.Error(self, field + ".secretName", $"{Printable.Quote(tls.SecretName)} is not a valid Secret name; TLS for these hosts is not served");
            return;
        }

        if ((tls.Hosts?.Count ?? 0) > _options.Limits.MaxHostsPerTlsEntry)
        {
            Diagnostics.Error(self, field + ".hosts", $"has more than {_options.Limits.MaxHostsPerTlsEntry} hosts; the entry is not served");
            return;
        }

        // An entry without hosts covers every host of this Ingress's rules.
        var hosts = new List<HostPattern>();
        if (tls.Hosts is { Count: > 0 })
        {
            for (int k = 0; k < tls.Hosts.Count; k++)
            {
                if (HostParser.TryParse(tls.Hosts[k], out var host, out string error) && host.Kind != HostKind.Any)
                {
                    hosts.Add(host);

                    // TLS hosts match rule hosts literally ("*.example.com" does not cover "app.example.com"):
                    // say so, or a host silently stays on plain HTTP.
                    if (!ruleHosts.Contains(host))
                    {
                        Diagnostics.Warning(self, $"{field}.hosts[{k}]", $"{host} is not a host of this Ingress's rules; it gets this certificate only if another Ingress routes exactly that host");
                    }
                }
                else
                {
                    Diagnostics.Error(self, $"{field}.hosts[{k}]", (error.Length > 0 ? error : "must not be empty") + "; TLS for it is not served");
                }
            }
        }
        else
        {
            hosts.AddRange(ruleHosts.Where(h => h.Kind != HostKind.Any));
        }

        var secret = tls.SecretName is null ? (NamespacedName?)null : new NamespacedName(ns, tls.SecretName);
        foreach (var host in hosts.Distinct())
        {
            _steps.Add(new TlsClaimStep(host, secret, field));
        }
    }

    /// <summary>Where the policy of a route is resolved: the Ingress's own, or a claim's that may not count.</summary>
    private sealed record Scope(DiagnosticBag Diagnostics, List<UpstreamUse> Uses, BackendResolver Backends, AuthResolver Auth, List<(HostPattern Host, PathMatch Match)> RedirectsOff);
}
