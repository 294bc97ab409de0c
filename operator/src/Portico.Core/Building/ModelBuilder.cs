using System.Collections.Immutable;
using Portico.Core.Building.Policies;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Values;
using k8s.Models;

namespace Portico.Core.Building;

/// <summary>
/// The pure heart of Portico: a cluster snapshot in, a proxy model out, with a diagnostic for every object or field
/// that could not be used. Deterministic: the same snapshot and options always give an equal model.
/// </summary>
public static class ModelBuilder
{
    public static ProxyModel Build(ClusterSnapshot snapshot, BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var run = new BuildRun(snapshot, options);
        return run.Build();
    }

    /// <summary>The state of one build: everything here lives for one call only.</summary>
    private sealed class BuildRun
    {
        private readonly ClusterSnapshot _snapshot;
        private readonly BuildOptions _options;
        private readonly DiagnosticBag _diagnostics = new();
        private readonly RouteTable _routes = new();
        private readonly BackendResolver _backends;
        private readonly TlsCertificateLoader _certificates;
        private readonly AuthResolver _auth;
        private readonly Dictionary<HostPattern, TlsClaim> _tlsClaims = [];
        private readonly List<ObjectRef> _served = [];
        private readonly IngressPolicyBinder _policies;
        private readonly Dictionary<ObjectRef, RespondAction> _annotationDenials = [];
        private readonly Dictionary<ObjectRef, IngressNginxAnnotationResult> _annotations = [];
        private readonly HashSet<(HostPattern Host, PathMatch Match)> _httpsRedirectOff = [];
        private readonly List<UnservedRule> _unserved = [];
        private readonly List<(ObjectRef Ingress, HostPattern Host)> _wwwRedirects = [];
        private readonly Dictionary<(ObjectRef Ingress, HostPattern Host), RouteAction?> _splits = [];
        private Route? _defaultBackend;

        public BuildRun(ClusterSnapshot snapshot, BuildOptions options)
        {
            _snapshot = snapshot;
            _options = options;
            _backends = new BackendResolver(snapshot, options, _diagnostics);
            _certificates = new TlsCertificateLoader(snapshot, options.Limits);
            _policies = new IngressPolicyBinder(snapshot, _diagnostics);
            _auth = new AuthResolver(new BasicAuthLoader(snapshot), _backends, _diagnostics);
        }

        public ProxyModel Build()
        {
            var selector = new IngressClassSelector(_snapshot, _options, _diagnostics);
            var byClass = _snapshot.Ingresses.Values.ToLookup(selector.IsOurs);
            // ingress-nginx canaries join the route of their main Ingress, so every main Ingress goes first.
            foreach (var ingress in byClass[true].Order(IngressPrecedence.Instance).OrderBy(IsCanary))
            {
                AddIngress(ingress);
            }

            foreach (var ingress in byClass[false])
            {
                AddUnserved(ingress, "class", $"its class is not {Printable.Quote(_options.IngressClassName)} (or that class belongs to another controller)");
            }

            AddWwwRedirects();
            _certificates.Preload(_tlsClaims.Values.Select(c => c.Secret).OfType<NamespacedName>().Concat(_options.DefaultCertificate is { } d ? [d] : []));
            var certificates = new SortedDictionary<string, TlsCertificate>(StringComparer.Ordinal);
            string? defaultCertificateId = LoadDefaultCertificate(certificates);
            var virtualHosts = _routes.Hosts.Append(HostPattern.Any).Distinct().Order()
                .Select(host => VirtualHost(host, CertificateFor(host, certificates, defaultCertificateId)))
                .ToImmutableArray();

            return new ProxyModel(
                virtualHosts,
                _backends.Upstreams,
                [.. certificates.Values],
                _defaultBackend,
                defaultCertificateId,
                _diagnostics.ToSortedArray(),
                [.. _served.Order()],
                DesiredStatusBuilder.Build(_snapshot, _options, _served, _diagnostics.ToSortedArray(), _policies.Subjects(_served.ToHashSet())))
            {
                Unserved = [.. _unserved.OrderBy(u => u.Ingress).ThenBy(u => u.Field, StringComparer.Ordinal).ThenBy(u => u.Host).ThenBy(u => u.Match)],
            };
        }

