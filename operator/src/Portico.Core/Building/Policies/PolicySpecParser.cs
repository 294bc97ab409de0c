using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.Core.Model.Policies;
using Portico.Core.Values;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Turns an IngressPolicy's spec into a <see cref="PolicySpec"/> of typed values, or into the list of fields it
/// refuses (each with the field path and why). All or nothing: a policy with any refused field contributes none of
/// its values (the builder makes it Accepted=False, and makes its target deny when it carried access control).
/// </summary>
public static partial class PolicySpecParser
{
    public const int MaxListItems = 256;

    private static readonly HashSet<string> Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "*"];

    /// <summary>
    /// Specs parsed without an error, by object: every build reads every IngressPolicy again, and at 10,000 Ingresses
    /// (a policy on every tenth) parsing them was a tenth of a build's garbage (issue 13). An object of the snapshot
    /// is never modified (a change is a new object), so its parse holds while it lives.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IngressPolicySpec, PolicySpec> Accepted = [];

    public static (PolicySpec? Spec, IReadOnlyList<(string Field, string Message)> Errors) Parse(IngressPolicySpec? spec)
    {
        if (spec is not null && Accepted.TryGetValue(spec, out var known))
        {
            return (known, []);
        }

        var (parsed, errors) = ParseNew(spec);
        if (parsed is not null)
        {
            Accepted.AddOrUpdate(spec!, parsed);
        }

        return (parsed, errors);
    }

    private static (PolicySpec? Spec, IReadOnlyList<(string Field, string Message)> Errors) ParseNew(IngressPolicySpec? spec)
    {
        var errors = new List<(string Field, string Message)>();
        if (spec is null)
        {
            errors.Add(("spec", "is required"));
            return (null, errors);
        }

        var reader = new Reader(errors);
        reader.TargetRef(spec.TargetRef);
        var parsed = new PolicySpec
        {
            RequestHeaders = reader.Headers(spec.RequestHeaders, "spec.requestHeaders"),
            ResponseHeaders = reader.Headers(spec.ResponseHeaders, "spec.responseHeaders"),
            Cors = reader.Cors(spec.Cors),
            IpAccess = reader.IpAccess(spec.IpAllowList, spec.IpDenyList),
            RateLimit = reader.RateLimit(spec.RateLimit),
            RewritePrefix = reader.RewritePrefix(spec.Rewrite),
            Redirect = reader.Redirect(spec.Redirect),
            Timeouts = reader.Timeouts(spec.Timeouts),
            Retries = reader.Retries(spec.Retries),
            BasicAuth = reader.BasicAuth(spec.BasicAuth),
            ExternalAuth = reader.ExternalAuth(spec.ExternalAuth),
            MaxRequestBodyBytes = reader.BodySize(spec.MaxRequestBodySize),
            SessionAffinity = reader.Affinity(spec.SessionAffinity),
            LoadBalancing = reader.LoadBalancing(spec.LoadBalancing),
            TrafficSplit = reader.TrafficSplit(spec.TrafficSplit),
            HttpsRedirect = spec.HttpsRedirect,
        };
        return errors.Count == 0 ? (parsed, errors) : (null, errors);
    }

    /// <summary>Reads one spec, adding an error per refused field; the methods return null for what is absent or refused.</summary>
    private sealed class Reader(List<(string Field, string Message)> errors)
    {
        private bool Fail(string field, string message)
        {
            errors.Add((field, message));
            return false;
        }

        private T? Refuse<T>(string field, string message)
        {
            errors.Add((field, message));
            return default;
        }

        public void TargetRef(PolicyTargetRef? target)
        {
            if (target is null)
            {
                Fail("spec.targetRef", "is required");
                return;
            }

            if (target.Group != "networking.k8s.io" || target.Kind != "Ingress")
            {
                Fail("spec.targetRef", "must name group networking.k8s.io and kind Ingress");
            }

            if (!DnsGrammar.IsSubdomain(target.Name))
            {
                Fail("spec.targetRef.name", $"{Printable.Quote(target.Name)} is not an Ingress name (an Ingress of the policy's own namespace)");
            }

            if (target.SectionName is { } section && !HostParser.TryParse(section, out _, out _))
            {
                Fail("spec.targetRef.sectionName", $"{Printable.Quote(section)} is not a rule host");
            }
        }

        public HeaderMutation? Headers(HeaderModifier? modifier, string field)
        {
            if (modifier is null)
            {
                return null;
            }

            var add = Entries(modifier.Add, field + ".add");
            var set = Entries(modifier.Set, field + ".set");
            var remove = Names(modifier.Remove, field + ".remove");
            return add is null || set is null || remove is null ? null : new HeaderMutation(add.Value, set.Value, remove.Value);
        }

        private EquatableArray<HeaderEntry>? Entries(IList<Kubernetes.Crds.HeaderValue>? entries, string field)
        {
            var result = new List<HeaderEntry>();
            if (!Bounded(entries, field))
            {
                return null;
            }

            bool ok = true;
            for (int i = 0; i < (entries?.Count ?? 0); i++)
            {
                var entry = entries![i];
                if (!HeaderNameValue.TryParse(entry?.Name, out string name))
                {
                    ok = Fail($"{field}[{i}].name", $"{Printable.Quote(entry?.Name)} {HeaderNameValue.Rule}");
                }
                else if (!HeaderValueText.IsValid(entry!.Value) || entry.Value!.Contains('$', StringComparison.Ordinal))
                {
                    ok = Fail($"{field}[{i}].value", $"{Printable.Quote(entry.Value)} {HeaderValueText.Rule}, without \"$\"");
                }
                else
                {
                    result.Add(new HeaderEntry(name, entry.Value));
                }
            }

            return ok ? [.. result] : null;
        }

        private EquatableArray<string>? Names(IList<string>? names, string field)
        {
            if (!Bounded(names, field))
            {
                return null;
            }

            var result = new List<string>();
            bool ok = true;
            for (int i = 0; i < (names?.Count ?? 0); i++)
            {
                if (HeaderNameValue.TryParse(names![i], out string name))
                {
                    result.Add(name);
                }
                else
                {
                    ok = Fail($"{field}[{i}]", $"{Printable.Quote(names[i])} {HeaderNameValue.Rule}");
                }
            }

            return ok ? [.. result.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : null;
        }

        public CorsRule? Cors(CorsPolicy? cors)
        {
            if (cors is null)
            {
                return null;
            }

            var origins = new List<string>();
            bool ok = Bounded(cors.AllowOrigins, "spec.cors.allowOrigins");
            for (int i = 0; ok && i < (cors.AllowOrigins?.Count ?? 0); i++)
            {
                if (OriginValue.TryParse(cors.AllowOrigins![i], out string origin))
                {
                    origins.Add(origin);
                }
                else
                {
                    ok = Fail($"spec.cors.allowOrigins[{i}]", $"{Printable.Quote(cors.AllowOrigins[i])} {OriginValue.Rule}");
                }
            }

            if (origins.Contains("*") && cors.AllowCredentials == true)
            {
                ok = Fail("spec.cors.allowCredentials", "cannot be true with the origin \"*\" (browsers refuse it); list the origins");
            }

            var methods = new List<string>();
            for (int i = 0; i < (cors.AllowMethods?.Count ?? 0); i++)
            {
                string? method = cors.AllowMethods![i];
                if (method is not null && Methods.Contains(method))
                {
                    methods.Add(method);
                }
                else
                {
                    ok = Fail($"spec.cors.allowMethods[{i}]", $"{Printable.Quote(method)} must be an HTTP method in capitals (GET, POST, ...) or \"*\"");
                }
            }

            var allowHeaders = Names(cors.AllowHeaders, "spec.cors.allowHeaders");
            var exposeHeaders = Names(cors.ExposeHeaders, "spec.cors.exposeHeaders");
            TimeSpan? maxAge = Duration(cors.MaxAge, "spec.cors.maxAge", out bool maxAgeOk);
            return ok && maxAgeOk && allowHeaders is not null && exposeHeaders is not null
                ? new CorsRule([.. origins.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], [.. methods.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], allowHeaders.Value, exposeHeaders.Value, cors.AllowCredentials ?? false, maxAge)
                : null;
        }

        public IpAccessRule? IpAccess(IList<string>? allow, IList<string>? deny)
        {
            if (allow is null && deny is null)
            {
                return null;
            }

            var allowed = Networks(allow, "spec.ipAllowList");
            var denied = Networks(deny, "spec.ipDenyList");
            return allowed is null || denied is null ? null : new IpAccessRule(allowed.Value, denied.Value);
        }

        private EquatableArray<IPNetwork>? Networks(IList<string>? texts, string field)
        {
            if (!Bounded(texts, field))
            {
                return null;
            }

            var networks = new List<IPNetwork>();
            bool ok = true;
            for (int i = 0; i < (texts?.Count ?? 0); i++)
            {
                if (IpNetworkValue.TryParse(texts![i], out var network, out string error))
                {
                    networks.Add(network);
                }
                else
                {
                    ok = Fail($"{field}[{i}]", $"{Printable.Quote(texts[i])} {error}");
                }
            }

            return ok ? [.. networks.Distinct().OrderBy(n => n.BaseAddress.AddressFamily).ThenBy(n => n.ToString(), StringComparer.Ordinal)] : null;
        }

        public RateLimitRule? RateLimit(RateLimitPolicy? limit)
        {
            if (limit is null)
            {
                return null;
            }

            if (limit.RequestsPerSecond is not (>= 1 and <= 1_000_000))
            {
                return Refuse<RateLimitRule?>("spec.rateLimit.requestsPerSecond", "must be a number from 1 to 1000000");
            }

            if (limit.Burst is < 0 or > 1_000_000)
            {
                return Refuse<RateLimitRule?>("spec.rateLimit.burst", "must be a number from 0 to 1000000");
            }

            return new RateLimitRule(limit.RequestsPerSecond.Value, limit.Burst ?? 0);
        }

        public string? RewritePrefix(RewritePolicy? rewrite)
        {
            if (rewrite?.ReplacePrefixMatch is not { } path)
            {
                return null;
            }

            return PathText().IsMatch(path) ? path : Refuse<string?>("spec.rewrite.replacePrefixMatch", $"{Printable.Quote(path)} {PathRule}");
        }

        public RedirectRule? Redirect(RedirectPolicy? redirect)
        {
            if (redirect is null)
            {
                return null;
            }

            bool ok = true;
            if (redirect.Scheme is { } scheme && scheme is not ("http" or "https"))
            {
                ok = Fail("spec.redirect.scheme", $"{Printable.Quote(scheme)} must be http or https");
            }

            string? hostname = null;
            if (redirect.Hostname is { } host)
            {
                hostname = DnsGrammar.ToLowerAscii(host);
                if (!DnsGrammar.IsSubdomain(hostname))
                {
                    ok = Fail("spec.redirect.hostname", $"{Printable.Quote(host)} is not a DNS name");
                }
            }

            if (redirect.Path is { } path && !PathText().IsMatch(path))
            {
                ok = Fail("spec.redirect.path", $"{Printable.Quote(path)} {PathRule}");
            }

            if (redirect.Port is < 1 or > 65535)
            {
                ok = Fail("spec.redirect.port", $"{redirect.Port} is not a port number");
            }

            int status = redirect.StatusCode ?? 302;
            if (status is not (301 or 302 or 303 or 307 or 308))
            {
                ok = Fail("spec.redirect.statusCode", $"{status} must be 301, 302, 303, 307 or 308");
            }

            return ok ? new RedirectRule(redirect.Scheme, hostname, redirect.Path, redirect.Port, status) : null;
        }

        public TimeoutRule? Timeouts(TimeoutPolicy? timeouts)
        {
            if (timeouts is null)
            {
                return null;
            }

            var connect = Duration(timeouts.Connect, "spec.timeouts.connect", out bool a);
            var request = Duration(timeouts.Request, "spec.timeouts.request", out bool b);
            var idle = Duration(timeouts.Idle, "spec.timeouts.idle", out bool c);
            return a && b && c ? new TimeoutRule(connect, request, idle) : null;
        }

        public RetryRule? Retries(RetryPolicy? retries)
        {
            if (retries is null)
            {
                return null;
            }

            bool ok = true;
            if (retries.Attempts is < 0 or > 10)
            {
                ok = Fail("spec.retries.attempts", "must be a number from 0 to 10");
            }

            var perTry = Duration(retries.PerTryTimeout, "spec.retries.perTryTimeout", out bool perTryOk);
            var on = new List<RetryCondition>();
            for (int i = 0; i < (retries.On?.Count ?? 0); i++)
            {
                RetryCondition? condition = retries.On![i] switch
                {
                    "connect-failure" => RetryCondition.ConnectFailure,
                    "reset" => RetryCondition.Reset,
                    "5xx" => RetryCondition.ServerError,
                    "gateway-error" => RetryCondition.GatewayError,
                    _ => null,
                };
                if (condition is { } known)
                {
                    on.Add(known);
                }
                else
                {
                    ok = Fail($"spec.retries.on[{i}]", $"{Printable.Quote(retries.On[i])} must be connect-failure, reset, 5xx or gateway-error");
                }
            }

            return ok && perTryOk ? new RetryRule(retries.Attempts ?? 1, perTry, [.. on.Distinct().Order()]) : null;
        }

        public BasicAuthRule? BasicAuth(BasicAuthPolicy? auth)
        {
            if (auth is null)
            {
                return null;
            }

            bool ok = true;
            if (!DnsGrammar.IsSubdomain(auth.SecretRef?.Name))
            {
                ok = Fail("spec.basicAuth.secretRef.name", $"{Printable.Quote(auth.SecretRef?.Name)} is not a Secret name (a Secret of the policy's own namespace)");
            }

            string realm = auth.Realm ?? "Authentication required";
            if (!RealmText().IsMatch(realm))
            {
                ok = Fail("spec.basicAuth.realm", $"{Printable.Quote(auth.Realm)} must be 1 to 128 letters, digits, spaces and .,:_-");
            }

            return ok ? new BasicAuthRule(auth.SecretRef!.Name!, realm) : null;
        }

        public ExternalAuthRule? ExternalAuth(ExternalAuthPolicy? auth)
        {
            if (auth is null)
            {
                return null;
            }

            bool ok = true;
            Uri? url = null;
            ServicePort? service = null;
            if ((auth.Url is null) == (auth.Service is null))
            {
                ok = Fail("spec.externalAuth", "give exactly one of url or service");
            }
            else if (auth.Url is not null && !HttpUrlValue.TryParse(auth.Url, allowQuery: false, out url))
            {
                ok = Fail("spec.externalAuth.url", $"{Printable.Quote(auth.Url)} {HttpUrlValue.Rule}, without a query");
            }
            else if (auth.Service is { } svc)
            {
                if (!DnsGrammar.IsServiceName(svc.Name))
                {
                    ok = Fail("spec.externalAuth.service.name", $"{Printable.Quote(svc.Name)} is not a Service name (of the policy's own namespace)");
                }

                if (svc.Port is not (>= 1 and <= 65535))
                {
                    ok = Fail("spec.externalAuth.service.port", "must be a port number");
                }

                service = ok ? new ServicePort(svc.Name!, svc.Port!.Value) : null;
            }

            string path = auth.Path ?? "/";
            if (!PathText().IsMatch(path))
            {
                ok = Fail("spec.externalAuth.path", $"{Printable.Quote(auth.Path)} {PathRule}");
            }

            var requestHeaders = Names(auth.ForwardRequestHeaders, "spec.externalAuth.forwardRequestHeaders");
            var responseHeaders = Names(auth.ForwardResponseHeaders, "spec.externalAuth.forwardResponseHeaders");
            Uri? signin = null;
            if (auth.SigninUrl is not null && !HttpUrlValue.TryParse(auth.SigninUrl, allowQuery: true, out signin))
            {
                ok = Fail("spec.externalAuth.signinURL", $"{Printable.Quote(auth.SigninUrl)} {HttpUrlValue.Rule}");
            }

            return ok && requestHeaders is not null && responseHeaders is not null
                ? new ExternalAuthRule(url, service, path, requestHeaders.Value, responseHeaders.Value, signin)
                : null;
        }

        public long? BodySize(IntOrString? size)
        {
            if (size?.Value is not { } text)
            {
                return null;
            }

            return QuantityValue.TryParseBytes(text, out long bytes) ? bytes : Refuse<long?>("spec.maxRequestBodySize", $"{Printable.Quote(text)} {QuantityValue.Rule}");
        }

        public AffinityRule? Affinity(SessionAffinityPolicy? affinity)
        {
            if (affinity?.Cookie is not { } cookie)
            {
                return null;
            }

            bool ok = true;
            if (cookie.Name is null || !CookieName().IsMatch(cookie.Name))
            {
                ok = Fail("spec.sessionAffinity.cookie.name", $"{Printable.Quote(cookie.Name)} must be a cookie name of 1 to 128 letters, digits and -_.");
            }

            var ttl = Duration(cookie.Ttl, "spec.sessionAffinity.cookie.ttl", out bool ttlOk);
            return ok && ttlOk ? new AffinityRule(cookie.Name!, ttl) : null;
        }

        public LoadBalancingRule? LoadBalancing(LoadBalancingPolicy? balancing)
        {
            if (balancing is null)
            {
                return null;
            }

            LoadBalancingAlgorithm? algorithm = balancing.Algorithm switch
            {
                null or "RoundRobin" => LoadBalancingAlgorithm.RoundRobin,
                "LeastRequest" => LoadBalancingAlgorithm.LeastRequest,
                "RequestHash" => LoadBalancingAlgorithm.RequestHash,
                _ => null,
            };
            if (algorithm is null)
            {
                return Refuse<LoadBalancingRule?>("spec.loadBalancing.algorithm", $"{Printable.Quote(balancing.Algorithm)} must be RoundRobin, LeastRequest or RequestHash");
            }

            if ((algorithm == LoadBalancingAlgorithm.RequestHash) != (balancing.HashOn is not null))
            {
                return Refuse<LoadBalancingRule?>("spec.loadBalancing.hashOn", "is required with RequestHash and allowed only with it");
            }

            if (balancing.HashOn is not { } hash)
            {
                return new LoadBalancingRule(algorithm.Value, null);
            }

            int chosen = (hash.Header is null ? 0 : 1) + (hash.Cookie is null ? 0 : 1) + (hash.SourceIp == true ? 1 : 0);
            if (chosen != 1)
            {
                return Refuse<LoadBalancingRule?>("spec.loadBalancing.hashOn", "hash on exactly one of header, cookie or sourceIP");
            }

            // Letters, digits, '-' and '_' only (a narrower rule than any token): nginx reads a header by a variable
            // name ($http_x_y), which holds nothing else.
            if (hash.Header is not null && (!HeaderNameValue.TryParse(hash.Header, out _) || !HashedHeaderName().IsMatch(hash.Header)))
            {
                return Refuse<LoadBalancingRule?>("spec.loadBalancing.hashOn.header", $"{Printable.Quote(hash.Header)} must be a header name of 1 to 128 letters, digits, '-' and '_'");
            }

            if (hash.Cookie is not null && !CookieName().IsMatch(hash.Cookie))
            {
                return Refuse<LoadBalancingRule?>("spec.loadBalancing.hashOn.cookie", $"{Printable.Quote(hash.Cookie)} must be a cookie name of 1 to 128 letters, digits and -_.");
            }

            return new LoadBalancingRule(algorithm.Value, new HashSource(hash.Header?.ToLowerInvariant(), hash.Cookie));
        }

        public EquatableArray<WeightedBackend>? TrafficSplit(IList<TrafficSplitBackend>? split)
        {
            if (split is null || !Bounded(split, "spec.trafficSplit"))
            {
                return null;
            }

            var backends = new List<WeightedBackend>();
            bool ok = true;
            for (int i = 0; i < split.Count; i++)
            {
                var entry = split[i];
                if (entry?.Service is null)
                {
                    ok = Fail($"spec.trafficSplit[{i}].service", "must name a Service of the policy's own namespace and a port number");
                }
                else if (!DnsGrammar.IsServiceName(entry.Service.Name))
                {
                    ok = Fail($"spec.trafficSplit[{i}].service.name", $"{Printable.Quote(entry.Service.Name)} is not a Service name (RFC 1035 label) of the policy's own namespace");
                }
                else if (entry.Service.Port is not (>= 1 and <= 65535))
                {
                    ok = Fail($"spec.trafficSplit[{i}].service.port", "must be a port number (1-65535)");
                }
                else if (entry.Weight is not (>= 0 and <= 1_000_000))
                {
                    ok = Fail($"spec.trafficSplit[{i}].weight", "must be a number from 0 to 1000000");
                }
                else
                {
                    backends.Add(new WeightedBackend(new ServicePort(entry.Service.Name!, entry.Service.Port!.Value), entry.Weight!.Value));
                }
            }

            if (ok && backends.Count > 0 && backends.All(b => b.Weight == 0))
            {
                ok = Fail("spec.trafficSplit", "needs at least one weight above 0");
            }

            return ok ? [.. backends] : null;
        }

        private TimeSpan? Duration(string? text, string field, out bool ok)
        {
            ok = true;
            if (text is null)
            {
                return null;
            }

            if (GatewayDurationValue.TryParse(text, out var value))
            {
                return value;
            }

            ok = Fail(field, $"{Printable.Quote(text)} {GatewayDurationValue.Rule}");
            return null;
        }

        private bool Bounded<T>(ICollection<T>? items, string field) =>
            (items?.Count ?? 0) <= MaxListItems || Fail(field, $"has more than {MaxListItems} items");
    }

    private const string PathRule = "must be a path starting with \"/\" of letters, digits, percent-escapes and -._~!&'()*+,=:@/ (no spaces, quotes, \";\", \"$\", \"{\", \"}\", \"#\" or \"?\")";

    [GeneratedRegex(@"^/([A-Za-z0-9\-._~!&'()*+,=:@/]|%[0-9A-Fa-f]{2}){0,1023}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathText();

    [GeneratedRegex(@"^[A-Za-z0-9 .,:_-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RealmText();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HashedHeaderName();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CookieName();
}
