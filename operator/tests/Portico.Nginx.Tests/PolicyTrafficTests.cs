using k8s;
using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// Real nginx enforcing the traffic policies of IngressPolicies, with and without Lua endpoints, and for hosts that
/// are new in a reload: request and response headers, CORS, IP allow and deny lists, rate limits, body size, timeouts
/// and per-route HTTPS redirects. Before the reload that brings a host with a policy, nginx must not serve that host
/// at all (the live routing withholds it), so the policy holds from the first response the host gets from a backend.
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
[TestFixture(true, true)]
public sealed class PolicyTrafficTests(bool luaEndpoints, bool beforeTheReload)
{
    private static readonly TestCertificates.Pem Secure = TestCertificates.Create("secure.test");

    /// <summary>A header value full of nginx syntax: allowed (printable ASCII without "$"), so quoted and escaped.</summary>
    private const string NginxSyntax = "v; } { \" ' # \\ end";

    private static readonly string[] Hosts =
        ["headers.test", "cors.test", "cors-any.test", "cors-other.test", "denied.test", "allowed.test", "not-allowed.test", "rate.test", "body.test", "slow.test", "force.test", "edge.test", "edge-denied.test", "resp.test"];

    /// <summary>
    /// Hosts whose policies have only what the Lua applies (timeouts, response headers, ADR 0016; client address rules,
    /// CORS, rate limits, ADR 0018): with Lua endpoints the default server routes them from the live file, no server
    /// block, and before their reload they get what the live file says: the policy holds.
    /// </summary>
    private static readonly Dictionary<string, int> LiveOnlyHosts = new()
    {
        ["slow.test"] = 200, ["resp.test"] = 200, ["cors.test"] = 200, ["cors-any.test"] = 200, ["cors-other.test"] = 200,
        ["allowed.test"] = 200, ["denied.test"] = 403, ["not-allowed.test"] = 403, ["edge-denied.test"] = 403,
        // its rate's zone comes with the reload: until then not counted, so not served
        ["rate.test"] = 503,
    };

    private readonly List<(string Host, ProxyResponse Response)> _beforeReload = [];
    private NginxScenario _scenario = null!;

