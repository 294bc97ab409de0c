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
    internal const string AppRootField = "metadata.annotations[nginx.ingress.kubernetes.io/app-root]";

    internal static PathMatch RootPrefix => new(PathKind.Prefix, "/");

    public static ProxyModel Build(ClusterSnapshot snapshot, BuildOptions options) => Build(snapshot, options, previous: null).Model;

    /// <summary>
    /// The same model as <see cref="Build(ClusterSnapshot, BuildOptions)"/>, using again the plan of every Ingress
    /// whose inputs did not change since <paramref name="previous"/> was made (ADR 0020); the memo to pass next time.
    /// </summary>
    public static (ProxyModel Model, BuildMemo Memo) Build(ClusterSnapshot snapshot, BuildOptions options, BuildMemo? previous)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var run = new BuildRun(snapshot, options, previous);
        var model = run.Build();
        return (model, run.Memo);
    }

    /// <summary>The state of one build: everything here lives for one call only.</summary>
    private sealed class BuildRun
    {
        private readonly ClusterSnapshot _snapshot;
        private readonly BuildOptions _options;
        private readonly BuildMemo? _previous;
        private readonly DiagnosticBag _diagnostics = new();
        private readonly RouteTable _routes = new();
        private readonly UpstreamTable _upstreams;
        private readonly BasicAuthLoader _basicAuth;
        private readonly TlsCertificateLoader _certificates;
        private readonly Dictionary<HostPattern, TlsClaim> _tlsClaims = [];
        private readonly List<ObjectRef> _served = [];
        private readonly IngressPolicyBinder _policies;
        private readonly HashSet<(HostPattern Host, PathMatch Match)> _httpsRedirectOff = [];
        private readonly List<UnservedRule> _unserved = [];
        private readonly List<(ObjectRef Ingress, HostPattern Host)> _wwwRedirects = [];
        private readonly Dictionary<NamespacedName, IngressPlan> _plans = [];
        private int _reused;
        private Route? _defaultBackend;

        public BuildRun(ClusterSnapshot snapshot, BuildOptions options, BuildMemo? previous)
        {
            _snapshot = snapshot;
            _options = options;
            _previous = previous;
            _upstreams = new UpstreamTable(snapshot, options, _diagnostics);
            _basicAuth = new BasicAuthLoader(snapshot);
            _certificates = new TlsCertificateLoader(snapshot, options.Limits);
            _policies = new IngressPolicyBinder(snapshot, _diagnostics);
        }

        public BuildMemo Memo => new(_options, _plans, _reused);

        public ProxyModel Build()
        {
            var selector = new IngressClassSelector(_snapshot, _options, _diagnostics);
            var byClass = _snapshot.Ingresses.ToLookup(pair => selector.IsOurs(pair.Value));
            // ingress-nginx canaries join the route of their main Ingress, so every main Ingress goes first.
            foreach (var (key, ingress) in byClass[true].OrderBy(pair => pair.Value, IngressPrecedence.Instance).OrderBy(pair => IsCanary(pair.Value)))
            {
                var plan = Reusable(key, ingress) ?? IngressPlanner.Plan(ingress, _snapshot, _options, _policies, _upstreams, _basicAuth);
                _plans[key] = plan;
                Apply(plan);
            }

            foreach (var (_, ingress) in byClass[false])
            {
                IngressPlanner.AddUnserved(_unserved, _options.Limits, ingress, "class", $"its class is not {Printable.Quote(_options.IngressClassName)} (or that class belongs to another controller)");
            }

            AddWwwRedirects();
            _certificates.Preload(_tlsClaims.Values.Select(c => c.Secret).OfType<NamespacedName>().Concat(_options.DefaultCertificate is { } d ? [d] : []));
            var certificates = new SortedDictionary<string, TlsCertificate>(StringComparer.Ordinal);
            string? defaultCertificateId = LoadDefaultCertificate(certificates);
            var virtualHosts = _routes.Hosts.Append(HostPattern.Any).Distinct().Order()
                .Select(host => VirtualHost(host, CertificateFor(host, certificates, defaultCertificateId)))
                .ToImmutableArray();

            var diagnostics = _diagnostics.ToSortedArray();
            return new ProxyModel(
                virtualHosts,
                _upstreams.All,
                [.. certificates.Values],
                _defaultBackend,
                defaultCertificateId,
                diagnostics,
                [.. _served.Order()],
                DesiredStatusBuilder.Build(_snapshot, _options, _served, diagnostics, _policies.Subjects(_served.ToHashSet())))
            {
                Unserved = [.. _unserved.OrderBy(u => u.Ingress).ThenBy(u => u.Field, StringComparer.Ordinal).ThenBy(u => u.Host).ThenBy(u => u.Match)],
            };
        }

        /// <summary>
        /// The previous build's plan of <paramref name="ingress"/>, if it was made from the same inputs: the same
        /// Ingress and options objects, the same Service and Secret objects where it read them, the same policies
        /// targeting it, and each upstream it used as empty (or not) as it was.
        /// </summary>
        private IngressPlan? Reusable(NamespacedName key, V1Ingress ingress)
        {
            if (_previous is null || !ReferenceEquals(_previous.Options, _options) || !_previous.Plans.TryGetValue(key, out var plan)
                || !ReferenceEquals(plan.Ingress, ingress) || !PlanReads.Unchanged(plan.Services, _snapshot.Services)
                || !_policies.Targeting(new NamespacedName(plan.Self.Namespace, plan.Self.Name)).SequenceEqual(plan.Rare?.Policies ?? [], ReferenceEqualityComparer.Instance)
                || !_upstreams.AsEmptyAsWhenUsed(plan.Upstreams))
            {
                return null;
            }

            if (plan.Rare is { } rare)
            {
                if (!PlanReads.Unchanged(rare.Secrets, _snapshot.Secrets))
                {
                    return null;
                }

                foreach (var step in rare.Steps)
                {
                    if (step is DefaultBackendClaim claim && !_upstreams.AsEmptyAsWhenUsed(claim.Upstreams))
                    {
                        return null;
                    }
                }
            }

            _reused++;
            return plan;
        }

        /// <summary>Adds what <paramref name="plan"/> says and uses, and settles its claims against the Ingresses before it.</summary>
        private void Apply(IngressPlan plan)
        {
            _upstreams.EnsureAll(plan.Upstreams);
            var self = plan.Self;
            if (plan.Served)
            {
                _served.Add(self);
            }

            foreach (var (host, route) in plan.Routes)
            {
                if (_routes.TryAdd(host, route) is { } holder)
                {
                    string by = holder.Source == self ? "an earlier path of this Ingress" : $"{holder.Source} (older)";
                    _diagnostics.Error(self, route.Field, $"{route.Match} on host {host} is already served by {by}; this path is not served");
                }
            }

            if (plan.Rare is not { } rare)
            {
                return;
            }

            _diagnostics.AddRange(rare.Diagnostics);
            _unserved.AddRange(rare.Unserved);
            _httpsRedirectOff.UnionWith(rare.RedirectsOff);

            // After the routes: app-root yields to a rule's Exact "/" of the same Ingress.
            foreach (var step in rare.Steps)
            {
                switch (step)
                {
                    case CanaryClaim canary:
                        AddCanary(canary, self);
                        break;
                    case DefaultBackendClaim claim:
                        AddDefaultBackend(claim, self);
                        break;
                    case TlsClaimStep claim:
                        AddTls(claim, self);
                        break;
                    case AppRootClaim claim:
                        if (_routes.TryAdd(claim.Host, claim.Route) is { } taken)
                        {
                            _diagnostics.Warning(self, AppRootField, $"Exact / on host {claim.Host} is already served by {taken.Source}; app-root does not apply there");
                        }

                        break;
                    case WwwRedirectClaim claim:
                        _wwwRedirects.Add((self, claim.Host));
                        break;
                    default:
                        throw new InvalidOperationException($"unknown plan step {step.GetType().Name}");
                }
            }
        }

        private void AddDefaultBackend(DefaultBackendClaim claim, ObjectRef self)
        {
            if (_defaultBackend is { } holder)
            {
                _diagnostics.Error(self, "spec.defaultBackend", $"ignored: {holder.Source} is older and already defines the default backend");
                return;
            }

            _diagnostics.AddRange(claim.Diagnostics);
            _upstreams.EnsureAll(claim.Upstreams);
            _httpsRedirectOff.UnionWith(claim.RedirectsOff);
            _defaultBackend = claim.Route;
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
        /// An ingress-nginx canary path joins the main route of the same host and path (served by an older, non-canary
        /// Ingress) as a split: its header and cookie rules first (<see cref="CanarySelectors"/>), then canary-weight of
        /// canary-weight-total requests go to the canary's backend. As in
        /// ingress-nginx, the canary's other annotations do not apply, and a canary without a main route is not served.
        /// </summary>
        private void AddCanary(CanaryClaim claim, ObjectRef self)
        {
            var (host, match, action, canary, pathField, denied) = claim;
            var main = _routes.Get(host, match);
            string? refusal = main is null ? $"no other Ingress serves {match} on host {host}"
                : denied ? "its access control cannot be honoured"
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
                ? _upstreams.ActionFor(backends[0].UpstreamName)
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

        private void AddTls(TlsClaimStep claim, ObjectRef self)
        {
            var (host, secret, field) = claim;
            if (_tlsClaims.TryGetValue(host, out var holder))
            {
                if (holder.Secret != secret)
                {
                    _diagnostics.Warning(self, field, $"host {host} already has TLS from {holder.Owner} (older, Secret {holder.Secret?.ToString() ?? "<default>"}); that one is used");
                }

                return;
            }

            _tlsClaims[host] = new TlsClaim(secret, self, field + ".secretName");
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
