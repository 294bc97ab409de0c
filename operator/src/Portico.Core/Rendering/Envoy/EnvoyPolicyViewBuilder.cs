using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Envoy;

/// <summary>
/// Translates a route's <see cref="RoutePolicy"/> into Envoy terms (docs/policies.md, "Envoy"): route fields, header
/// mutations, per-route filter configs, and the cluster options the route needs. Pure functions of the policy, so the
/// route tables, the clusters and the listeners' filter chains agree without passing state around.
/// </summary>
internal static class EnvoyPolicyViewBuilder
{
    /// <summary>The only htpasswd scheme Envoy's basic_auth filter checks.</summary>
    public const string Sha1Scheme = "{SHA}";

    /// <summary>The runtime key of the local rate limit's enabled/enforced fractions (absent at runtime: the default, 100%, applies).</summary>
    public const string RateLimitRuntimeKey = "portico_local_rate_limit";

    /// <summary>False when the route's access control cannot be rendered for Envoy: basic auth with a hash Envoy cannot check. Such a route answers 403.</summary>
    public static bool CanEnforce(RoutePolicy policy) =>
        policy.BasicAuth is not { } auth || auth.Users.All(u => u.Hash.StartsWith(Sha1Scheme, StringComparison.Ordinal));

    /// <summary>The cluster options a route with <paramref name="policy"/> needs (<see cref="EnvoyClusterOptions.Default"/> for most).</summary>
    public static EnvoyClusterOptions ClusterOptions(RoutePolicy policy)
    {
        string lb = policy.SessionAffinity is not null || policy.LoadBalancing?.Algorithm == LoadBalancingAlgorithm.RequestHash
            ? "RING_HASH"
            : policy.LoadBalancing?.Algorithm == LoadBalancingAlgorithm.LeastRequest ? "LEAST_REQUEST" : "ROUND_ROBIN";
        var protocol = policy.BackendProtocol ?? BackendProtocol.Http;
        return new EnvoyClusterOptions(
            policy.Timeouts?.Connect is { } connect ? EnvoyViewBuilder.Duration(connect) : null,
            lb,
            protocol is BackendProtocol.Https or BackendProtocol.Grpcs,
            protocol is BackendProtocol.Grpc or BackendProtocol.Grpcs);
    }

    /// <summary>The cluster of <paramref name="upstream"/> with <paramref name="options"/>: the upstream's own name, or "UPSTREAM/HASH" for a variant ('/' is never in an upstream name).</summary>
    public static string ClusterName(string upstream, EnvoyClusterOptions options) =>
        options == EnvoyClusterOptions.Default ? upstream : upstream + "/" + Hash(options.ToString());

    /// <summary>The route-level view of <paramref name="policy"/> for a route matching <paramref name="match"/>.</summary>
    public static EnvoyRoutePolicyView View(RoutePolicy policy, PathMatch match, EnvoySettingsView settings)
    {
        var view = new EnvoyRoutePolicyView
        {
            Timeout = policy.Timeouts?.Request is { } request ? EnvoyViewBuilder.Duration(request) : "0s",
            IdleTimeout = policy.Timeouts?.Idle is { } idle ? EnvoyViewBuilder.Duration(idle) : settings.RouteIdleTimeout,
            Retry = policy.Retries is { } retries ? Retry(retries) : null,
            HashPolicies = HashPolicies(policy),
            RequestHeadersToAdd = HeadersToAdd(policy.RequestHeaders),
            RequestHeadersToRemove = HeadersToRemove(policy.RequestHeaders),
            HostRewrite = HostRewrite(policy.RequestHeaders),
            ResponseHeadersToAdd = HeadersToAdd(policy.ResponseHeaders),
            ResponseHeadersToRemove = HeadersToRemove(policy.ResponseHeaders),
            Cors = policy.Cors is { } cors ? Cors(cors) : null,
            Rbac = policy.IpAccess is { } ip && (ip.Allow.Length > 0 || ip.Deny.Length > 0) ? new EnvoyRbacView(Cidrs(ip.Allow), Cidrs(ip.Deny)) : null,
            RateLimit = policy.RateLimit is { } limit ? RateLimit(limit) : null,
            MaxRequestBytes = policy.MaxRequestBodyBytes is { } max ? Math.Min(max, uint.MaxValue) : null,
            BasicAuthUsers = policy.BasicAuth?.Htpasswd,
            ExtAuthzFilter = policy.ExternalAuth is { } auth ? ExtAuthzName(auth) : null,
        };
        return view;
    }