        /// <summary>
        /// The host's rule routes, and the catch-all "/" when no rule claims the root: the default backend, or 404.
        /// A host served with TLS answers plain HTTP with a redirect when that is configured.
        /// </summary>
        private VirtualHost VirtualHost(HostPattern host, string? certificateId)
        {
            var routes = _routes.RoutesOf(host);
            var fallback = routes.Any(r => r.Match.IsRootPrefix) ? null : _defaultBackend ?? NotFound;
            var redirect = _options.RedirectHttpToHttps && certificateId is not null && host.Kind != HostKind.Any
                ? new RedirectAction("https", _options.HttpsRedirectPort, 308)
                : null;

            // A route whose policy turns the redirect off (httpsRedirect: false, ssl-redirect: "false") keeps plain
            // HTTP; the host-wide redirect then becomes a redirect on each of the other routes.
            if (redirect is not null && routes.Any(r => _httpsRedirectOff.Contains((host, r.Match))))
            {
                routes = [.. routes.Select(r => _httpsRedirectOff.Contains((host, r.Match)) || r.Policy.HttpsRedirect is not null ? r : r with { Policy = r.Policy with { HttpsRedirect = redirect } })];
                fallback = fallback is null ? null : fallback with { Policy = fallback.Policy with { HttpsRedirect = redirect } };
                redirect = null;
            }

            return new VirtualHost(host, routes, fallback, certificateId, redirect);
        }

