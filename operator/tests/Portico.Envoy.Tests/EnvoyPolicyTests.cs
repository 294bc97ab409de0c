using System.Collections.Immutable;
using System.Net;
using System.Text;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.BasicAuth.V3;
using Envoy.Extensions.Filters.Http.Buffer.V3;
using Envoy.Extensions.Filters.Http.Cors.V3;
using Envoy.Extensions.Filters.Http.ExtAuthz.V3;
using Envoy.Extensions.Filters.Http.LocalRatelimit.V3;
using Envoy.Extensions.Filters.Http.Rbac.V3;
using Envoy.Extensions.Upstreams.Http.V3;
using Google.Protobuf.WellKnownTypes;
using Portico.Core.Model;
using Route = Portico.Core.Model.Route;
using RedirectAction = Portico.Core.Model.RedirectAction;
using Portico.Core.Model.Policies;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;

namespace Portico.Envoy.Tests;

/// <summary>
/// Route policies as Envoy gets them, for every RoutePolicy member and SplitAction: a model (the "paths" case, with
/// policies and actions set on its routes directly, as the builder will) rendered, checked against Envoy's protos,
/// and read back.
/// </summary>
public sealed class EnvoyPolicyTests
{
    private const string Host = "paths.example";
    private static readonly Lazy<OfflineResultHolder> Base = new(() => new(EnvoyCases.Render("paths")));

