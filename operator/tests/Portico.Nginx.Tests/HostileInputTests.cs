using System.Globalization;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Manifests;
using Portico.Core.Model;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;
using k8s;
using k8s.Models;

namespace Portico.Nginx.Tests;

/// <summary>
/// Hostile input (DESIGN.md §5): Ingresses, Services, EndpointSlices and Secrets whose strings carry nginx syntax,
/// control characters, Unicode separators, path traversal or sheer size. One render holds them all next to a
/// well-formed Ingress. Each is refused with a diagnostic naming the object and field; no hostile string reaches
/// any rendered file; the output passes nginx -t; and the well-formed Ingress is served.
/// </summary>
[TestFixture]
public sealed class HostileInputTests
{
    private const string GoodHost = "good.test";
    private const string Shared = "hostile.test";
    private static readonly TestCertificates.Pem GoodCertificate = TestCertificates.Create(GoodHost);
    private static readonly TestCertificates.Pem WrappedCertificate = TestCertificates.Create("wrapped.hostile.test");

    private static readonly IReadOnlyList<HostileCase> Cases = BuildCases();

    private NginxScenario _scenario = null!;

    public static IEnumerable<string> CaseNames => Cases.Select(c => c.Name);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(["good"], backends =>
            NginxScenario.ToManifestSet([
                Kube.Ingress("good", ageRank: 5).WithPath(GoodHost, "/", "Prefix", "good", 80).WithTls("good-tls", GoodHost),
                Kube.TlsSecret("good-tls", GoodCertificate.Certificate, GoodCertificate.Key),
                .. NginxScenario.Service("good", [backends["good"]]),
                .. IgnoredHostileObjects(),
                .. Cases.SelectMany(c => c.Objects()),
            ]));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Each_hostile_value_is_refused_with_a_diagnostic_naming_object_and_field(string name)
    {
        var hostile = Cases.Single(c => c.Name == name);
        var diagnostics = _scenario.Result.Diagnostics;
        var found = diagnostics.Where(d => d.Target == hostile.Target && d.Field == hostile.Field).ToList();
        Assert.That(found, Is.Not.Empty, $"no diagnostic for {hostile.Target} {hostile.Field}; all:\n{string.Join("\n", diagnostics)}");
        Assert.That(found.Select(d => d.Severity), Has.All.EqualTo(hostile.Severity), string.Join("\n", found));
        foreach (var diagnostic in found)
        {
            // The diagnostic becomes a log line, an Event and a terminal line: it must be one bounded, printable line.
            string text = diagnostic.ToString();
            Assert.That(text.Length, Is.LessThan(1000), text[..Math.Min(text.Length, 300)]);
            Assert.That(text.Where(IsUnprintable).Select(c => $"U+{(int)c:X4}"), Is.Empty, text);
        }
    }

    [TestCaseSource(nameof(CaseNames))]
    public void No_hostile_value_reaches_a_rendered_file(string name)
    {
        var hostile = Cases.Single(c => c.Name == name);
        string rendered = _scenario.RenderedText;
        Assert.That(rendered, Does.Not.Contain(hostile.Marker).IgnoreCase);
        Assert.That(rendered, Does.Not.Contain(hostile.Value));
    }

    [Test]
    public void The_rendered_output_passes_nginx_t()
    {
        var result = NginxProcess.Test(_scenario.Result.Config);
        Assert.That(result.Succeeded, Is.True, result.ToString());
    }