        private static bool IsCanary(V1Ingress ingress) =>
            ingress.Metadata.Annotations?.TryGetValue("nginx.ingress.kubernetes.io/canary", out string? value) == true
            && IngressNginxAnnotations.Parse(new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/canary"] = value }, new ObjectRef(KnownKinds.Ingress, "default", "canary")).Routing.Canary is not null;

        private static readonly Route NotFound = new(RootPrefix, RespondAction.NotFound, Source: null, Field: string.Empty);

        private static PathMatch RootPrefix => new(PathKind.Prefix, "/");

        private void AddIngress(V1Ingress ingress)
        {
            string ns = ingress.Metadata.NamespaceProperty ?? "default";
            var self = new ObjectRef(KnownKinds.Ingress, ns, ingress.Metadata.Name);
            if (!DnsGrammar.IsLabel(ns) || !DnsGrammar.IsSubdomain(ingress.Metadata.Name))
            {
                _diagnostics.Error(self, "metadata", "namespace must be an RFC 1123 label and name an RFC 1123 subdomain; the Ingress is not served");
                AddUnserved(ingress, "rejected", "the Ingress is not served: its namespace or name is invalid");
                return;
            }

            var spec = ingress.Spec ?? new V1IngressSpec();
            var limits = _options.Limits;
            if ((spec.Rules?.Count ?? 0) > limits.MaxRulesPerIngress || (spec.Tls?.Count ?? 0) > limits.MaxTlsEntriesPerIngress)
            {
                _diagnostics.Error(self, "spec", $"has more than {limits.MaxRulesPerIngress} rules or {limits.MaxTlsEntriesPerIngress} TLS entries; the Ingress is not served");
                AddUnserved(ingress, "rejected", "the Ingress is not served: it has too many rules or TLS entries");
                return;
            }

            _served.Add(self);
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
        }

        /// <summary>
        /// ingress-nginx app-root (an Exact "/" redirected with 302 to the root path, on every host of the Ingress's
        /// rules, unless a rule already has an Exact "/") and from-to-www-redirect (remembered: the other names are
        /// added once every Ingress has claimed its hosts). An Ingress whose routes deny gets neither.
        /// </summary>
        private void AddAnnotationRedirects(ObjectRef self, IEnumerable<HostPattern> hosts)
        {
            var routing = _annotations.GetValueOrDefault(self)?.Routing ?? Model.Policies.IngressNginxRouting.None;
            foreach (var host in hosts)
            {
                if (Denial(self, host) is not null)
                {
                    continue;
                }

                if (routing.AppRoot is { } root)
                {
                    var route = new Route(new PathMatch(PathKind.Exact, "/"), new UrlRedirectAction(null, null, null, root, string.Empty, 302), self, AppRootField);
                    if (_routes.TryAdd(host, route) is { } holder)
                    {
                        _diagnostics.Warning(self, AppRootField, $"Exact / on host {host} is already served by {holder.Source}; app-root does not apply there");
                    }
                }

                if (routing.FromToWwwRedirect && host.Kind == HostKind.Exact)
                {
                    _wwwRedirects.Add((self, host));
                }
            }
        }

        private const string AppRootField = "metadata.annotations[nginx.ingress.kubernetes.io/app-root]";

        private const string WwwField = "metadata.annotations[nginx.ingress.kubernetes.io/from-to-www-redirect]";

        /// <summary>
        /// from-to-www-redirect: "www.NAME" redirects (308, scheme, path and query kept) to "NAME" and the other way round,
        /// unless a rule of any Ingress serves that other name. Oldest Ingress first, so the first claim of a name wins.
        /// </summary>
        private void AddWwwRedirects()
        {
            foreach (var (self, host) in _wwwRedirects)
            {
                string other = host.Value.StartsWith("www.", StringComparison.Ordinal) ? host.Value[4..] : "www." + host.Value;
                if (!HostParser.TryParse(other, out var otherHost, out _) || otherHost.Kind != HostKind.Exact)
                {
                    _diagnostics.Warning(self, WwwField, $"{Printable.Quote(other)} is not a host name; no redirect for it");
                    continue;
                }

                if (_routes.Contains(otherHost))
                {
                    continue;
                }

                _routes.TryAdd(otherHost, new Route(RootPrefix, new UrlRedirectAction(null, host.Value, null, null, null, 308), self, WwwField));
            }
        }

        /// <summary>
        /// The Ingress's ingress-nginx annotations: their diagnostics, and a 403 for every route when they carry access
        /// control that is refused (never served openly); the rest is applied to the routes as a policy is.
        /// </summary>
        private void ApplyAnnotations(V1Ingress ingress, ObjectRef self)
        {
            var annotations = IngressNginxAnnotations.Parse(ingress.Metadata.Annotations, self);
            _annotations[self] = annotations;
            foreach (var diagnostic in annotations.Diagnostics)
            {
                _diagnostics.Add(diagnostic);
            }

            if (annotations.AccessDenied)
            {
                string why = string.Join("; ", annotations.DenyReasons);
                _annotationDenials[self] = new RespondAction(403, $"ingress-nginx annotations of {self}: {why}; denied rather than served openly");
                _diagnostics.Warning(self, "metadata.annotations", $"access control in the annotations cannot be honoured ({why}); every route of this Ingress answers 403 until it is fixed");
            }

            if (annotations.Routing.NextUpstream is { } next && RoutePolicyResolver.UnmappedNextUpstream(next) is { Count: > 0 } unmapped)
            {
                _diagnostics.Warning(self, "metadata.annotations", $"proxy-next-upstream settings without a Portico counterpart are ignored (the others are enforced): {string.Join(", ", unmapped)}");
            }
        }

        /// <summary>
        /// Records the rule paths of an Ingress that is not served (parsed quietly, within the per-Ingress bounds), so
        /// `portico explain` can say why a request did not reach them.
        /// </summary>
        private void AddUnserved(V1Ingress ingress, string why, string reason)
        {
            var self = new ObjectRef(KnownKinds.Ingress, ingress.Metadata.NamespaceProperty ?? "default", ingress.Metadata.Name ?? string.Empty);
            var rules = ingress.Spec?.Rules ?? [];
            for (int i = 0; i < Math.Min(rules.Count, _options.Limits.MaxRulesPerIngress); i++)
            {
                var paths = rules[i].Http?.Paths ?? [];
                if (!HostParser.TryParse(rules[i].Host, out var host, out _))
                {
                    continue;
                }

                for (int j = 0; j < Math.Min(paths.Count, _options.Limits.MaxPathsPerRule); j++)
                {
                    if (PathParser.TryParse(paths[j].Path, paths[j].PathType, out var match, out _, out _))
                    {
                        _unserved.Add(new UnservedRule(host, match, self, IngressFields.Path(i, j), why, reason));
                    }
                }
            }
        }

        /// <summary>
        /// <paramref name="route"/> with what its Ingress's policies and annotations ask of it on <paramref name="host"/>
        /// (policy fields win over annotations). Routes that only answer a status carry no policy; a 503 for a backend
        /// without ready endpoints does: with live routing its location names that backend, and the endpoints arriving
        /// must never find a location without the route's access control (the workers would serve them openly while
        /// nginx reloads the policy in).
        /// </summary>
        private Route WithPolicy(ObjectRef self, HostPattern host, Route route)
        {
            if (route.Action is RespondAction { Backend: null })
            {
                return route;
            }

            var annotations = _annotations.GetValueOrDefault(self);
            var fromPolicies = _policies.PolicyFor(new NamespacedName(self.Namespace, self.Name), host);
            var spec = RoutePolicyResolver.Overlay(fromPolicies, annotations?.Policy);
            var routing = annotations?.Routing ?? Model.Policies.IngressNginxRouting.None;
            var policy = RoutePolicyResolver.Resolve(spec, routing, _options);

            // Authentication names a Secret or a Service: resolved here (the resolver stays pure); what cannot be
            // resolved makes the route answer 403, never serve openly.
            var (resolved, denied) = _auth.Resolve(policy, spec, fromPolicies?.BasicAuth is not null, routing.BasicAuthFormat ?? Model.Policies.BasicAuthSecretFormat.AuthFile, self);
            if (denied is not null)
            {
                return route with { Action = denied };
            }

            if (spec?.HttpsRedirect == false)
            {
                _httpsRedirectOff.Add((host, route.Match));
            }

            if (resolved.Rewrite is { } rewrite && !RewriteApplies(rewrite, route.Match, out string why))
            {
                _diagnostics.Warning(self, route.Field, $"{route.Match}: {why}; the path is passed on unchanged");
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
            var annotations = _annotations.GetValueOrDefault(self);
            var spec = RoutePolicyResolver.Overlay(_policies.PolicyFor(new NamespacedName(self.Namespace, self.Name), host), annotations?.Policy);
            return RoutePolicyResolver.Redirect(spec, annotations?.Routing ?? Model.Policies.IngressNginxRouting.None);
        }

        /// <summary>The 403 a route of <paramref name="self"/> on <paramref name="host"/> gets because its access control cannot be honoured, or null.</summary>
        private RespondAction? Denial(ObjectRef self, HostPattern host) =>
            _annotationDenials.GetValueOrDefault(self) ?? _policies.DenialFor(new NamespacedName(self.Namespace, self.Name), host);

        private void AddDefaultBackend(string ns, V1IngressBackend backend, ObjectRef self)
        {
            var action = _backends.Resolve(ns, backend, self, "spec.defaultBackend");
            if (action is null)
            {
                return;
            }

            action = Denial(self, HostPattern.Any) ?? (RouteAction?)RedirectFor(self, HostPattern.Any) ?? SplitOf(ns, self, HostPattern.Any) ?? action;

            if (_defaultBackend is { } holder)
            {
                _diagnostics.Error(self, "spec.defaultBackend", $"ignored: {holder.Source} is older and already defines the default backend");
                return;
            }

            _defaultBackend = WithPolicy(self, HostPattern.Any, new Route(RootPrefix, action, self, "spec.defaultBackend"));
        }

        private HostPattern? AddRule(string ns, V1IngressRule rule, ObjectRef self, int index)
        {
            string field = IngressFields.Rule(index);
            if (!HostParser.TryParse(rule.Host, out var host, out string hostError))
            {
                _diagnostics.Error(self, field + ".host", hostError + "; the rule is not served");
                return null;
            }

            var paths = rule.Http?.Paths ?? [];
            var routing = _annotations.GetValueOrDefault(self)?.Routing ?? Model.Policies.IngressNginxRouting.None;
            if (paths.Count > _options.Limits.MaxPathsPerRule)
            {
                _diagnostics.Error(self, field + ".http.paths", $"has more than {_options.Limits.MaxPathsPerRule} paths; the rule is not served");
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
                        _diagnostics.Error(self, $"{pathField}.path", $"{Printable.Quote(pattern)} is not a usable regular expression: {regexError}; the path is not served");
                        continue;
                    }

                    match = new PathMatch(PathKind.Regex, pattern);
                }
                else if (!PathParser.TryParse(path.Path, path.PathType, out match, out string subField, out string pathError))
                {
                    _diagnostics.Error(self, $"{pathField}.{subField}", pathError + "; the path is not served");
                    continue;
                }

                // ingress-nginx users bring regex paths (use-regex); here they would silently match only literally.
                if (match.Kind != PathKind.Regex && path.PathType == "ImplementationSpecific" && path.Path is { } literal && literal.AsSpan().IndexOfAny("()*+") >= 0)
                {
                    _diagnostics.Warning(self, $"{pathField}.path", $"{Printable.Quote(literal)} looks like a regular expression; ImplementationSpecific paths are prefixes, matched literally");
                }

                var action = _backends.Resolve(ns, path.Backend, self, pathField + ".backend");
                if (action is null)
                {
                    _unserved.Add(new UnservedRule(host, match, self, pathField, "rejected", "its backend is invalid"));
                    continue;
                }

                if (_annotations.GetValueOrDefault(self)?.Routing.Canary is { } canary)
                {
                    AddCanary(host, match, action, canary, self, pathField);
                    continue;
                }

                action = Denial(self, host) ?? (RouteAction?)RedirectFor(self, host) ?? SplitOf(ns, self, host) ?? action;

                if (_routes.TryAdd(host, WithPolicy(self, host, new Route(match, action, self, pathField))) is { } holder)
                {
                    string by = holder.Source == self ? "an earlier path of this Ingress" : $"{holder.Source} (older)";
                    _diagnostics.Error(self, pathField, $"{match} on host {host} is already served by {by}; this path is not served");
                }
            }

            return host;
        }

