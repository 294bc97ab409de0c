using System.Text.Json;
using k8s;
using k8s.Models;
using Portico.Core.Building.Policies;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// Hostile input for policies (issue 10), through build, render, `nginx -t` and real traffic: every string field of
/// an IngressPolicy and every supported ingress-nginx annotation, each with every hostile value (nginx syntax,
/// quotes, variables, comments, NUL, CR/LF, Unicode separators, sheer size), next to one well-formed Ingress. Each is
/// refused with an error naming the object and field; nothing of it reaches a rendered file; the output passes
/// `nginx -t`; the well-formed Ingress is served; a target whose refused policy or annotation carried access control
/// answers 403, every other target is served without the refused value.
/// </summary>
[TestFixture]
public sealed class PolicyHostileInputTests
{
    private static readonly string[] Hostile = ["a\r\nb", "a;b", "a}b", "a\"b", "a$host", "a#b", "a\0b", "a\u2028b", new string('a', 5000)];

    /// <summary>A field path and the spec JSON that puts a value (already JSON-encoded) there.</summary>
    private static readonly (string Field, string Json)[] PolicyFields =
    [
        ("spec.requestHeaders.set[0].name", """{"requestHeaders":{"set":[{"name":@V@,"value":"x"}]}}"""),
        ("spec.requestHeaders.add[0].value", """{"requestHeaders":{"add":[{"name":"x","value":@V@}]}}"""),
        ("spec.responseHeaders.set[0].value", """{"responseHeaders":{"set":[{"name":"x","value":@V@}]}}"""),
        ("spec.responseHeaders.remove[0]", """{"responseHeaders":{"remove":[@V@]}}"""),
        ("spec.cors.allowOrigins[0]", """{"cors":{"allowOrigins":[@V@]}}"""),
        ("spec.cors.allowMethods[0]", """{"cors":{"allowMethods":[@V@]}}"""),
        ("spec.cors.allowHeaders[0]", """{"cors":{"allowHeaders":[@V@]}}"""),
        ("spec.cors.exposeHeaders[0]", """{"cors":{"exposeHeaders":[@V@]}}"""),
        ("spec.cors.maxAge", """{"cors":{"maxAge":@V@}}"""),
        ("spec.ipAllowList[0]", """{"ipAllowList":[@V@]}"""),
        ("spec.ipDenyList[0]", """{"ipDenyList":[@V@]}"""),
        ("spec.rewrite.replacePrefixMatch", """{"rewrite":{"replacePrefixMatch":@V@}}"""),
        ("spec.redirect.hostname", """{"redirect":{"hostname":@V@}}"""),
        ("spec.redirect.path", """{"redirect":{"path":@V@}}"""),
        ("spec.timeouts.connect", """{"timeouts":{"connect":@V@}}"""),
        ("spec.retries.perTryTimeout", """{"retries":{"attempts":1,"perTryTimeout":@V@}}"""),
        ("spec.basicAuth.secretRef.name", """{"basicAuth":{"secretRef":{"name":@V@}}}"""),
        ("spec.basicAuth.realm", """{"basicAuth":{"secretRef":{"name":"s"},"realm":@V@}}"""),
        ("spec.externalAuth.url", """{"externalAuth":{"url":@V@}}"""),
        ("spec.externalAuth.path", """{"externalAuth":{"url":"http://auth.example","path":@V@}}"""),
        ("spec.externalAuth.signinURL", """{"externalAuth":{"url":"http://auth.example","signinURL":@V@}}"""),
        ("spec.externalAuth.forwardResponseHeaders[0]", """{"externalAuth":{"url":"http://auth.example","forwardResponseHeaders":[@V@]}}"""),
        ("spec.maxRequestBodySize", """{"maxRequestBodySize":@V@}"""),
        ("spec.sessionAffinity.cookie.name", """{"sessionAffinity":{"cookie":{"name":@V@}}}"""),
        ("spec.loadBalancing.hashOn.header", """{"loadBalancing":{"algorithm":"RequestHash","hashOn":{"header":@V@}}}"""),
        ("spec.trafficSplit[0].service.name", """{"trafficSplit":[{"service":{"name":@V@,"port":80},"weight":1}]}"""),
    ];

    private static readonly IReadOnlyList<Target> Targets = BuildTargets();

    private NginxScenario _scenario = null!;

