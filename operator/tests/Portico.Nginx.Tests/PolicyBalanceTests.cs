using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// Real nginx, with and without Lua endpoints and through the live routing before the reload: weighted traffic
/// splits (IngressPolicy trafficSplit, an ingress-nginx canary joining its main Ingress), a split share without
/// endpoints answering 503, and retries that pass a request failing on one endpoint (502) to another. Hosts whose
/// routes carry a policy (retries) wait for their own server block, so those tests live in
/// <see cref="PolicyRetryTests"/>, whose fixtures leave the before-the-reload mode out.
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
[TestFixture(true, true)]
public sealed class PolicyBalanceTests(bool luaEndpoints, bool beforeTheReload) : PolicyBalanceScenario(luaEndpoints, beforeTheReload)
{
    private const int Draws = 1000;

    [Test]
    public async Task A_90_10_split_sends_about_a_tenth_to_the_light_backend()
    {
        var counts = await CountAsync("split.test", Draws);

        // Binomial(1000, 0.1): standard deviation ~0.95 points; 4 points is beyond 4 sigma.
        Assert.That(counts.Keys, Is.SubsetOf(new[] { "blue", "green" }), string.Join(", ", counts));
        Assert.That(counts.GetValueOrDefault("green"), Is.InRange(60, 140), string.Join(", ", counts));
    }

    [Test]
    public async Task A_share_without_endpoints_answers_503_never_502()
    {
        var counts = await CountAsync("half.test", 200);

        Assert.That(counts.Keys, Is.SubsetOf(new[] { "blue", "503" }), string.Join(", ", counts));
        Assert.That((counts.GetValueOrDefault("blue"), counts.GetValueOrDefault("503")), Is.EqualTo((counts["blue"], counts["503"])));
        Assert.That(counts["503"], Is.InRange(60, 140), string.Join(", ", counts));
    }

    [Test]
    public async Task A_canary_Ingress_takes_its_weight_of_the_main_route()
    {
        var counts = await CountAsync("canary.test", Draws);

        Assert.That(counts.Keys, Is.SubsetOf(new[] { "blue", "green" }), string.Join(", ", counts));
        Assert.That(counts.GetValueOrDefault("green"), Is.InRange(160, 240), string.Join(", ", counts));
    }

    [TestCase("always", "green", Description = "the header's \"always\" beats canary-weight 100 the other way round too")]
    [TestCase("never", "blue", Description = "\"never\" keeps the main backend although the weight is 100")]
    [TestCase("Always", "green", Description = "any other value (the comparison is case-sensitive) falls through to the weight: 100")]
    public async Task A_canary_header_decides_before_the_weight(string value, string expected)
    {
        var counts = await CountAsync("by-header.test", 20, new Dictionary<string, string> { ["X-Canary"] = value });
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { [expected] = 20 }), string.Join(", ", counts));
    }

    [TestCase(null, "green", Description = "neither header nor cookie: canary-weight 100")]
    [TestCase("other=1; canary_c=never", "blue", Description = "the cookie \"never\" beats the weight")]
    [TestCase("canary_c=neverx", "green", Description = "a value that is not exactly \"never\" falls through")]
    public async Task A_canary_cookie_decides_after_the_header_and_before_the_weight(string? cookie, string expected)
    {
        var headers = new Dictionary<string, string> { ["X-Canary"] = "maybe" };
        if (cookie is not null)
        {
            headers["Cookie"] = cookie;
        }

        var counts = await CountAsync("by-header.test", 20, headers);
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { [expected] = 20 }), string.Join(", ", counts));
    }

    [Test]
    public async Task The_canary_header_wins_over_the_canary_cookie()
    {
        var counts = await CountAsync("by-header.test", 20, new Dictionary<string, string> { ["X-Canary"] = "never", ["Cookie"] = "canary_c=always" });
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { ["blue"] = 20 }), string.Join(", ", counts));
    }

    [TestCase("v2.{x} \"q\";#", "green", Description = "exactly the value, with regex and nginx metacharacters")]
    [TestCase("v2a{x} \"q\";#", "blue", Description = "\".\" is no wildcard")]
    [TestCase("always", "blue", Description = "with a header value, \"always\" is just another value")]
    [TestCase(null, "blue", Description = "no header: canary-weight 0")]
    public async Task A_canary_header_value_sends_exactly_that_value_to_the_canary(string? value, string expected)
    {
        var headers = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["X-Env"] = value };
        var counts = await CountAsync("by-value.test", 20, headers);
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { [expected] = 20 }), string.Join(", ", counts));
    }

    [TestCase("canary=always", "green")]
    [TestCase("a=1;canary=always; b=2", "green")]
    [TestCase("canary=never", "blue")]
    [TestCase("Canary=always", "blue", Description = "cookie names are case-sensitive")]
    [TestCase("xcanary=always", "blue")]
    [TestCase(null, "blue", Description = "no cookie: canary-weight 0")]
    public async Task A_canary_cookie_always_sends_to_the_canary(string? cookie, string expected)
    {
        var headers = cookie is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Cookie"] = cookie };
        var counts = await CountAsync("by-cookie.test", 20, headers);
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { [expected] = 20 }), string.Join(", ", counts));
    }

    [Test]
    public async Task A_canary_with_header_rules_still_splits_by_weight_without_them()
    {
        var counts = await CountAsync("header-split.test", Draws, new Dictionary<string, string>());
        Assert.That(counts.Keys, Is.SubsetOf(new[] { "blue", "green" }), string.Join(", ", counts));
        Assert.That(counts.GetValueOrDefault("green"), Is.InRange(410, 590), string.Join(", ", counts));

        var always = await CountAsync("header-split.test", 20, new Dictionary<string, string> { ["X-Canary"] = "always" });
        Assert.That(always, Is.EqualTo(new Dictionary<string, int> { ["green"] = 20 }), string.Join(", ", always));
    }

    [Test]
    public async Task A_canary_without_a_main_route_is_not_served()
    {
        var response = await Scenario.GetAsync("lonely.test", "/");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)), response.ToString());
    }

    [Test]
    public async Task Without_retries_on_5xx_the_502_reaches_the_client()
    {
        // The control for the test above: the same endpoints without a retry policy (nginx retries only "error
        // timeout" by default), so round robin hands some requests to the failing endpoint.
        var counts = await CountAsync("noretry.test", 20);
        Assert.That(counts.Keys, Is.EquivalentTo(new[] { "steady", "failing-502" }), string.Join(", ", counts));
    }
}