        /// <summary>
        /// The action a policy's trafficSplit gives the routes of <paramref name="self"/> on <paramref name="host"/>
        /// (replacing the Ingress's own backends), or null. Resolved once per Ingress and host.
        /// </summary>
        private RouteAction? SplitOf(string ns, ObjectRef self, HostPattern host)
        {
            if (!_splits.TryGetValue((self, host), out var action))
            {
                var split = _policies.PolicyFor(new NamespacedName(self.Namespace, self.Name), host)?.TrafficSplit;
                action = split is null ? null : TrafficSplitResolver.Resolve(_backends, ns, split.Value, self, "IngressPolicy.spec.trafficSplit");
                _splits[(self, host)] = action;
            }

            return action;
        }

        /// <summary>
        /// An ingress-nginx canary path joins the main route of the same host and path (served by an older, non-canary
        /// Ingress) as a split: its header and cookie rules first (<see cref="CanarySelectors"/>), then canary-weight of
        /// canary-weight-total requests go to the canary's backend. As in
        /// ingress-nginx, the canary's other annotations do not apply, and a canary without a main route is not served.
        /// </summary>
        private void AddCanary(HostPattern host, PathMatch match, RouteAction action, Model.Policies.CanaryRule canary, ObjectRef self, string pathField)
        {
            var main = _routes.Get(host, match);
            string? refusal = main is null ? $"no other Ingress serves {match} on host {host}"
                : Denial(self, host) is not null ? "its access control cannot be honoured"
                : CanaryUpstream(action) is null ? "its backend has no upstream (a missing Service or an ExternalName)"
                : MainUpstream(main.Action) is null ? $"the main route of {main.Source} does not proxy to a single Service"
                : null;
            if (refusal is not null)
            {
                _diagnostics.Warning(self, pathField, $"this canary is not served: {refusal}");
                _unserved.Add(new UnservedRule(host, match, self, pathField, "canary", $"the canary is not served: {refusal}"));
                return;
            }

            string mainUpstream = MainUpstream(main!.Action)!;
            string canaryUpstream = CanaryUpstream(action)!;
            var selectors = CanarySelectors(canary, mainUpstream, canaryUpstream);
            int mainWeight = canary.WeightTotal - canary.Weight;
            var backends = new List<WeightedUpstream>();
            if (mainWeight > 0)
            {
                backends.Add(new WeightedUpstream(mainUpstream, mainWeight));
            }

            if (canary.Weight > 0)
            {
                backends.Add(new WeightedUpstream(canaryUpstream, canary.Weight));
            }

            RouteAction merged = backends.Count == 1 && selectors.Count == 0
                ? _backends.ActionFor(backends[0].UpstreamName)
                : new SplitAction([.. backends]) { Selectors = [.. selectors] };
            _routes.Replace(host, main with { Action = merged });
        }

