using System.Globalization;
using System.Text;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Envoy.Schema;
using Portico.TestSupport;
using k8s;
using k8s.Models;

namespace Portico.Envoy.Tests;

/// <summary>
/// Hostile input against the Envoy output (DESIGN.md §5): strings shaped to break out of a JSON string or to smuggle
/// Envoy config (quotes, backslashes, braces, commas, control and separator characters, non-ASCII, path traversal,
/// Envoy's own %FORMATTER% syntax) in every field that could reach a file. One render holds them all next to a
/// well-formed Ingress: each is refused with a diagnostic naming object and field, no marker appears in any rendered
/// file, the output passes the strict schema check, and the well-formed host is still routed.
/// </summary>
public sealed class EnvoyHostileInputTests
{
    private const string GoodHost = "good.test";

    private static readonly IReadOnlyList<HostileCase> Cases = BuildCases();

    private static readonly Lazy<(ProxyModel Model, RenderedConfig Config)> Rendered = new(() =>
    {
        var certificate = TestCertificates.Create(GoodHost);
        var objects = new List<IKubernetesObject<V1ObjectMeta>>
        {
            Kube.Ingress("good", ageRank: 5).WithPath(GoodHost, "/", "Prefix", "good", 80).WithTls("good-tls", GoodHost),
            Kube.TlsSecret("good-tls", certificate.Certificate, certificate.Key),
            Kube.Service("good"),
            Kube.Slice("good", null, 8080, ["10.1.0.1"]),
        };
        objects.AddRange(Cases.SelectMany(c => c.Objects));
        var options = new BuildOptions { EnableExternalNameServices = true };
        var model = ModelBuilder.Build(Kube.Snapshot([.. objects]), options);
        var settings = new ProxySettings { DnsResolver = System.Net.IPAddress.Parse("10.96.0.10") };
        return (model, ProxyKind.Envoy.CreateRenderer().Render(model, settings));
    });

    public static IEnumerable<string> CaseNames => Cases.Select(c => c.Name);

    private static string RenderedText => string.Join("\n", Rendered.Value.Config.Files.Select(f => $"### {f.Path}\n{Encoding.UTF8.GetString(f.Content)}"));

    [TestCaseSource(nameof(CaseNames))]
    public void Each_hostile_value_is_refused_with_a_diagnostic_naming_object_and_field(string name)
    {
        var hostile = Cases.Single(c => c.Name == name);
        var found = Rendered.Value.Model.Diagnostics.Where(d => d.Target == hostile.Target && d.Field == hostile.Field).ToList();
        Assert.That(found, Is.Not.Empty, $"no diagnostic for {hostile.Target} {hostile.Field}; all:\n{string.Join("\n", Rendered.Value.Model.Diagnostics)}");
    }

    [TestCaseSource(nameof(CaseNames))]
    public void No_hostile_value_reaches_a_rendered_file(string name)
    {
        var hostile = Cases.Single(c => c.Name == name);
        Assert.That(RenderedText, Does.Not.Contain(hostile.Marker).IgnoreCase);
    }

