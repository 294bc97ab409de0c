using k8s;
using Portico.Core.Building.Policies;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model.Policies;

namespace Portico.Tests.Policies;

/// <summary>An IngressPolicy spec becomes typed values, all or nothing, with every refusal naming its field.</summary>
public sealed class PolicySpecParserTests
{
    private const string Full = """
        {"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},
         "requestHeaders":{"add":[{"name":"X-Team","value":"shop"}],"set":[{"name":"X-Env","value":"prod"}],"remove":["X-Debug","x-debug"]},
         "responseHeaders":{"set":[{"name":"Strict-Transport-Security","value":"max-age=31536000"}]},
         "cors":{"allowOrigins":["https://App.example.com:443","https://*.example.org"],"allowMethods":["POST","GET"],"allowHeaders":["Content-Type"],
                 "exposeHeaders":["X-Request-Id"],"allowCredentials":true,"maxAge":"1h"},
         "ipAllowList":["10.0.0.0/8","192.168.1.7"],"ipDenyList":["10.1.0.0/16"],
         "rateLimit":{"requestsPerSecond":20,"burst":40},
         "rewrite":{"replacePrefixMatch":"/v2"},
         "timeouts":{"connect":"2s","request":"1m30s","idle":"5m"},
         "retries":{"attempts":3,"perTryTimeout":"500ms","on":["5xx","connect-failure"]},
         "basicAuth":{"secretRef":{"name":"htpasswd"},"realm":"Shop staff"},
         "externalAuth":{"service":{"name":"oauth2-proxy","port":4180},"path":"/oauth2/auth","forwardResponseHeaders":["X-Auth-Request-User"],
                         "signinURL":"https://auth.example.com/oauth2/start?rd=/"},
         "maxRequestBodySize":"8Mi",
         "sessionAffinity":{"cookie":{"name":"route","ttl":"1h"}},
         "loadBalancing":{"algorithm":"RequestHash","hashOn":{"header":"X-User"}},
         "trafficSplit":[{"service":{"name":"web","port":80},"weight":90},{"service":{"name":"web-canary","port":80},"weight":10}],
         "httpsRedirect":true}
        """;

    private static IngressPolicySpec Spec(string json = Full) => KubernetesJson.Deserialize<IngressPolicySpec>(json);

    // A spec object parsed without an error is kept (a build reads every policy again); one with errors says them every time.
    [Test]
    public void The_same_spec_object_parses_to_the_same_values_and_a_refused_one_is_refused_every_time()
    {
        var accepted = Spec();
        var first = PolicySpecParser.Parse(accepted);
        var second = PolicySpecParser.Parse(accepted);
        Assert.That((second.Spec, second.Errors), Is.EqualTo((first.Spec, (IReadOnlyList<(string, string)>)[])));
        Assert.That(second.Spec, Is.EqualTo(PolicySpecParser.Parse(Spec()).Spec), "an equal object of its own parses equal");

        var refused = Spec("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"rateLimit":{"requestsPerSecond":0}}""");
        for (int i = 0; i < 2; i++)
        {
            var (spec, errors) = PolicySpecParser.Parse(refused);
            Assert.That((spec, errors.Select(e => e.Field)), Is.EqualTo(((PolicySpec?)null, new[] { "spec.rateLimit.requestsPerSecond" })));
        }
    }