        /// <summary>
        /// ingress-nginx's precedence, header then cookie then weight: the header "always" (or exactly canary-by-header-value
        /// when set) sends the request to the canary, "never" (only without a value) to the main backend; the cookie the
        /// same with "always" and "never"; any other value falls through to the next rule.
        /// </summary>
        private static List<SplitSelector> CanarySelectors(Model.Policies.CanaryRule canary, string mainUpstream, string canaryUpstream)
        {
            var selectors = new List<SplitSelector>();
            if (canary.Header is { } header)
            {
                if (canary.HeaderValue is { } value)
                {
                    selectors.Add(new SplitSelector(SelectorSource.Header, header, value, canaryUpstream));
                }
                else
                {
                    selectors.Add(new SplitSelector(SelectorSource.Header, header, "always", canaryUpstream));
                    selectors.Add(new SplitSelector(SelectorSource.Header, header, "never", mainUpstream));
                }
            }

            if (canary.Cookie is { } cookie)
            {
                selectors.Add(new SplitSelector(SelectorSource.Cookie, cookie, "always", canaryUpstream));
                selectors.Add(new SplitSelector(SelectorSource.Cookie, cookie, "never", mainUpstream));
            }

            return selectors;
        }

        private static string? CanaryUpstream(RouteAction action) => MainUpstream(action);