    [Test]
    public async Task The_well_formed_Ingress_is_served_over_HTTP_and_HTTPS()
    {
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync(GoodHost, "/x"), "good");
        var response = await _scenario.GetTlsAsync(GoodHost, "/y");
        PathMatchingTests.AssertServedBy(response, "good");
        Assert.That(response.ServerCertificate!.Subject, Is.EqualTo("CN=" + GoodHost));
    }

    /// <summary>An IngressPolicy refused for a hostile value is not applied; its target (no access control in it) is served as before.</summary>
    [Test]
    public async Task The_target_of_a_refused_policy_is_served_without_it()
    {
        foreach (var hostile in Cases.Where(c => c.Target.Kind == "IngressPolicy"))
        {
            PathMatchingTests.AssertServedBy(await _scenario.GetAsync(hostile.Name + "." + Shared, "/"), "good");
        }
    }

    /// <summary>
    /// Text around the PEM blocks of a Secret is ignored; snippet annotations are refused with a diagnostic naming each
    /// (issue 10). Neither reaches the output, and both objects are served (these snippets carry no access control).
    /// </summary>
    [Test]
    public async Task Text_that_is_ignored_or_refused_never_reaches_the_output_and_the_object_is_served()
    {
        string rendered = _scenario.RenderedText;
        Assert.That(rendered, Does.Not.Contain("evil-ignored").IgnoreCase.And.Not.Contain("/etc/shadow"));
        Assert.That(_scenario.Result.Diagnostics.Where(d => d.Target == new ObjectRef("Ingress", "default", "wrapped-pem")), Is.Empty);
        var snippet = _scenario.Result.Diagnostics.Where(d => d.Target == new ObjectRef("Ingress", "default", "snippet")).ToList();
        Assert.That(snippet.Select(d => (d.Severity, d.Field)), Is.EquivalentTo(new[]
        {
            (Severity.Error, "nginx.ingress.kubernetes.io/configuration-snippet"),
            (Severity.Error, "nginx.ingress.kubernetes.io/server-snippet"),
        }));
        Assert.That(snippet.Select(d => d.Message), Has.All.Contains("refused"));

        var response = await _scenario.GetTlsAsync("wrapped.hostile.test");
        PathMatchingTests.AssertServedBy(response, "good");
        Assert.That(response.ServerCertificate!.Subject, Is.EqualTo("CN=wrapped.hostile.test"));
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync("snippet.hostile.test"), "good");
    }

    private static bool IsUnprintable(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format;

    /// <summary>Objects carrying hostile text in places Portico ignores by design.</summary>
    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> IgnoredHostileObjects()
    {
        string wrappedCertificate = "evil-ignored ssl_certificate /etc/shadow; }\n" + WrappedCertificate.Certificate + "\n# evil-ignored \"$host\"\n";
        string wrappedKey = "\"; include /etc/shadow; # evil-ignored\r\n" + WrappedCertificate.Key + "}\n";
        yield return Kube.Ingress("wrapped-pem").WithPath("wrapped.hostile.test", "/", "Prefix", "good", 80).WithTls("wrapped-tls", "wrapped.hostile.test");
        yield return Kube.TlsSecret("wrapped-tls", wrappedCertificate, wrappedKey);
        yield return Kube.Ingress("snippet")
            .WithPath("snippet.hostile.test", "/", "Prefix", "good", 80)
            .WithAnnotation("nginx.ingress.kubernetes.io/server-snippet", "location /evil-ignored { return 200 /etc/shadow; }")
            .WithAnnotation("nginx.ingress.kubernetes.io/configuration-snippet", "evil-ignored\n}\nserver { listen 1; }");
    }

    /// <summary>One hostile object (or a few): the diagnostic expected, and the marker that must appear in no output.</summary>
    public sealed record HostileCase(string Name, string Marker, string Value, Func<IEnumerable<IKubernetesObject<V1ObjectMeta>>> Objects, ObjectRef Target, string Field, Severity Severity)
    {
        public override string ToString() => Name;
    }

    private static List<HostileCase> BuildCases()
    {
        var cases = new List<HostileCase>();
        int number = 0;
        string Next() => "evil" + (++number).ToString("D2", CultureInfo.InvariantCulture);
        static ObjectRef IngressRef(string name, string ns = "default") => new("Ingress", ns, name);
        string big10k = new('a', 10_000);
        string big100k = new('a', 100_000);

        // Hosts: the rule is refused.
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("host-semicolon", m => $"{m}.test;"),
            ("host-brace-open", m => $"{m}.test{{"),
            ("host-brace-close", m => $"{m}}}.test"),
            ("host-double-quote", m => $"{m}\".test"),
            ("host-single-quote", m => $"{m}'.test"),
            ("host-hash", m => $"{m}.test#"),
            ("host-dollar", m => $"${m}.test"),
            ("host-crlf", m => $"{m}.test\r\nserver_name x"),
            ("host-lf", m => $"{m}.test\n"),
            ("host-nul", m => $"{m}\0.test"),
            ("host-line-separator", m => $"{m}\u2028.test"),
            ("host-next-line", m => $"{m}\u0085.test"),
            ("host-paragraph-separator", m => $"{m}.test\u2029"),
            ("host-zero-width-space", m => $"{m}\u200B.test"),
            ("host-dot-dot-slash", m => $"../{m}.test"),
            ("host-empty-label", m => $"{m}..test"),
            ("host-space", m => $" {m}.test"),
            ("host-port", m => $"{m}.test:8080"),
            ("host-ip", _ => "10.66.77.88"),
            ("host-double-wildcard", m => $"*.*.{m}.test"),
            ("host-inner-wildcard", m => $"{m}.*.test"),
            ("host-kelvin-sign", m => $"\u212A{m}.test"),
            ("host-dotted-capital-i", m => $"{m}\u0130.test"),
            ("host-10kb", m => $"{m}{big10k}.test"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            cases.Add(new(name, value.Contains(marker, StringComparison.Ordinal) ? marker : value, value,
                () => [Kube.Ingress(name).WithPath(value, "/", "Prefix", "good", 80)],
                IngressRef(name), "spec.rules[0].host", Severity.Error));
        }

        // Paths: the path is refused.
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("path-semicolon", m => $"/{m};"),
            ("path-brace-open", m => $"/{m}{{"),
            ("path-brace-close", m => $"/{m}}}"),
            ("path-double-quote", m => $"/{m}\""),
            ("path-single-quote", m => $"/{m}'"),
            ("path-hash", m => $"/{m}#x"),
            ("path-dollar", m => $"/{m}$uri"),
            ("path-crlf", m => $"/{m}\r\nreturn 200"),
            ("path-nul", m => $"/{m}\0"),
            ("path-line-separator", m => $"/{m}\u2028"),
            ("path-next-line", m => $"/{m}\u0085"),
            ("path-backslash", m => $"/{m}\\x"),
            ("path-space", m => $"/{m} x"),
            ("path-dot-dot", m => $"/{m}/../etc/passwd"),
            ("path-percent", m => $"/{m}%2e%2e"),
            ("path-100kb", m => $"/{m}{big100k}"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            cases.Add(new(name, marker, value,
                () => [Kube.Ingress(name).WithPath(Shared, value, "Prefix", "good", 80).WithPath(Shared, value, "Exact", "good", 80)],
                IngressRef(name), "spec.rules[0].http.paths[0].path", Severity.Error));
        }

        // Service names: the path is refused.
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("service-semicolon", m => $"{m};"),
            ("service-brace", m => $"{m}{{"),
            ("service-quote", m => $"{m}\"x"),
            ("service-dollar", m => $"${m}"),
            ("service-crlf", m => $"{m}\r\nx"),
            ("service-nul", m => $"{m}\0"),
            ("service-line-separator", m => $"{m}\u2028"),
            ("service-dot-dot", m => $"../{m}"),
            ("service-dot", m => $"{m}.x"),
            ("service-10kb", m => $"{m}{big10k}"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            cases.Add(new(name, marker, value,
                () => [Kube.Ingress(name).WithPath(Shared, "/" + name, "Prefix", value, 80)],
                IngressRef(name), "spec.rules[0].http.paths[0].backend.service.name", Severity.Error));
        }

        // Port names: the path is refused.
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("port-semicolon", m => $"{m};"),
            ("port-brace", m => $"{m}{{"),
            ("port-quote", m => $"{m}\""),
            ("port-dollar", m => $"${m}"),
            ("port-lf", m => $"{m}\n"),
            ("port-next-line", m => $"{m}\u0085"),
            ("port-dot-dot", m => $"..{m}"),
            ("port-10kb", m => $"{m}{big10k}"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            cases.Add(new(name, marker, value,
                () => [Kube.Ingress(name).WithNamedPortPath(Shared, "/" + name, "Prefix", "good", value)],
                IngressRef(name), "spec.rules[0].http.paths[0].backend.service.port.name", Severity.Error));
        }

        // Secret names: TLS for the host is refused (the host is still served over HTTP).
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("secret-semicolon", m => $"{m};"),
            ("secret-braces", m => $"{m}{{}}"),
            ("secret-quote", m => $"\"{m}"),
            ("secret-dollar", m => $"${m}"),
            ("secret-crlf", m => $"{m}\r\n"),
            ("secret-traversal", m => $"../../{m}/shadow"),
            ("secret-line-separator", m => $"{m}\u2028"),
            ("secret-10kb", m => $"{m}{big10k}"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            string host = name + "." + Shared;
            cases.Add(new(name, marker, value,
                () => [Kube.Ingress(name).WithPath(host, "/", "Prefix", "good", 80).WithTls(value, host)],
                IngressRef(name), "spec.tls[0].secretName", Severity.Error));
        }

        // TLS hosts: TLS for that entry is refused.
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("tls-host-semicolon", m => $"{m}.test;"),
            ("tls-host-crlf", m => $"{m}.test\r\n"),
            ("tls-host-next-line", m => $"{m}\u0085.test"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            cases.Add(new(name, marker, value,
                () => [Kube.Ingress(name).WithPath(name + "." + Shared, "/", "Prefix", "good", 80).WithTls("good-tls", value)],
                IngressRef(name), "spec.tls[0].hosts[0]", Severity.Error));
        }

        // PEM data: the Secret is unusable, a warning; the host falls back to the default certificate (none here).
        foreach (var (name, pem) in new (string, Func<string, (string Certificate, string Key)>)[]
        {
            ("pem-hostile-certificate-body", m => ($"-----BEGIN CERTIFICATE-----\n{m};}}{{\"$#\r\n\0\u2028\n-----END CERTIFICATE-----\n", GoodCertificate.Key)),
            ("pem-hostile-key-body", m => (GoodCertificate.Certificate, $"-----BEGIN PRIVATE KEY-----\n{m} ssl_certificate /etc/shadow;\n-----END PRIVATE KEY-----\n")),
            ("pem-oversized", m => (GoodCertificate.Certificate + m + new string('A', 2 * 1024 * 1024), GoodCertificate.Key)),
        })
        {
            string marker = Next();
            var (certificate, key) = pem(marker);
            string host = name + "." + Shared;
            cases.Add(new(name, marker, certificate.Contains(marker, StringComparison.Ordinal) ? certificate : key,
                () => [Kube.Ingress(name).WithPath(host, "/", "Prefix", "good", 80).WithTls(name + "-tls", host), Kube.TlsSecret(name + "-tls", certificate, key)],
                IngressRef(name), "spec.tls[0].secretName", Severity.Warning));
        }

        // Object names: the whole Ingress is refused.
        {
            string marker = Next();
            string value = $"{marker};\n}}";
            cases.Add(new("ingress-name", marker, value,
                () => [Kube.Ingress(value).WithPath(marker + "." + Shared, "/", "Prefix", "good", 80)],
                IngressRef(value), "metadata", Severity.Error));
            marker = Next();
            string ns = $"{marker}\u2028";
            cases.Add(new("ingress-namespace", marker, ns,
                () => [Kube.Ingress("namespaced", ns).WithPath(marker + "." + Shared, "/", "Prefix", "good", 80)],
                IngressRef("namespaced", ns), "metadata", Severity.Error));
        }

        // The default backend's Service name.
        {
            string marker = Next();
            string value = $"{marker}; return 200";
            cases.Add(new("default-backend-service", marker, value,
                () => [Kube.Ingress("default-backend-service").WithDefaultBackend(value, 80)],
                IngressRef("default-backend-service"), "spec.defaultBackend.service.name", Severity.Error));
        }

        // EndpointSlice addresses: the endpoint is refused (a warning on the slice).
        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("slice-address-semicolon", m => $"127.0.0.1;{m}"),
            ("slice-address-zone", m => $"fe80::1%{m}"),
            ("slice-address-newline", m => $"127.0.0.1\n{m}"),
        })
        {
            string marker = Next();
            string value = shape(marker);
            cases.Add(new(name, marker, value,
                () =>
                [
                    Kube.Ingress(name).WithPath(Shared, "/" + name, "Prefix", name, 80),
                    Kube.Service(name, "default", (null, 80)),
                    Kube.Slice(name, null, 8080, [value], name: name + "-slice", addressType: value.Contains(':', StringComparison.Ordinal) && !value.Contains('.', StringComparison.Ordinal) ? "IPv6" : "IPv4"),
                ],
                new ObjectRef("EndpointSlice", "default", name + "-slice"), "endpoints[0].addresses[0]", Severity.Warning));
        }

        // IngressPolicy string fields (issue 10): the whole policy is refused, its target served without it.
        var policyFields = new (string Field, Func<string, IngressPolicySpec> Spec, bool IsValue)[]
        {
            ("spec.requestHeaders.set[0].value", v => new() { RequestHeaders = new() { Set = [new() { Name = "X-Ok", Value = v }] } }, true),
            ("spec.requestHeaders.add[0].name", v => new() { RequestHeaders = new() { Add = [new() { Name = v, Value = "ok" }] } }, false),
            ("spec.requestHeaders.remove[0]", v => new() { RequestHeaders = new() { Remove = [v] } }, false),
            ("spec.responseHeaders.set[0].name", v => new() { ResponseHeaders = new() { Set = [new() { Name = v, Value = "ok" }] } }, false),
            ("spec.responseHeaders.add[0].value", v => new() { ResponseHeaders = new() { Add = [new() { Name = "X-Ok", Value = v }] } }, true),
            ("spec.responseHeaders.remove[0]", v => new() { ResponseHeaders = new() { Remove = [v] } }, false),
            ("spec.cors.allowOrigins[0]", v => new() { Cors = new() { AllowOrigins = [v], AllowMethods = ["GET"] } }, false),
            ("spec.cors.allowMethods[0]", v => new() { Cors = new() { AllowOrigins = ["https://ok.test"], AllowMethods = [v] } }, false),
            ("spec.cors.allowHeaders[0]", v => new() { Cors = new() { AllowOrigins = ["https://ok.test"], AllowHeaders = [v] } }, false),
            ("spec.cors.exposeHeaders[0]", v => new() { Cors = new() { AllowOrigins = ["https://ok.test"], ExposeHeaders = [v] } }, false),
        };

        // Header values may hold any printable ASCII but "$" (they are quoted and escaped); names and origins none of these.
        var policyShapes = new (string Name, Func<string, string> Shape, bool InValues)[]
        {
            ("crlf", m => $"{m}\r\nadd_header X 1", true),
            ("lf", m => $"{m}\n}}", true),
            ("nul", m => $"{m}\0", true),
            ("dollar", m => $"{m}$host", true),
            ("line-separator", m => $"{m}\u2028", true),
            ("next-line", m => $"{m}\u0085", true),
            ("zero-width-space", m => $"{m}\u200B", true),
            ("non-ascii", m => $"{m}\u00e9", true),
            ("10kb", m => m + big10k, true),
            ("semicolon", m => $"{m};", false),
            ("braces", m => $"{m}{{}}", false),
            ("double-quote", m => $"{m}\"", false),
            ("single-quote", m => $"{m}'", false),
            ("hash", m => $"{m}#", false),
            ("space", m => $"{m} x", false),
        };
        foreach (var (field, spec, isValue) in policyFields)
        {
            foreach (var (shapeName, shape, inValues) in policyShapes.Where(p => !isValue || p.InValues))
            {
                string marker = Next();
                string value = field.Contains("allowOrigins", StringComparison.Ordinal) ? "https://" + shape(marker) : shape(marker);
                string name = $"policy-{field[5..].Replace('.', '-').Replace("[0]", string.Empty, StringComparison.Ordinal).ToLowerInvariant()}-{shapeName}";
                cases.Add(new(name, marker, value,
                    () =>
                    {
                        var policySpec = spec(value);
                        policySpec.TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = name };
                        return
                        [
                            Kube.Ingress(name).WithPath(name + "." + Shared, "/", "Prefix", "good", 80),
                            new IngressPolicy { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" }, Spec = policySpec },
                        ];
                    },
                    new ObjectRef("IngressPolicy", "default", name), field, Severity.Error));
            }
        }

        // Read from YAML, as `portico render` reads files: escapes in double-quoted scalars become the characters.
        {
            string hostMarker = Next();
            string pathMarker = Next();
            string yaml = $$"""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: yaml-hostile
                  namespace: default
                spec:
                  ingressClassName: portico
                  rules:
                    - host: "{{hostMarker}}.test\u2028\r\n}"
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: good
                                port:
                                  number: 80
                    - host: yaml.hostile.test
                      http:
                        paths:
                          - path: "/{{pathMarker}}\u0085;\x00"
                            pathType: Exact
                            backend:
                              service:
                                name: good
                                port:
                                  number: 80
                """;
            var objects = ManifestReader.ReadString(yaml, "hostile.yaml");
            Assert.That(objects.Diagnostics, Is.Empty, "the YAML itself reads");
            cases.Add(new("yaml-host", hostMarker, $"{hostMarker}.test\u2028\r\n}}",
                () => objects.Objects.Select(o => o.Value), IngressRef("yaml-hostile"), "spec.rules[0].host", Severity.Error));
            cases.Add(new("yaml-path", pathMarker, $"/{pathMarker}\u0085;\0",
                () => [], IngressRef("yaml-hostile"), "spec.rules[1].http.paths[0].path", Severity.Error));
        }

        return cases;
    }
}