    /// <summary>Retries on the listed failures; none listed: connection failures and resets (nginx's default "error timeout").</summary>
    private static EnvoyRetryView Retry(RetryRule rule) => new(
        rule.On.Length == 0 ? "connect-failure,reset" : string.Join(",", rule.On.Select(c => c switch
        {
            RetryCondition.ConnectFailure => "connect-failure",
            RetryCondition.Reset => "reset",
            RetryCondition.ServerError => "5xx",
            RetryCondition.GatewayError => "gateway-error",
            _ => throw new TemplateException($"Envoy cannot render the retry condition {c}"),
        })),
        rule.Attempts,
        rule.PerTryTimeout is { } perTry ? EnvoyViewBuilder.Duration(perTry) : null);

    /// <summary>Session affinity first (Envoy creates the cookie: a session cookie without a TTL), then the load-balancing hash.</summary>
    private static List<EnvoyHashPolicyView> HashPolicies(RoutePolicy policy)
    {
        var hashes = new List<EnvoyHashPolicyView>();
        if (policy.SessionAffinity is { } affinity)
        {
            hashes.Add(new EnvoyHashPolicyView("cookie", affinity.CookieName, EnvoyViewBuilder.Duration(affinity.Ttl ?? TimeSpan.Zero)));
        }
        else if (policy.LoadBalancing is { Algorithm: LoadBalancingAlgorithm.RequestHash, HashOn: { } on })
        {
            hashes.Add(on.Header is { } header ? new EnvoyHashPolicyView("header", header, null)
                : on.Cookie is { } cookie ? new EnvoyHashPolicyView("cookie", cookie, null)
                : new EnvoyHashPolicyView("source_ip", null, null));
        }

        return hashes;
    }

    private const string Host = "host";

    /// <summary>
    /// add appends (APPEND_IF_EXISTS_OR_ADD), set replaces (OVERWRITE_IF_EXISTS_OR_ADD). '%' starts an Envoy
    /// substitution in header values, so a literal one is doubled. Host cannot be a header mutation in Envoy (see
    /// <see cref="HostRewrite"/>).
    /// </summary>
    private static List<EnvoyHeaderView> HeadersToAdd(HeaderMutation? mutation) => mutation is null ? [] :
        [.. mutation.Add.Where(h => h.Name != Host).Select(h => new EnvoyHeaderView(h.Name, EscapePercent(h.Value), "APPEND_IF_EXISTS_OR_ADD")),
            .. mutation.Set.Where(h => h.Name != Host).Select(h => new EnvoyHeaderView(h.Name, EscapePercent(h.Value), "OVERWRITE_IF_EXISTS_OR_ADD"))];

    private static List<string> HeadersToRemove(HeaderMutation? mutation) => mutation is null ? [] : [.. mutation.Remove.Where(n => n != Host)];

    /// <summary>Setting (or adding) Host rewrites the request's authority; removing it is not possible in Envoy and is skipped.</summary>
    private static string? HostRewrite(HeaderMutation? mutation) =>
        mutation?.Set.Concat(mutation.Add).Where(h => h.Name == Host).Select(h => h.Value).FirstOrDefault();

    private static string EscapePercent(string value) => value.Replace("%", "%%", StringComparison.Ordinal);