    public static IEnumerable<string> TargetNames => Targets.Select(t => t.Name);

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(["good"], backends =>
        NginxScenario.ToManifestSet([
            Kube.Ingress("good").WithPath("good.test", "/", "Prefix", "good", 80),
            .. NginxScenario.Service("good", [backends["good"]]),
            .. Targets.SelectMany(t => t.Objects),
        ]));

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Test]
    public void The_rendered_output_passes_nginx_t_and_the_well_formed_Ingress_is_served()
    {
        var result = NginxProcess.Test(_scenario.Result.Config);
        Assert.That(result.Succeeded, Is.True, result.ToString());
    }

    [Test]
    public async Task The_well_formed_Ingress_is_served() =>
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync("good.test", "/x"), "good");

    [Test]
    public void No_hostile_value_reaches_a_rendered_file()
    {
        string rendered = _scenario.RenderedText;
        foreach (string value in Hostile.Where(v => v.Length < 100))
        {
            Assert.That(rendered, Does.Not.Contain(value), Printable.Quote(value));
        }

        Assert.That(rendered, Does.Not.Contain(new string('a', 300)));
    }

    [TestCaseSource(nameof(TargetNames))]
    public async Task Each_hostile_value_is_an_error_at_its_field_and_its_target_fails_closed_or_is_served_without_it(string name)
    {
        var target = Targets.Single(t => t.Name == name);
        var errors = _scenario.Result.Diagnostics.Where(d => d.Target == target.Refused && d.Severity == Severity.Error).ToList();
        foreach (var (value, field) in target.Fields)
        {
            Assert.That(errors.Select(d => d.Field), Does.Contain(field), $"{Printable.Quote(value)}: no error at {field}; all:\n{string.Join("\n", errors)}");
        }

        foreach (var diagnostic in errors)
        {
            string text = diagnostic.ToString();
            Assert.That(text.Length, Is.LessThan(1000), text[..Math.Min(text.Length, 300)]);
            Assert.That(text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'), Is.False, text);
        }

        var response = await _scenario.GetAsync(target.Host, "/");
        string refused = target.Fields[0].Field;
        if (target.AccessControl)
        {
            Assert.That((response.StatusCode, response.Backend), Is.EqualTo((403, (string?)null)), $"{refused}: access control refused: never open; {response}");
        }
        else if (refused.StartsWith("nginx.ingress.kubernetes.io/canary-", StringComparison.Ordinal))
        {
            // A canary Ingress (canary: "true") without a main route is not served, as ingress-nginx; its refused
            // setting changes nothing about that.
            Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)), $"{refused}: {response}");
        }
        else
        {
            Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, "good")), $"{refused}: served without the refused value (a redirect whose code is refused is not used); {response}");
        }
    }

    private static List<Target> BuildTargets()
    {
        var targets = new List<Target>();
        int n = 0;
        foreach (var (field, json) in PolicyFields)
        {
            // Header values may hold ';', '#', quotes and braces (escaped by the templates): only the rest is hostile there.
            var values = field.EndsWith(".value", StringComparison.Ordinal) ? Hostile.Where(v => v.Any(char.IsControl) || v.Contains('$', StringComparison.Ordinal) || v.Length > 4096 || v.Any(c => c > '\x7e')) : Hostile;
            foreach (string value in values)
            {
                string name = $"p{n++}";
                string spec = json.Replace("@V@", JsonSerializer.Serialize(value), StringComparison.Ordinal)
                    .Insert(1, $"\"targetRef\":{{\"group\":\"networking.k8s.io\",\"kind\":\"Ingress\",\"name\":\"{name}\"}},");
                var policy = new IngressPolicy
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
                    Spec = KubernetesJson.Deserialize<IngressPolicySpec>(spec),
                };
                bool accessControl = field.StartsWith("spec.ip", StringComparison.Ordinal) || field.Contains("Auth", StringComparison.Ordinal);
                targets.Add(new Target(name, $"{name}.hostile.test", new ObjectRef(IngressPolicy.KubeKind, "default", name), [(value, field)], accessControl,
                    [Kube.Ingress(name).WithPath($"{name}.hostile.test", "/", "Prefix", "good", 80), policy]));
            }
        }

        foreach (string annotation in IngressNginxAnnotations.Supported)
        {
            // Annotations whose grammar allows some of these characters are covered by the parser's own tests.
            if (annotation is "auth-realm" or "canary-by-header-value" or "use-regex" or "rewrite-target")
            {
                continue;
            }

            foreach (string value in Hostile)
            {
                string name = $"a{n++}";
                var ingress = Kube.Ingress(name).WithPath($"{name}.hostile.test", "/", "Prefix", "good", 80);
                foreach (var (key, contextValue) in IngressNginxAnnotationContext.Needed.GetValueOrDefault(annotation) ?? [])
                {
                    ingress = ingress.WithAnnotation("nginx.ingress.kubernetes.io/" + key, contextValue);
                }

                ingress = ingress.WithAnnotation("nginx.ingress.kubernetes.io/" + annotation, value);
                bool accessControl = annotation.StartsWith("auth-", StringComparison.Ordinal) || annotation.EndsWith("-source-range", StringComparison.Ordinal);
                bool redirects = annotation is "permanent-redirect" or "temporal-redirect" or "app-root" or "from-to-www-redirect";
                if (redirects || annotation.StartsWith("canary", StringComparison.Ordinal))
                {
                    // Served, but what they would do differs (a redirect refused is no redirect; a canary refused takes no traffic).
                    accessControl = false;
                }

                targets.Add(new Target(name, $"{name}.hostile.test", new ObjectRef("Ingress", "default", name), [(value, "nginx.ingress.kubernetes.io/" + annotation)], accessControl, [ingress]));
            }
        }

        return targets;
    }

    private sealed record Target(string Name, string Host, ObjectRef Refused, (string Value, string Field)[] Fields, bool AccessControl, IKubernetesObject<V1ObjectMeta>[] Objects)
    {
        public override string ToString() => Name;
    }
}