    private static IngressPolicy Policy(string target, IngressPolicySpec spec)
    {
        spec.TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target };
        return new IngressPolicy { Metadata = new V1ObjectMeta { Name = target, NamespaceProperty = "default" }, Spec = spec };
    }

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(IReadOnlyDictionary<string, TestBackend> backends) =>
    [
        .. Hosts.Select(host => Kube.Ingress(host.Split('.')[0]).WithPath(host, "/", "Prefix", "app", 80)),
        Policy("headers", new IngressPolicySpec
        {
            RequestHeaders = new HeaderModifier
            {
                Add = [new HeaderValue { Name = "X-Added", Value = "policy" }],
                Set = [new HeaderValue { Name = "X-Set", Value = "policy-set" }, new HeaderValue { Name = "X-Syntax", Value = NginxSyntax }],
                Remove = ["X-Removed"],
            },
            ResponseHeaders = new HeaderModifier
            {
                Add = [new HeaderValue { Name = "X-Resp-Added", Value = "added" }],
                Set = [new HeaderValue { Name = "X-Resp-Set", Value = "policy" }, new HeaderValue { Name = "X-Syntax", Value = NginxSyntax }],
                Remove = ["X-Resp-Removed"],
            },
        }),
        Policy("cors", new IngressPolicySpec
        {
            Cors = new CorsPolicy
            {
                AllowOrigins = ["https://app.example.org", "https://*.example.com"],
                AllowMethods = ["GET", "POST"],
                AllowHeaders = ["X-Token"],
                ExposeHeaders = ["X-Request-Id"],
                AllowCredentials = true,
                MaxAge = "10m",
            },
        }),
        Policy("cors-any", new IngressPolicySpec { Cors = new CorsPolicy { AllowOrigins = ["*"], AllowMethods = ["GET"] } }),
        // Every rule's origins share one map (keyed by rule and origin): another rule's origins must not leak in.
        Policy("cors-other", new IngressPolicySpec { Cors = new CorsPolicy { AllowOrigins = ["https://other.example.net", "https://*.other.example.net"], AllowMethods = ["GET"] } }),
        Policy("denied", new IngressPolicySpec { IpDenyList = ["127.0.0.1/32", "::1/128"] }),
        Policy("allowed", new IngressPolicySpec { IpAllowList = ["127.0.0.1/32", "::1/128"], IpDenyList = ["192.0.2.0/24"] }),
        Policy("not-allowed", new IngressPolicySpec { IpAllowList = ["192.0.2.0/24", "2001:db8::/32"] }),
        Policy("rate", new IngressPolicySpec { RateLimit = new RateLimitPolicy { RequestsPerSecond = 1, Burst = 0 } }),
        Policy("body", new IngressPolicySpec { MaxRequestBodySize = "1Ki" }),
        Policy("slow", new IngressPolicySpec { Timeouts = new TimeoutPolicy { Request = "1s" } }),
        Policy("force", new IngressPolicySpec { HttpsRedirect = true }),

        // Response headers beside answers nginx gives by itself: they go on those too ("add_header ... always"), except
        // on the CORS preflight, which carries only its own headers. With Lua endpoints the headers are live data
        // applied by the location's header filter (ADR 0016): the same answers, by another path.
        Policy("edge", new IngressPolicySpec
        {
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Edge", Value = "on" }] },
            MaxRequestBodySize = "1Ki",
            Cors = new CorsPolicy { AllowOrigins = ["https://app.example.org"], AllowMethods = ["GET"] },
        }),
        Policy("resp", new IngressPolicySpec
        {
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Resp", Value = "live" }], Remove = ["X-Resp-Removed"] },
        }),
        Policy("edge-denied", new IngressPolicySpec
        {
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Edge", Value = "on" }] },
            IpDenyList = ["127.0.0.1/32", "::1/128"],
        }),

        // A TLS host that redirects plain HTTP (RedirectHttpToHttps), except the route whose policy says false.
        Kube.Ingress("secure-site").WithPath("secure.test", "/", "Prefix", "app", 80).WithTls("secure-tls", "secure.test"),
        Kube.Ingress("secure-api").WithPath("secure.test", "/api", "Prefix", "app", 80).WithTls("secure-tls", "secure.test"),
        Policy("secure-api", new IngressPolicySpec { HttpsRedirect = false }),
        Kube.TlsSecret("secure-tls", Secure.Certificate, Secure.Key),
        .. NginxScenario.Service("app", [backends["app"]]),
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(
            ["app"],
            Objects,
            options: new BuildOptions { RedirectHttpToHttps = true },
            configure: settings => settings with { NginxLuaEndpoints = luaEndpoints },
            notYetReloaded: beforeTheReload ? o => o is V1Ingress : null,
            explainChecked: false);
        if (beforeTheReload)
        {
            // What the hosts answer while their reload is in flight, then the reload itself.
            foreach (string host in Hosts)
            {
                _beforeReload.Add((host, await _scenario.SendAsync(host, "/")));
            }

            await _scenario.ReloadAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Test]
    public void A_host_with_a_policy_nginx_enforces_is_never_routed_by_the_fallback_table_and_before_its_reload_is_not_served()
    {
        // The default server's live table routes hosts that have no server block (or whose block has not landed yet),
        // and enforces nothing but the live part of a policy (ADR 0016).
        var live = _scenario.Result.Config["portico-endpoints.txt"];
        var tableHosts = live is null ? [] : System.Text.Encoding.ASCII.GetString(live.Content).Split('\n').Where(l => l.StartsWith('=')).Select(l => l[1..].Split(' ')[0]).ToList();
        Assert.That(tableHosts.Intersect(Hosts.Except(LiveOnlyHosts.Keys)), Is.Empty, "no host with a policy nginx.conf enforces in the fallback table");
        Assert.That(tableHosts.Intersect(LiveOnlyHosts.Keys), Is.EquivalentTo(luaEndpoints ? LiveOnlyHosts.Keys.ToArray() : []), "hosts whose policy is all live data are");
        Assert.That(live is null, Is.EqualTo(!luaEndpoints), "the live file exists exactly with Lua endpoints");

        Assert.That(_beforeReload.Select(r => r.Host), Is.EquivalentTo(beforeTheReload ? Hosts : []));
        foreach (var (host, response) in _beforeReload)
        {
            var expected = LiveOnlyHosts.TryGetValue(host, out int status) ? (status, status == 200 ? "app" : null) : (404, (string?)null);
            Assert.That((response.StatusCode, response.Backend), Is.EqualTo(expected), $"{host}: {response}");
        }
    }

    [Test]
    public async Task Response_headers_of_a_host_without_a_server_block_go_on_its_answers_and_on_a_413()
    {
        var served = await _scenario.SendAsync("resp.test", "/?respond-header=X-Resp-Removed:backend&respond-header=X-Resp:backend");
        Assert.That((served.StatusCode, served.Backend, served.Header("X-Resp"), served.Header("X-Resp-Removed")), Is.EqualTo((200, "app", "live", (string?)null)), served.ToString());
        var tooLarge = await _scenario.SendAsync("resp.test", "/", "POST", body: new string('x', (1024 * 1024) + 1));
        Assert.That((tooLarge.StatusCode, tooLarge.Header("X-Resp")), Is.EqualTo((413, "live")), "over the global body limit: " + tooLarge);
    }

    [Test]
    public async Task Request_headers_are_added_set_and_removed_at_the_backend()
    {
        var echo = (await _scenario.SendAsync("headers.test", "/", headers: new Dictionary<string, string>
        {
            ["X-Added"] = "client",
            ["X-Set"] = "client",
            ["X-Removed"] = "client",
        })).Echo;
        Assert.That(echo.Headers.GetValueOrDefault("x-added"), Is.EqualTo("client, policy"));
        Assert.That(echo.Headers.GetValueOrDefault("x-set"), Is.EqualTo("policy-set"));
        Assert.That(echo.Headers.ContainsKey("x-removed"), Is.False, string.Join(", ", echo.Headers));

        // The location's own proxy_set_header must not lose the ones every request gets.
        Assert.That((echo.Host, echo.XForwardedFor, echo.XRealIp, echo.XForwardedProto), Is.EqualTo(("headers.test", "127.0.0.1", "127.0.0.1", "http")));
    }

    [Test]
    public async Task A_header_value_with_nginx_syntax_arrives_unchanged_at_the_backend_and_the_client()
    {
        var response = await _scenario.SendAsync("headers.test", "/");
        Assert.That(response.Echo.Headers.GetValueOrDefault("x-syntax"), Is.EqualTo(NginxSyntax));
        Assert.That(response.Header("X-Syntax"), Is.EqualTo(NginxSyntax));
    }

    [Test]
    public async Task An_added_request_header_stands_alone_when_the_client_sent_none()
    {
        var echo = (await _scenario.SendAsync("headers.test", "/")).Echo;
        Assert.That(echo.Headers.GetValueOrDefault("x-added"), Is.EqualTo("policy"));
    }

    [Test]
    public async Task Response_headers_are_added_set_and_removed()
    {
        var response = await _scenario.SendAsync("headers.test", "/?respond-header=X-Resp-Added:backend&respond-header=X-Resp-Set:backend&respond-header=X-Resp-Removed:backend");
        Assert.That(response.Backend, Is.EqualTo("app"), response.ToString());
        Assert.That(response.Header("X-Resp-Added")?.Split(", "), Is.EquivalentTo(new[] { "backend", "added" }), response.ToString());
        Assert.That(response.Header("X-Resp-Set"), Is.EqualTo("policy"), response.ToString());
        Assert.That(response.Header("X-Resp-Removed"), Is.Null, response.ToString());
    }

    [TestCase("https://app.example.org")]
    [TestCase("https://a.example.com")]
    [TestCase("https://a.b.example.com")]
    public async Task A_preflight_from_an_allowed_origin_is_answered_204(string origin)
    {
        var response = await Preflight("cors.test", origin);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((204, (string?)null)), response.ToString());
        Assert.That(response.Header("Access-Control-Allow-Origin"), Is.EqualTo(origin), response.ToString());
        Assert.That(response.Header("Access-Control-Allow-Methods"), Is.EqualTo("GET, POST"));
        Assert.That(response.Header("Access-Control-Allow-Headers"), Is.EqualTo("x-token"));
        Assert.That(response.Header("Access-Control-Max-Age"), Is.EqualTo("600"));
        Assert.That(response.Header("Access-Control-Allow-Credentials"), Is.EqualTo("true"));
        Assert.That(response.Header("Vary"), Is.EqualTo("Origin"));
    }

    [Test]
    public async Task A_simple_request_from_an_allowed_origin_gets_its_CORS_headers()
    {
        var response = await _scenario.SendAsync("cors.test", "/", headers: new Dictionary<string, string> { ["Origin"] = "https://shop.example.com" });
        Assert.That(response.Backend, Is.EqualTo("app"), response.ToString());
        Assert.That(response.Header("Access-Control-Allow-Origin"), Is.EqualTo("https://shop.example.com"), response.ToString());
        Assert.That(response.Header("Access-Control-Expose-Headers"), Is.EqualTo("x-request-id"), response.ToString());
        Assert.That(response.Header("Access-Control-Allow-Credentials"), Is.EqualTo("true"), response.ToString());
    }

    // An exact origin is compared as nginx's map compares strings (case-insensitively) and answered as the rule writes
    // it; a wildcard one as its regex (case-sensitively). The Lua of a host without a server block does the same.
    [TestCase("HTTPS://APP.EXAMPLE.ORG", "https://app.example.org")]
    [TestCase("https://App.Example.org", "https://app.example.org")]
    [TestCase("https://A.example.com", null)]
    public async Task Origins_are_compared_as_the_map_compares_them(string origin, string? answer)
    {
        var simple = await _scenario.SendAsync("cors.test", "/", headers: new Dictionary<string, string> { ["Origin"] = origin });
        Assert.That((simple.Backend, simple.Header("Access-Control-Allow-Origin")), Is.EqualTo(("app", answer)), simple.ToString());
    }

    [Test]
    public async Task A_preflight_whose_requested_method_holds_a_colon_is_answered_as_the_map_answers_it()
    {
        // "$request_method:$http_access_control_request_method:$portico_cors_origin" against "^OPTIONS:[^:]+:.": with
        // a colon in the method, the map says preflight even for a foreign origin, which then gets no Allow-Origin.
        var response = await _scenario.SendAsync("cors.test", "/", "OPTIONS", new Dictionary<string, string> { ["Origin"] = "https://evil.test", ["Access-Control-Request-Method"] = "a:b" });
        Assert.That((response.StatusCode, response.Backend, response.Header("Access-Control-Allow-Origin")), Is.EqualTo((204, (string?)null, (string?)null)), response.ToString());
    }

    [TestCase("https://evil.test")]
    [TestCase("http://app.example.org")]
    [TestCase("https://example.com")]
    [TestCase("https://evilexample.com")]
    [TestCase("https://a.example.com.evil.test")]
    [TestCase("https://app.example.org:8443")]
    [TestCase("https://other.example.net")]
    [TestCase("https://a.other.example.net")]
    [TestCase("https://app.example.org", "cors-other.test")]
    [TestCase("https://a.example.com", "cors-other.test")]
    [TestCase("", "cors.test")]
    public async Task A_foreign_origin_gets_no_CORS_headers(string origin, string host = "cors.test")
    {
        var simple = await _scenario.SendAsync(host, "/", headers: new Dictionary<string, string> { ["Origin"] = origin });
        var preflight = await Preflight(host, origin);
        foreach (var response in new[] { simple, preflight })
        {
            Assert.That(response.Backend, Is.EqualTo("app"), response.ToString());
            Assert.That(response.Headers.Keys.Where(k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)), Is.Empty, response.ToString());
        }
    }

    [Test]
    public async Task Any_origin_is_answered_with_a_star()
    {
        var preflight = await Preflight("cors-any.test", "https://anyone.test");
        Assert.That((preflight.StatusCode, preflight.Header("Access-Control-Allow-Origin")), Is.EqualTo((204, "*")), preflight.ToString());
        Assert.That(preflight.Header("Access-Control-Allow-Credentials"), Is.Null);
        var simple = await _scenario.SendAsync("cors-any.test", "/", headers: new Dictionary<string, string> { ["Origin"] = "https://anyone.test" });
        Assert.That((simple.Backend, simple.Header("Access-Control-Allow-Origin")), Is.EqualTo(("app", "*")), simple.ToString());
        var without = await _scenario.SendAsync("cors-any.test", "/");
        Assert.That((without.Backend, without.Header("Access-Control-Allow-Origin")), Is.EqualTo(("app", (string?)null)), "no Origin, no answer");
    }

    [TestCase("https://other.example.net")]
    [TestCase("https://a.b.other.example.net")]
    public async Task Each_rule_answers_its_own_origins(string origin)
    {
        var preflight = await Preflight("cors-other.test", origin);
        Assert.That((preflight.StatusCode, preflight.Header("Access-Control-Allow-Origin")), Is.EqualTo((204, origin)), preflight.ToString());
        Assert.That(preflight.Header("Access-Control-Allow-Credentials"), Is.Null, "this rule does not allow credentials");
        var simple = await _scenario.SendAsync("cors-other.test", "/", headers: new Dictionary<string, string> { ["Origin"] = origin });
        Assert.That((simple.Backend, simple.Header("Access-Control-Allow-Origin"), simple.Header("Access-Control-Expose-Headers")), Is.EqualTo(("app", origin, (string?)null)), simple.ToString());
    }

    [TestCase("denied.test", 403)]
    [TestCase("not-allowed.test", 403)]
    [TestCase("allowed.test", 200)]
    public async Task Client_addresses_are_checked_against_the_lists(string host, int status)
    {
        var response = await _scenario.SendAsync(host, "/anything");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((status, status == 200 ? "app" : null)), response.ToString());
    }

    [Test]
    public async Task Over_the_rate_a_client_gets_429()
    {
        // 1 request per second, no burst: a second request right after the first is over the rate.
        var first = await _scenario.SendAsync("rate.test", "/");
        var second = await _scenario.SendAsync("rate.test", "/");
        Assert.That((first.StatusCode, first.Backend), Is.EqualTo((200, "app")), first.ToString());
        Assert.That((second.StatusCode, second.Backend), Is.EqualTo((429, (string?)null)), second.ToString());
    }

    [TestCase(1024, 200)]
    [TestCase(1025, 413)]
    [TestCase(64 * 1024, 413)]
    public async Task A_body_over_the_limit_gets_413(int size, int status)
    {
        var response = await _scenario.SendAsync("body.test", "/", "POST", body: new string('x', size));
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((status, status == 200 ? "app" : null)), response.ToString());
    }

    [Test]
    public async Task A_backend_slower_than_the_timeout_gets_504()
    {
        var slow = await _scenario.SendAsync("slow.test", "/?delay-ms=5000");
        Assert.That((slow.StatusCode, slow.Backend), Is.EqualTo((504, (string?)null)), slow.ToString());
        var quick = await _scenario.SendAsync("slow.test", "/?delay-ms=0");
        Assert.That((quick.StatusCode, quick.Backend), Is.EqualTo((200, "app")), quick.ToString());
    }

    [Test]
    public async Task Response_headers_go_on_the_answers_nginx_gives_itself_but_not_on_a_CORS_preflight()
    {
        var served = await _scenario.SendAsync("edge.test", "/", headers: new Dictionary<string, string> { ["Origin"] = "https://app.example.org" });
        Assert.That((served.StatusCode, served.Backend, served.Header("X-Edge"), served.Header("Access-Control-Allow-Origin")), Is.EqualTo((200, "app", "on", "https://app.example.org")), served.ToString());

        var tooLarge = await _scenario.SendAsync("edge.test", "/", "POST", body: new string('x', 4096));
        Assert.That((tooLarge.StatusCode, tooLarge.Header("X-Edge")), Is.EqualTo((413, "on")), tooLarge.ToString());

        var denied = await _scenario.SendAsync("edge-denied.test", "/");
        Assert.That((denied.StatusCode, denied.Header("X-Edge")), Is.EqualTo((403, "on")), denied.ToString());

        var preflight = await Preflight("edge.test", "https://app.example.org");
        Assert.That((preflight.StatusCode, preflight.Header("Access-Control-Allow-Origin"), preflight.Header("X-Edge")), Is.EqualTo((204, "https://app.example.org", (string?)null)), preflight.ToString());
    }

    [Test]
    public async Task A_route_with_httpsRedirect_answers_plain_HTTP_with_308()
    {
        var response = await _scenario.SendAsync("force.test", "/p?q=1");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((308, (string?)null)), response.ToString());
        Assert.That(response.Location, Is.EqualTo($"https://force.test:{_scenario.HttpsPort}/p?q=1"));
    }

    [Test]
    public async Task A_route_with_httpsRedirect_false_is_served_on_plain_HTTP_while_the_rest_of_its_host_redirects()
    {
        var api = await _scenario.SendAsync("secure.test", "/api/x");
        Assert.That((api.StatusCode, api.Backend), Is.EqualTo((200, "app")), api.ToString());
        var site = await _scenario.SendAsync("secure.test", "/page");
        Assert.That((site.StatusCode, site.Location), Is.EqualTo((308, $"https://secure.test:{_scenario.HttpsPort}/page")), site.ToString());
    }

    private Task<ProxyResponse> Preflight(string host, string origin) =>
        _scenario.SendAsync(host, "/", "OPTIONS", new Dictionary<string, string>
        {
            ["Origin"] = origin,
            ["Access-Control-Request-Method"] = "POST",
        });
}