    private static EnvoyCorsView Cors(CorsRule rule) => new(
        [.. rule.AllowOrigins.Select(Origin)],
        rule.AllowMethods.Length > 0 ? string.Join(",", rule.AllowMethods) : null,
        rule.AllowHeaders.Length > 0 ? string.Join(",", rule.AllowHeaders) : null,
        rule.ExposeHeaders.Length > 0 ? string.Join(",", rule.ExposeHeaders) : null,
        rule.MaxAge is { } age ? ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null,
        rule.AllowCredentials);

    /// <summary>
    /// "*" is any origin (regex ".*"); "scheme://*.suffix[:port]" is one or more DNS labels before the suffix, scheme and
    /// port exact (an anchored regex: a plain suffix match would also take another scheme); others are exact, ignoring case.
    /// </summary>
    private static EnvoyOriginView Origin(string origin)
    {
        if (origin == "*")
        {
            return new EnvoyOriginView(null, ".*");
        }

        int star = origin.IndexOf("://*.", StringComparison.Ordinal);
        if (star < 0)
        {
            return new EnvoyOriginView(origin, null);
        }

        string scheme = origin[..(star + 3)];
        string rest = origin[(star + 4)..];
        return new EnvoyOriginView(null, "(?i)" + System.Text.RegularExpressions.Regex.Escape(scheme) + "[a-z0-9-]+(\\.[a-z0-9-]+)*" + System.Text.RegularExpressions.Regex.Escape(rest));
    }

    private static List<EnvoyCidrView> Cidrs(EquatableArray<IPNetwork> networks) =>
        [.. networks.Select(n => new EnvoyCidrView(n.BaseAddress.ToString(), n.PrefixLength))];

    /// <summary>
    /// A token bucket refilled at the rate, holding burst more. Envoy refills in steps of at least 50 ms, so fast rates
    /// add several tokens per step: about the same rate, and a bucket larger by those few tokens.
    /// </summary>
    internal static EnvoyRateLimitView RateLimit(RateLimitRule rule)
    {
        int perFill = (rule.RequestsPerSecond + 19) / 20;
        long intervalMs = Math.Max(50, (long)Math.Round(1000.0 * perFill / rule.RequestsPerSecond));
        return new EnvoyRateLimitView(rule.Burst + perFill, perFill, EnvoyViewBuilder.Duration(TimeSpan.FromMilliseconds(intervalMs)));
    }

    /// <summary>The chain's ext_authz filter for <paramref name="target"/>: one per distinct target, named by its hash.</summary>
    public static string ExtAuthzName(ExternalAuthTarget target) => "envoy.filters.http.ext_authz/" + Hash(target.ToString());

    /// <summary>The cluster the check goes to: the target's upstream, or a DNS cluster for the URL's host and port.</summary>
    public static string ExtAuthzCluster(ExternalAuthTarget target) =>
        target.UpstreamName ?? "extauth/" + Hash($"{target.Url!.Scheme}://{target.Url.IdnHost}:{target.Url.Port}");

    public static EnvoyExtAuthzView ExtAuthz(ExternalAuthTarget target, EnvoySettingsView settings)
    {
        _ = settings;
        string path = target.Url is { } url ? url.AbsolutePath : target.Path;
        return new EnvoyExtAuthzView(
            ExtAuthzName(target),
            target.Url?.GetLeftPart(UriPartial.Path) ?? $"http://{target.UpstreamName!.Replace('_', '-')}{target.Path}",
            ExtAuthzCluster(target),
            path.TrimEnd('/'),
            [.. target.ForwardRequestHeaders],
            [.. target.ForwardResponseHeaders]);
    }

    /// <summary>The DNS cluster of a URL check (null for a Service check, whose upstream's cluster is used).</summary>
    public static EnvoyClusterView? ExtAuthzUrlCluster(ExternalAuthTarget target) =>
        target.Url is { } url
            ? new EnvoyClusterView(ExtAuthzCluster(target), "LOGICAL_DNS", [new EnvoyEndpointView(url.HostNameType == UriHostNameType.IPv6 ? url.DnsSafeHost : url.IdnHost, url.Port)]) { Options = EnvoyClusterOptions.Default with { Tls = url.Scheme == Uri.UriSchemeHttps } }
            : null;

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