        /// <summary>The one upstream an action proxies to (or would, once it has endpoints); null for anything else.</summary>
        private static string? MainUpstream(RouteAction action) => action switch
        {
            ForwardAction forward => forward.UpstreamName,
            RespondAction { Status: 503, Backend: { } upstream } => upstream,
            _ => null,
        };

        private void AddTls(string ns, V1IngressTLS tls, List<HostPattern> ruleHosts, ObjectRef self, string field)
        {
            if (tls.SecretName is not null && !DnsGrammar.IsSubdomain(tls.SecretName))
            {
                _diagnostics.Error(self, field + ".secretName", $"{Printable.Quote(tls.SecretName)} is not a valid Secret name; TLS for these hosts is not served");
                return;
            }

            if ((tls.Hosts?.Count ?? 0) > _options.Limits.MaxHostsPerTlsEntry)
            {
                _diagnostics.Error(self, field + ".hosts", $"has more than {_options.Limits.MaxHostsPerTlsEntry} hosts; the entry is not served");
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
                            _diagnostics.Warning(self, $"{field}.hosts[{k}]", $"{host} is not a host of this Ingress's rules; it gets this certificate only if another Ingress routes exactly that host");
                        }
                    }
                    else
                    {
                        _diagnostics.Error(self, $"{field}.hosts[{k}]", (error.Length > 0 ? error : "must not be empty") + "; TLS for it is not served");
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
                if (_tlsClaims.TryGetValue(host, out var holder))
                {
                    if (holder.Secret != secret)
                    {
                        _diagnostics.Warning(self, field, $"host {host} already has TLS from {holder.Owner} (older, Secret {holder.Secret?.ToString() ?? "<default>"}); that one is used");
                    }

                    continue;
                }

                _tlsClaims[host] = new TlsClaim(secret, self, field + ".secretName");
            }
        }

        private string? CertificateFor(HostPattern host, SortedDictionary<string, TlsCertificate> certificates, string? defaultCertificateId)
        {
            if (!_tlsClaims.TryGetValue(host, out var claim))
            {
                return null;
            }

            if (claim.Secret is not { } secret)
            {
                return defaultCertificateId;
            }

            var certificate = _certificates.Load(secret, out string error);
            if (certificate is null)
            {
                _diagnostics.Warning(claim.Owner, claim.Field, $"{error}; host {host} falls back to the default certificate");
                return defaultCertificateId;
            }

            certificates[certificate.Id] = certificate;
            return certificate.Id;
        }

        private string? LoadDefaultCertificate(SortedDictionary<string, TlsCertificate> certificates)
        {
            if (_options.DefaultCertificate is not { } secret)
            {
                return null;
            }

            var certificate = _certificates.Load(secret, out string error);
            if (certificate is null)
            {
                _diagnostics.Warning(new ObjectRef(KnownKinds.Secret, secret.Namespace, secret.Name), "data", $"{error}; it cannot be the default certificate");
                return null;
            }

            certificates[certificate.Id] = certificate;
            return certificate.Id;
        }

        private sealed record TlsClaim(NamespacedName? Secret, ObjectRef Owner, string Field);
    }
}