    private static readonly BasicAuthCredentials ShaUsers = new("Staff", [new BasicAuthUser("alice", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=")]);

    [Test]
    public void Every_policy_member_renders_and_passes_the_strict_check()
    {
        var config = Render(Everything);
        Assert.That(new EnvoySchemaValidator().Validate(config), Is.Empty);
    }

    [Test]
    public void Headers_become_route_header_mutations_with_percent_escaped()
    {
        var route = RouteOf(Render(Everything), "/login");
        Assert.That(route.RequestHeadersToAdd.Select(h => $"{h.Header.Key}={h.Header.Value} {h.AppendAction}"), Is.EqualTo(new[]
        {
            "x-team=a%%b AppendIfExistsOrAdd", "x-env=prod OverwriteIfExistsOrAdd",
        }));
        Assert.That(route.RequestHeadersToRemove, Is.EqualTo(new[] { "x-debug" }));
        Assert.That(route.Route_.HostRewriteLiteral, Is.EqualTo("internal.example"), "Host cannot be a header mutation in Envoy: it is a rewrite");
        Assert.That(route.ResponseHeadersToAdd.Single().Header.Key, Is.EqualTo("x-frame-options"));
        Assert.That(route.ResponseHeadersToRemove, Is.EqualTo(new[] { "server" }));
    }

    [Test]
    public void Cors_matches_origins_exactly_by_wildcard_regex_or_any()
    {
        var cors = PerRoute<global::Envoy.Extensions.Filters.Http.Cors.V3.CorsPolicy>(RouteOf(Render(Everything), "/login"), "envoy.filters.http.cors");
        Assert.That(cors.AllowOriginStringMatch.Select(m => m.Exact + m.SafeRegex?.Regex), Is.EqualTo(new[]
        {
            "https://app.example", "(?i)https://[a-z0-9-]+(\\.[a-z0-9-]+)*\\.shop\\.example:8443",
        }));
        Assert.That(cors.AllowOriginStringMatch[0].IgnoreCase, Is.True);
        Assert.That(cors.AllowMethods, Is.EqualTo("GET,POST"));
        Assert.That(cors.AllowHeaders, Is.EqualTo("x-a,x-b"));
        Assert.That(cors.ExposeHeaders, Is.EqualTo("x-c"));
        Assert.That(cors.MaxAge, Is.EqualTo("600"));
        Assert.That(cors.AllowCredentials, Is.True);
        var regex = new System.Text.RegularExpressions.Regex("^(?:" + cors.AllowOriginStringMatch[1].SafeRegex.Regex + ")$");
        Assert.That(regex.IsMatch("https://a.b.shop.example:8443"), Is.True);
        Assert.That(regex.IsMatch("http://a.shop.example:8443"), Is.False, "another scheme");
        Assert.That(regex.IsMatch("https://shop.example:8443"), Is.False, "the bare suffix");
    }

    [Test]
    public void Ip_lists_are_one_allow_policy_on_the_peer_address()
    {
        var rbac = PerRoute<RBACPerRoute>(RouteOf(Render(Everything), "/login"), "envoy.filters.http.rbac");
        var policy = rbac.Rbac.Rules.Policies.Single().Value;
        Assert.That(rbac.Rbac.Rules.Action, Is.EqualTo(global::Envoy.Config.Rbac.V3.RBAC.Types.Action.Allow));
        var ids = policy.Principals.Single().AndIds.Ids;
        Assert.That(ids[0].OrIds.Ids.Select(i => $"{i.DirectRemoteIp.AddressPrefix}/{i.DirectRemoteIp.PrefixLen}"), Is.EqualTo(new[] { "10.0.0.0/8" }));
        Assert.That(ids[1].NotId.OrIds.Ids.Select(i => $"{i.DirectRemoteIp.AddressPrefix}/{i.DirectRemoteIp.PrefixLen}"), Is.EqualTo(new[] { "10.1.0.0/16", "2001:db8::/32" }));
    }

    [Test]
    public void Deny_list_alone_is_a_negated_principal()
    {
        var config = Render(r => r.Match.Path == "/login" ? r with { Policy = new RoutePolicy { IpAccess = new IpAccessRule([], [IPNetwork.Parse("192.0.2.0/24")]) } } : r);
        Assert.That(new EnvoySchemaValidator().Validate(config), Is.Empty);
        var principal = PerRoute<RBACPerRoute>(RouteOf(config, "/login"), "envoy.filters.http.rbac").Rbac.Rules.Policies.Single().Value.Principals.Single();
        Assert.That(principal.NotId.OrIds.Ids.Single().DirectRemoteIp.AddressPrefix, Is.EqualTo("192.0.2.0"));
    }

    [TestCase(1, 0, 1, 1, "1s")]
    [TestCase(10, 5, 6, 1, "0.100s")]
    [TestCase(20, 0, 1, 1, "0.050s")]
    [TestCase(100, 50, 55, 5, "0.050s")]
    [TestCase(3, 0, 1, 1, "0.333s")]
    public void Rate_limit_is_a_token_bucket_of_about_the_rate(int rps, int burst, int maxTokens, int perFill, string interval)
    {
        Assert.That(EnvoyPolicyViewBuilder.RateLimit(new RateLimitRule(rps, burst)), Is.EqualTo(new EnvoyRateLimitView(maxTokens, perFill, interval)));
    }

    [Test]
    public void Rate_limit_answers_429_on_its_route()
    {
        var limit = PerRoute<LocalRateLimit>(RouteOf(Render(Everything), "/login"), "envoy.filters.http.local_ratelimit");
        Assert.That(limit.Status.Code, Is.EqualTo(global::Envoy.Type.V3.StatusCode.TooManyRequests));
        Assert.That(limit.TokenBucket.MaxTokens, Is.EqualTo(6));
        Assert.That(limit.FilterEnabled.DefaultValue.Numerator, Is.EqualTo(100));
        Assert.That(limit.FilterEnforced.DefaultValue.Numerator, Is.EqualTo(100));
    }

    [Test]
    public void Route_action_carries_rewrite_timeouts_retries_and_hash()
    {
        var parsed = new EnvoyParsed(Render(Everything));
        var api = RouteOf(parsed.HttpRoutes, "/api/v2").Route_;
        Assert.That(api.PrefixRewrite, Is.EqualTo("/v3"));
        Assert.That(api.Timeout, Is.EqualTo(Duration.FromTimeSpan(TimeSpan.FromSeconds(30))));
        Assert.That(api.IdleTimeout, Is.EqualTo(Duration.FromTimeSpan(TimeSpan.FromSeconds(90))));
        Assert.That(api.RetryPolicy.RetryOn, Is.EqualTo("connect-failure,5xx"));
        Assert.That(api.RetryPolicy.NumRetries, Is.EqualTo(3));
        Assert.That(api.RetryPolicy.PerTryTimeout, Is.EqualTo(Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500))));
        Assert.That(api.HashPolicy.Single().Cookie.Name, Is.EqualTo("route"));
        Assert.That(api.HashPolicy.Single().Cookie.Ttl, Is.EqualTo(Duration.FromTimeSpan(TimeSpan.FromHours(1))));

        var cluster = parsed.Cluster(api.Cluster);
        Assert.That(api.Cluster, Does.StartWith("default_v2_80/"), "a variant of the upstream's cluster");
        Assert.That(cluster.LbPolicy, Is.EqualTo(Cluster.Types.LbPolicy.RingHash));
        Assert.That(cluster.ConnectTimeout, Is.EqualTo(Duration.FromTimeSpan(TimeSpan.FromSeconds(2))));
        Assert.That(parsed.Cluster("default_v2_80").LbPolicy, Is.EqualTo(Cluster.Types.LbPolicy.RoundRobin), "the plain cluster stays");
    }

    [Test]
    public void Load_balancing_and_backend_protocol_make_cluster_variants()
    {
        var parsed = new EnvoyParsed(Render(Everything));
        var docs = RouteOf(parsed.HttpRoutes, "/docs").Route_;
        var cluster = parsed.Cluster(docs.Cluster);
        Assert.That(cluster.LbPolicy, Is.EqualTo(Cluster.Types.LbPolicy.LeastRequest));
        Assert.That(cluster.TransportSocket.Name, Is.EqualTo("envoy.transport_sockets.tls"));
        var http = (HttpProtocolOptions)EnvoyTypes.Unpack(cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"])!;
        Assert.That(http.ExplicitHttpConfig.Http2ProtocolOptions, Is.Not.Null);

        var header = RouteOf(parsed.HttpRoutes, "/api", exact: true).Route_;
        Assert.That(header.HashPolicy.Single().Header.HeaderName, Is.EqualTo("x-user"));
        Assert.That(header.WeightedClusters.Clusters.Select(c => parsed.Cluster(c.Name).LbPolicy), Has.All.EqualTo(Cluster.Types.LbPolicy.RingHash));
    }

    [Test]
    public void Body_size_is_the_buffer_filter_per_route_and_zero_turns_it_off()
    {
        var parsed = new EnvoyParsed(Render(Everything));
        var limited = RouteOf(parsed.HttpRoutes, "/api/v2").TypedPerFilterConfig["envoy.filters.http.buffer"];
        var config = (FilterConfig)EnvoyTypes.Unpack(limited)!;
        Assert.That(((BufferPerRoute)EnvoyTypes.Unpack(config.Config)!).Buffer.MaxRequestBytes, Is.EqualTo(2048u));
        var off = (FilterConfig)EnvoyTypes.Unpack(RouteOf(parsed.HttpRoutes, "/docs").TypedPerFilterConfig["envoy.filters.http.buffer"])!;
        Assert.That(off.Disabled, Is.True);
    }

    [Test]
    public void Policy_filters_are_in_the_chain_once_disabled_and_before_the_router_of_upgrades_too()
    {
        var parsed = new EnvoyParsed(Render(Everything));
        var hcm = EnvoyParsed.Hcm(parsed.Listener("http").FilterChains.Single());
        var names = hcm.HttpFilters.Select(f => f.Name).ToList();
        Assert.That(names[..4], Is.EqualTo(new[] { "envoy.filters.http.rbac", "envoy.filters.http.local_ratelimit", "envoy.filters.http.cors", "envoy.filters.http.basic_auth" }));
        Assert.That(names.Count(n => n.StartsWith("envoy.filters.http.ext_authz/", StringComparison.Ordinal)), Is.EqualTo(2), "one per auth target");
        Assert.That(names[^2..], Is.EqualTo(new[] { "envoy.filters.http.buffer", "envoy.filters.http.router" }));
        Assert.That(hcm.HttpFilters.Where(f => f.Name != "envoy.filters.http.router" && f.Name != "envoy.filters.http.buffer").All(f => f.Disabled), Is.True);

        var upgrade = hcm.UpgradeConfigs.Single().Filters.Select(f => f.Name).ToList();
        Assert.That(upgrade, Is.EqualTo(names.Where(n => n != "envoy.filters.http.buffer")), "a WebSocket upgrade meets the same access control");
    }

    [Test]
    public void Basic_auth_with_sha1_users_is_inline_and_the_route_table_is_private()
    {
        var config = Render(Everything);
        var auth = PerRoute<BasicAuthPerRoute>(RouteOf(config, "/login"), "envoy.filters.http.basic_auth");
        Assert.That(auth.Users.InlineString, Is.EqualTo("alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"));
        Assert.That(config[EnvoyRenderer.HttpRoutesFile]!.IsPrivate, Is.True);
        Assert.That(config[EnvoyRenderer.HttpsRoutesFile]!.IsPrivate, Is.True);
        Assert.That(Render(r => r)[EnvoyRenderer.HttpRoutesFile]!.IsPrivate, Is.False, "without credentials the tables stay readable");
    }

    [Test]
    public void Basic_auth_with_a_hash_Envoy_cannot_check_fails_closed()
    {
        var bcrypt = new BasicAuthCredentials("Staff", [new BasicAuthUser("alice", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="), new BasicAuthUser("bob", "$2y$05$abcdefghijklmnopqrstuu1234567890123456789012345678901")]);
        var config = Render(r => r.Match.Path == "/login" ? r with { Policy = new RoutePolicy { BasicAuth = bcrypt } } : r);
        Assert.That(new EnvoySchemaValidator().Validate(config), Is.Empty);
        Assert.That(EnvoyRoutingModel.Route(new EnvoyParsed(config).HttpRoutes, Host, "/login"), Is.EqualTo("status 403"));
        Assert.That(Encoding.UTF8.GetString(config[EnvoyRenderer.HttpRoutesFile]!.Content), Does.Not.Contain("bob"), "no hash is written for a route that cannot use it");
    }

    [Test]
    public void External_auth_is_an_ext_authz_filter_per_target_that_fails_closed()
    {
        var parsed = new EnvoyParsed(Render(Everything));
        var hcm = EnvoyParsed.Hcm(parsed.Listener("http").FilterChains.Single());
        string name = RouteOf(parsed.HttpRoutes, "/login", exact: true).TypedPerFilterConfig.Keys.Single(k => k.StartsWith("envoy.filters.http.ext_authz/", StringComparison.Ordinal));
        var authz = (ExtAuthz)EnvoyTypes.Unpack(hcm.HttpFilters.Single(f => f.Name == name).TypedConfig)!;
        Assert.That(authz.FailureModeAllow, Is.False);
        Assert.That(authz.StatusOnError.Code, Is.EqualTo(global::Envoy.Type.V3.StatusCode.InternalServerError));
        Assert.That(authz.HttpService.PathPrefix, Is.EqualTo("/check"));
        Assert.That(authz.AllowedHeaders.Patterns.Select(p => p.Exact), Is.EqualTo(new[] { "cookie" }));
        Assert.That(authz.HttpService.AuthorizationResponse.AllowedUpstreamHeaders.Patterns.Select(p => p.Exact), Is.EqualTo(new[] { "x-user" }));
        var cluster = parsed.Cluster(authz.HttpService.ServerUri.Cluster);
        Assert.That(cluster.Type, Is.EqualTo(Cluster.Types.DiscoveryType.LogicalDns));
        Assert.That(cluster.TransportSocket.Name, Is.EqualTo("envoy.transport_sockets.tls"), "an https URL");
        Assert.That(cluster.LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.PortValue, Is.EqualTo(8443u));

        string serviceAuth = RouteOf(parsed.HttpRoutes, "/", prefix: true).TypedPerFilterConfig.Keys.Single(k => k.StartsWith("envoy.filters.http.ext_authz/", StringComparison.Ordinal));
        var byService = (ExtAuthz)EnvoyTypes.Unpack(hcm.HttpFilters.Single(f => f.Name == serviceAuth).TypedConfig)!;
        Assert.That(byService.HttpService.ServerUri.Cluster, Is.EqualTo("default_exact_80"));
    }

    [Test]
    public void A_split_is_weighted_clusters_and_an_upstream_without_endpoints_gets_an_empty_cluster()
    {
        var parsed = new EnvoyParsed(Render(Everything));
        var weighted = RouteOf(parsed.HttpRoutes, "/api", exact: true).Route_.WeightedClusters;
        Assert.That(weighted.Clusters.Select(c => $"{c.Name.Split('/')[0]} {c.Weight}"), Is.EqualTo(new[] { "default_api_80 3", "default_canary_80 1" }));
        Assert.That(weighted.Clusters.Select(c => c.Name.Split('/')[1]).Distinct().Count(), Is.EqualTo(1), "both variants of the route's options");
        Assert.That(parsed.Cluster(weighted.Clusters[1].Name).LoadAssignment.Endpoints.Single().LbEndpoints, Is.Empty, "Envoy answers 503 for that share");
        Assert.That(parsed.Clusters.Select(c => c.Name), Has.None.EqualTo("default_canary_80"), "no cluster for an unused upstream without endpoints");
    }

    [TestCase("/api", "split default_api_80/702e6ac91029 3, default_canary_80/702e6ac91029 1", Description = "a split over variants of the same options")]
    [TestCase("/login", "cluster default_exact_80", Description = "access control and headers need no cluster options")]
    [TestCase("/api/v2/x", "cluster default_v2_80/", Description = "affinity and a connect timeout do")]
    public void The_routing_model_reads_policy_routes(string path, string expected)
    {
        var parsed = new EnvoyParsed(Render(Everything));
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, Host, path), expected.EndsWith('/') ? Does.StartWith(expected) : Is.EqualTo(expected));
    }

    [Test]
    public void Https_redirect_of_a_route_is_on_the_plain_listener_only()
    {
        var parsed = new EnvoyParsed(Render(r => r.Match.Path == "/login" ? r with { Policy = new RoutePolicy { HttpsRedirect = new RedirectAction("https", 8443, 301) } } : r));
        var route = RouteOf(parsed.HttpRoutes, "/login", exact: true);
        Assert.That(route.Redirect.HttpsRedirect, Is.True);
        Assert.That(route.Redirect.PortRedirect, Is.EqualTo(8443u));
        Assert.That(route.Redirect.ResponseCode, Is.EqualTo(global::Envoy.Config.Route.V3.RedirectAction.Types.RedirectResponseCode.MovedPermanently));
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, Host, "/api/v2"), Is.EqualTo("cluster default_v2_80"), "other routes still proxy");
    }

    /// <summary>Every policy member on some route of the "paths" case, plus a split (to a backend without endpoints) on Exact /api.</summary>
    private static Route Everything(Route route) => (route.Match.Kind, route.Match.Path) switch
    {
        (PathKind.Exact, "/login") => route with
        {
            Policy = new RoutePolicy
            {
                RequestHeaders = new HeaderMutation([new HeaderEntry("x-team", "a%b")], [new HeaderEntry("x-env", "prod"), new HeaderEntry("host", "internal.example")], ["x-debug"]),
                ResponseHeaders = new HeaderMutation([], [new HeaderEntry("x-frame-options", "DENY")], ["server"]),
                Cors = new CorsRule(["https://app.example", "https://*.shop.example:8443"], ["GET", "POST"], ["x-a", "x-b"], ["x-c"], true, TimeSpan.FromMinutes(10)),
                IpAccess = new IpAccessRule([IPNetwork.Parse("10.0.0.0/8")], [IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("2001:db8::/32")]),
                RateLimit = new RateLimitRule(10, 5),
                LimitConnections = 10,
                BasicAuth = ShaUsers,
                ExternalAuth = new ExternalAuthTarget(new Uri("https://auth.example:8443/check"), null, "/check", ["cookie"], ["x-user"], new Uri("https://login.example/")),
            },
        },
        (PathKind.Prefix, "/api/v2") => route with
        {
            Policy = new RoutePolicy
            {
                Rewrite = RouteRewrite.Prefix("/v3"),
                Timeouts = new TimeoutRule(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90)),
                Retries = new RetryRule(3, TimeSpan.FromMilliseconds(1500), [RetryCondition.ConnectFailure, RetryCondition.ServerError]),
                MaxRequestBodyBytes = 2048,
                SessionAffinity = new AffinityRule("route", TimeSpan.FromHours(1)),
                Buffering = new BufferingRule(false, null, false),
            },
        },
        (PathKind.Prefix, "/docs") => route with
        {
            Policy = new RoutePolicy { LoadBalancing = new LoadBalancingRule(LoadBalancingAlgorithm.LeastRequest, null), BackendProtocol = BackendProtocol.Grpcs, MaxRequestBodyBytes = 0 },
        },
        (PathKind.Exact, "/api") => route with
        {
            Action = new SplitAction([new WeightedUpstream("default_api_80", 3), new WeightedUpstream("default_canary_80", 1)]),
            Policy = new RoutePolicy { LoadBalancing = new LoadBalancingRule(LoadBalancingAlgorithm.RequestHash, new HashSource("x-user", null)) },
        },
        (PathKind.Prefix, "/") => route with
        {
            Policy = new RoutePolicy { ExternalAuth = new ExternalAuthTarget(null, "default_exact_80", "/auth", [], [], null) },
        },
        _ => route,
    };