    [Test]
    public void A_full_policy_becomes_typed_canonical_values()
    {
        var (spec, errors) = PolicySpecParser.Parse(Spec());
        Assert.That(errors, Is.Empty);
        Assert.That(spec!.RequestHeaders!.Remove, Is.EqualTo(new[] { "x-debug" }), "lowercase, once");
        Assert.That(spec.Cors!.AllowOrigins, Is.EqualTo(new[] { "https://*.example.org", "https://app.example.com" }));
        Assert.That(spec.Cors.AllowMethods, Is.EqualTo(new[] { "GET", "POST" }));
        Assert.That(spec.Cors.MaxAge, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(spec.IpAccess!.Allow.Select(n => n.ToString()), Is.EqualTo(new[] { "10.0.0.0/8", "192.168.1.7/32" }));
        Assert.That(spec.RateLimit, Is.EqualTo(new RateLimitRule(20, 40)));
        Assert.That(spec.Timeouts, Is.EqualTo(new TimeoutRule(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(5))));
        Assert.That(spec.Retries!.On, Is.EqualTo(new[] { RetryCondition.ConnectFailure, RetryCondition.ServerError }));
        Assert.That(spec.BasicAuth, Is.EqualTo(new BasicAuthRule("htpasswd", "Shop staff")));
        Assert.That(spec.ExternalAuth!.Service, Is.EqualTo(new ServicePort("oauth2-proxy", 4180)));
        Assert.That(spec.MaxRequestBodyBytes, Is.EqualTo(8L << 20));
        Assert.That(spec.LoadBalancing, Is.EqualTo(new LoadBalancingRule(LoadBalancingAlgorithm.RequestHash, new HashSource("x-user", null))));
        Assert.That(spec.TrafficSplit!.Value.Select(b => b.Weight), Is.EqualTo(new[] { 90, 10 }));
        Assert.That(spec.CarriesAccessControl, Is.True);
        Assert.That(PolicySpecParser.Parse(Spec()).Spec, Is.EqualTo(spec), "deterministic, compared by value");
    }

    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Service","name":"web"}}""", "spec.targetRef")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"Web_1"}}""", "spec.targetRef.name")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web","sectionName":"a b"}}""", "spec.targetRef.sectionName")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"ipAllowList":["10.0.0.0/8","010.0.0.1"]}""", "spec.ipAllowList[1]")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"cors":{"allowOrigins":["*"],"allowCredentials":true}}""", "spec.cors.allowCredentials")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"cors":{"allowMethods":["get"]}}""", "spec.cors.allowMethods[0]")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"rateLimit":{"requestsPerSecond":0}}""", "spec.rateLimit.requestsPerSecond")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"rewrite":{"replacePrefixMatch":"v2"}}""", "spec.rewrite.replacePrefixMatch")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"redirect":{"statusCode":300}}""", "spec.redirect.statusCode")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"timeouts":{"idle":"5 min"}}""", "spec.timeouts.idle")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"retries":{"on":["timeout"]}}""", "spec.retries.on[0]")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"basicAuth":{"secretRef":{"name":"../x"}}}""", "spec.basicAuth.secretRef.name")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"externalAuth":{"url":"http://a.example","service":{"name":"a","port":1}}}""", "spec.externalAuth")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"externalAuth":{"url":"http://a.example/$host"}}""", "spec.externalAuth.url")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"maxRequestBodySize":"8 MB"}""", "spec.maxRequestBodySize")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"sessionAffinity":{"cookie":{"name":"a;b"}}}""", "spec.sessionAffinity.cookie.name")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"loadBalancing":{"algorithm":"RequestHash"}}""", "spec.loadBalancing.hashOn")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"loadBalancing":{"algorithm":"RequestHash","hashOn":{"header":"a","sourceIP":true}}}""", "spec.loadBalancing.hashOn")]
    [TestCase("""{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},"trafficSplit":[{"service":{"name":"a","port":80},"weight":0}]}""", "spec.trafficSplit")]
    public void A_refused_field_is_named_and_no_value_of_the_policy_is_used(string json, string field)
    {
        var (spec, errors) = PolicySpecParser.Parse(Spec(json));
        Assert.That(spec, Is.Null);
        Assert.That(errors.Select(e => e.Field), Does.Contain(field));
    }

    private static readonly string[] Hostile = ["a\r\nb", "a\nb", "a;b", "a{b", "a}b", "a\"b", "a$b", "a#b", "a\0b", "a\u2028b", "a\u0085b", "a b\\", "'", new string('a', 5000)];

    /// <summary>Every string field, with every hostile value: the policy is refused at exactly that field.</summary>
    public static IEnumerable<TestCaseData> HostileFields()
    {
        (string Field, Func<string, string> Json)[] fields =
        [
            ("spec.targetRef.name", v => """{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.requestHeaders.set[0].name", v => """{"requestHeaders":{"set":[{"name":@V@,"value":"x"}]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.requestHeaders.set[0].value", v => """{"requestHeaders":{"set":[{"name":"x","value":@V@}]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.responseHeaders.remove[0]", v => """{"responseHeaders":{"remove":[@V@]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.cors.allowOrigins[0]", v => """{"cors":{"allowOrigins":[@V@]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.cors.allowMethods[0]", v => """{"cors":{"allowMethods":[@V@]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.cors.allowHeaders[0]", v => """{"cors":{"allowHeaders":[@V@]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.cors.maxAge", v => """{"cors":{"maxAge":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.ipDenyList[0]", v => """{"ipDenyList":[@V@]}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.rewrite.replacePrefixMatch", v => """{"rewrite":{"replacePrefixMatch":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.redirect.hostname", v => """{"redirect":{"hostname":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.redirect.path", v => """{"redirect":{"path":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.timeouts.request", v => """{"timeouts":{"request":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.basicAuth.realm", v => """{"basicAuth":{"secretRef":{"name":"s"},"realm":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.externalAuth.url", v => """{"externalAuth":{"url":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.externalAuth.path", v => """{"externalAuth":{"url":"http://a.example","path":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.externalAuth.signinURL", v => """{"externalAuth":{"url":"http://a.example","signinURL":@V@}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.externalAuth.forwardRequestHeaders[0]", v => """{"externalAuth":{"url":"http://a.example","forwardRequestHeaders":[@V@]}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.maxRequestBodySize", v => """{"maxRequestBodySize":@V@}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.sessionAffinity.cookie.name", v => """{"sessionAffinity":{"cookie":{"name":@V@}}}""".Replace("@V@", v, StringComparison.Ordinal)),
            ("spec.loadBalancing.hashOn.cookie", v => """{"loadBalancing":{"algorithm":"RequestHash","hashOn":{"cookie":@V@}}}""".Replace("@V@", v, StringComparison.Ordinal)),
        ];
        foreach (var (field, json) in fields)
        {
            yield return new TestCaseData(field, json).SetName($"Hostile values are refused at {field}");
        }
    }

    [TestCaseSource(nameof(HostileFields))]
    public void Hostile_values_are_refused_at_their_field(string field, Func<string, string> json)
    {
        // Header values may hold ";", "#", quotes, braces and backslashes (templates escape them); never control characters or "$".
        var hostile = field.EndsWith(".value", StringComparison.Ordinal) ? Hostile.Where(h => h.Any(char.IsControl) || h.Contains('$', StringComparison.Ordinal) || h.Length > 4096 || h.Any(c => c > '\x7e')) : Hostile;
        foreach (string value in hostile)
        {
            string body = json(System.Text.Json.JsonSerializer.Serialize(value));
            string withTarget = field == "spec.targetRef.name" ? body : body.Insert(1, "\"targetRef\":{\"group\":\"networking.k8s.io\",\"kind\":\"Ingress\",\"name\":\"web\"},");
            var (spec, errors) = PolicySpecParser.Parse(Spec(withTarget));
            Assert.That(spec, Is.Null, $"{Core.Model.Printable.Quote(value)} at {field}");
            Assert.That(errors.Select(e => e.Field), Does.Contain(field), $"{Core.Model.Printable.Quote(value)} at {field}");
        }
    }
}