    [Test]
    public void The_output_passes_the_strict_schema_check_and_the_good_host_is_routed()
    {
        Assert.That(new EnvoySchemaValidator().Validate(Rendered.Value.Config), Is.Empty);
        var parsed = new EnvoyParsed(Rendered.Value.Config);
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, GoodHost, "/x"), Is.EqualTo("cluster default_good_80"));
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpsRoutes, GoodHost, "/x"), Is.EqualTo("cluster default_good_80"));
        Assert.That(EnvoyRoutingModel.Chain(parsed.Listener("https"), GoodHost), Is.Not.Null);
    }

    [Test]
    public void Every_rendered_json_file_is_printable_ascii()
    {
        foreach (var file in Rendered.Value.Config.Files.Where(f => f.Path.EndsWith(".json", StringComparison.Ordinal)))
        {
            string text = Encoding.UTF8.GetString(file.Content);
            Assert.That(text.Where(c => c is not '\n' && (c < ' ' || c > '~')).Select(c => $"U+{(int)c:X4}"), Is.Empty, file.Path);
        }
    }

    /// <summary>Objects whose hostile text sits where Portico ignores it by design (annotations): never in the output.</summary>
    [Test]
    public void Ignored_annotations_never_reach_the_output()
    {
        var model = ModelBuilder.Build(Kube.Snapshot(
            Kube.Ingress("snippet")
                .WithPath("snippet.test", "/", "Prefix", "good", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/server-snippet", "\"}],\"evilannotation\":{\"")
                .WithAnnotation("envoy.config", "{\"static_resources\": \"evilannotation\"}"),
            Kube.Service("good"),
            Kube.Slice("good", null, 8080, ["10.1.0.1"])), new BuildOptions());
        var config = ProxyKind.Envoy.CreateRenderer().Render(model, new ProxySettings());
        Assert.That(string.Concat(config.Files.Select(f => Encoding.UTF8.GetString(f.Content))), Does.Not.Contain("evilannotation"));
        Assert.That(new EnvoySchemaValidator().Validate(config), Is.Empty);
    }

    private static List<HostileCase> BuildCases()
    {
        var cases = new List<HostileCase>();
        int number = 0;
        string Next() => "evil" + (++number).ToString("D2", CultureInfo.InvariantCulture);
        static ObjectRef IngressRef(string name) => new("Ingress", "default", name);

        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("host-quote", m => $"{m}\".test"),
            ("host-json-breakout", m => $"{m}.test\"],\"domains\":[\"*"),
            ("host-backslash", m => $"{m}\\.test"),
            ("host-brace", m => $"{m}}}.test"),
            ("host-comma", m => $"{m},x.test"),
            ("host-newline", m => $"{m}.test\n"),
            ("host-nul", m => $"{m}\0.test"),
            ("host-line-separator", m => $"{m}\u2028.test"),
            ("host-non-ascii", m => $"{m}\u00e9.test"),
            ("host-envoy-formatter", m => $"{m}%REQ(x)%.test"),
            ("host-regex", m => $"{m}.*.test"),
            ("host-uppercase-kelvin", m => $"\u212A{m}.test"),
        })
        {
            string marker = Next();
            cases.Add(new(name, marker, [Kube.Ingress(name).WithPath(shape(marker), "/", "Prefix", "good", 80)], IngressRef(name), "spec.rules[0].host"));
        }

        foreach (var (name, shape) in new (string, Func<string, string>)[]
        {
            ("path-quote", m => $"/{m}\""),
            ("path-json-breakout", m => $"/{m}\"}},\"route\":{{\"cluster\":\"x"),
            ("path-backslash", m => $"/{m}\\x"),
            ("path-percent", m => $"/{m}%22"),
            ("path-query", m => $"/{m}?a=b"),
            ("path-fragment", m => $"/{m}#x"),
            ("path-space", m => $"/{m} x"),
            ("path-newline", m => $"/{m}\nx"),
            ("path-formatter", m => $"/{m}%DOWNSTREAM_REMOTE_ADDRESS%"),
            ("path-traversal", m => $"/{m}/../admin"),
            ("path-regex", m => $"/{m}(.*)[a]{{2}}"),
        })
        {
            string marker = Next();
            cases.Add(new(name, marker, [Kube.Ingress(name).WithPath(GoodHost, shape(marker), "Prefix", "good", 80)], IngressRef(name), "spec.rules[0].http.paths[0].path"));
        }

        string service = Next();
        cases.Add(new("service-name", service, [Kube.Ingress("service-name").WithPath(GoodHost, "/svc", "Prefix", $"{service}\",\"cluster\":\"x", 80)], IngressRef("service-name"), "spec.rules[0].http.paths[0].backend.service.name"));

        string port = Next();
        cases.Add(new("port-name", port, [Kube.Ingress("port-name").WithNamedPortPath(GoodHost, "/port", "Prefix", "good", $"{port}\"")], IngressRef("port-name"), "spec.rules[0].http.paths[0].backend.service.port.name"));

        string secret = Next();
        cases.Add(new("secret-name", secret, [Kube.Ingress("secret-name").WithPath("secret.test", "/", "Prefix", "good", 80).WithTls($"../{secret}\"", "secret.test")], IngressRef("secret-name"), "spec.tls[0].secretName"));

        string address = Next();
        cases.Add(new("endpoint-address", address, [Kube.Service("addr"), Kube.Slice("addr", null, 8080, [$"10.2.0.1\",\"{address}\":\""], name: "addr-1"), Kube.Ingress("endpoint-address").WithPath(GoodHost, "/addr", "Prefix", "addr", 80)],
            new ObjectRef("EndpointSlice", "default", "addr-1"), "endpoints[0].addresses[0]"));

        string external = Next();
        cases.Add(new("external-name", external, [Kube.ExternalNameService("ext", $"{external}.example\",\"port_value\":1"), Kube.Ingress("external-name").WithPath(GoodHost, "/ext", "Prefix", "ext", 80)],
            new ObjectRef("Service", "default", "ext"), "spec.externalName"));

        return cases;
    }

    private sealed record HostileCase(string Name, string Marker, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects, ObjectRef Target, string Field)
    {
        public override string ToString() => Name;
    }
}