/// <summary>
/// Retries on real nginx, with and without Lua endpoints. Not before the reload: a host whose routes carry a
/// policy waits for its own server block.
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
public sealed class PolicyRetryTests(bool luaEndpoints, bool beforeTheReload) : PolicyBalanceScenario(luaEndpoints, beforeTheReload)
{
    [TestCase("retry.test")]
    [TestCase("annotated.test")]
    public async Task Retries_pass_a_502_to_the_next_endpoint(string host)
    {
        var counts = await CountAsync(host, 20);
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { ["steady"] = 20 }), string.Join(", ", counts));
    }
}

/// <summary>The balance scenario shared by <see cref="PolicyBalanceTests"/> and <see cref="PolicyRetryTests"/>.</summary>
public abstract class PolicyBalanceScenario(bool luaEndpoints, bool beforeTheReload)
{
    private protected NginxScenario Scenario { get; private set; } = null!;

    private static IngressPolicy Policy(string name, string target, Action<IngressPolicySpec> set)
    {
        var spec = new IngressPolicySpec { TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target } };
        set(spec);
        return new IngressPolicy { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" }, Spec = spec };
    }

    private static TrafficSplitBackend Share(string service, int weight) => new() { Service = new ServicePortRef { Name = service, Port = 80 }, Weight = weight };

    [OneTimeSetUp]
    public async Task StartAsync() => Scenario = await NginxScenario.StartAsync(["blue", "green", "steady", "failing-502"], backends =>
        [
            Kube.Ingress("split").WithPath("split.test", "/", "Prefix", "blue", 80),
            Policy("ninety-ten", "split", p => p.TrafficSplit = [Share("blue", 90), Share("green", 10), Share("steady", 0)]),
            Kube.Ingress("half").WithPath("half.test", "/", "Prefix", "blue", 80),
            Policy("half-empty", "half", p => p.TrafficSplit = [Share("blue", 1), Share("empty", 1)]),
            Kube.Ingress("shop", ageRank: 1).WithPath("canary.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("shop-canary", ageRank: 0).WithPath("canary.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", "20"),
            Kube.Ingress("by-header", ageRank: 1).WithPath("by-header.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("by-header-canary", ageRank: 0).WithPath("by-header.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", "100")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header", "X-Canary")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-cookie", "canary_c"),
            Kube.Ingress("by-value", ageRank: 1).WithPath("by-value.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("by-value-canary", ageRank: 0).WithPath("by-value.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header", "x-env")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header-value", "v2.{x} \"q\";#"),
            Kube.Ingress("by-cookie", ageRank: 1).WithPath("by-cookie.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("by-cookie-canary", ageRank: 0).WithPath("by-cookie.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-cookie", "canary"),
            Kube.Ingress("header-split", ageRank: 1).WithPath("header-split.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("header-split-canary", ageRank: 0).WithPath("header-split.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", "50")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header", "x-canary"),
            Kube.Ingress("lonely-canary").WithPath("lonely.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", "50"),
            Kube.Ingress("retry").WithPath("retry.test", "/", "Prefix", "flaky", 80),
            Policy("retry-gateway-errors", "retry", p => p.Retries = new RetryPolicy { Attempts = 1, On = ["gateway-error"] }),
            Kube.Ingress("retry-annotated").WithPath("annotated.test", "/", "Prefix", "flaky", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/proxy-next-upstream", "error timeout http_502 http_503 http_504")
                .WithAnnotation("nginx.ingress.kubernetes.io/proxy-next-upstream-tries", "2"),
            Kube.Ingress("no-retry").WithPath("noretry.test", "/", "Prefix", "flaky", 80),
            .. NginxScenario.Service("blue", [backends["blue"]]),
            .. NginxScenario.Service("green", [backends["green"]]),
            .. NginxScenario.Service("steady", [backends["steady"]]),
            .. NginxScenario.Service("flaky", [backends["failing-502"], backends["steady"]]),
            Kube.Service("empty", "default", (null, 80)),
        ],
        configure: settings => settings with { NginxLuaEndpoints = luaEndpoints },
        notYetReloaded: beforeTheReload ? o => o is V1Ingress : null);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (Scenario is not null)
        {
            await Scenario.DisposeAsync();
        }
    }

    /// <summary>Responses to <paramref name="requests"/> requests by backend (or status); with <paramref name="headers"/>, sent as they are (explain answers for routes, not headers).</summary>
    protected async Task<Dictionary<string, int>> CountAsync(string host, int requests, IReadOnlyDictionary<string, string>? headers = null)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < requests; i++)
        {
            var response = headers is null ? await Scenario.GetAsync(host, "/") : await Scenario.SendAsync(host, "/", headers: headers);
            string key = response.Backend ?? response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }
}