    private static RenderedConfig Render(Func<Route, Route> change)
    {
        var model = Base.Value.Result.Model;
        var canary = new Upstream("default_canary_80", new ObjectRef("Service", "default", "canary"), 80, [], null);
        model = model with
        {
            Upstreams = [.. model.Upstreams, canary],
            VirtualHosts = [.. model.VirtualHosts.Select(v => v with { Routes = [.. v.Routes.Select(change)], Fallback = v.Fallback is null ? null : change(v.Fallback) })],
        };
        return new EnvoyRenderer(TemplateSet.Load("envoy")).Render(model, new ProxySettings());
    }

    private static global::Envoy.Config.Route.V3.Route RouteOf(RenderedConfig config, string path) => RouteOf(new EnvoyParsed(config).HttpRoutes, path, exact: true);

    private static global::Envoy.Config.Route.V3.Route RouteOf(RouteConfiguration table, string path, bool exact = false, bool prefix = false) =>
        table.VirtualHosts.Single(v => v.Name == Host).Routes.Where(r => r.Match.Headers.Count == 0).Single(r => exact ? r.Match.Path == path : prefix ? r.Match.Prefix == path : r.Match.PathSeparatedPrefix == path);

    private static T PerRoute<T>(global::Envoy.Config.Route.V3.Route route, string filter)
        where T : Google.Protobuf.IMessage
    {
        var wrapper = (FilterConfig)EnvoyTypes.Unpack(route.TypedPerFilterConfig[filter])!;
        Assert.That(wrapper.Disabled, Is.False);
        return (T)EnvoyTypes.Unpack(wrapper.Config)!;
    }

    private sealed record OfflineResultHolder(Portico.Core.Offline.OfflineResult Result);
}
