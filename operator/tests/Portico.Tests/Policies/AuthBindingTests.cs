using System.Text;
using k8s;
using k8s.Models;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Building.Policies;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Manifests;
using Portico.Core.Model;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Policies;

/// <summary>
/// Basic and external authentication in the build: Secrets are read from the Ingress's own namespace and checked
/// line by line, auth Services become upstreams; anything that cannot be resolved makes the routes answer 403 with
/// an error naming the field, never serve openly. The htpasswd files are rendered and staged 0600.
/// </summary>
public sealed class AuthBindingTests : BuilderTestBase
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";
    private const string Apr1 = "$apr1$portico1$//KM.cPMXcett7EwcCxSd/";
    private const string Sha = "{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=";

    private static IngressPolicy Policy(string spec, string? uid = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default", Uid = uid, CreationTimestamp = Kube.Epoch },
        Spec = KubernetesJson.Deserialize<IngressPolicySpec>(("{'targetRef':{'group':'networking.k8s.io','kind':'Ingress','name':'web'}," + spec[1..]).Replace('\'', '"')),
    };

    private static V1Secret Secret(string name, Dictionary<string, byte[]> data, string ns = "default") => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Type = "Opaque",
        Data = data,
    };

    private static V1Secret Htpasswd(string text, string name = "users", string ns = "default") =>
        Secret(name, new() { ["auth"] = Encoding.UTF8.GetBytes(text) }, ns);

    private static ProxyModel BuildWith(params IKubernetesObject<V1ObjectMeta>[] objects) =>
        Build([Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80), .. Web(), .. objects]);

    private static Route RouteOf(ProxyModel model) => HostOf(model, "a.test")!.Routes.Single();

    [Test]
    public void An_htpasswd_secret_becomes_the_route_credentials()
    {
        var model = BuildWith(Policy("{'basicAuth':{'secretRef':{'name':'users'},'realm':'Staff'}}"), Htpasswd($"# team\nbob:{Sha}\r\nalice:{Apr1}\n\n"));
        var route = RouteOf(model);
        Assert.That(route.Action, Is.EqualTo(new ForwardAction("default_web_80")));
        Assert.That(route.Policy.BasicAuth!.Realm, Is.EqualTo("Staff"));
        Assert.That(route.Policy.BasicAuth.Htpasswd, Is.EqualTo($"alice:{Apr1}\nbob:{Sha}\n"), "sorted by user, comments and blank lines gone");
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [TestCase("alice:{PLAIN}secret", Description = "the password itself")]
    [TestCase("alice:secret", Description = "no hash at all")]
    [TestCase("alice:abJnggxhB/yWI", Description = "DES crypt: 8 characters count")]
    [TestCase("alice:{SHA}short", Description = "not a SHA-1 digest")]
    [TestCase("alice smith:" + Sha, Description = "whitespace in the user")]
    [TestCase("alice\u0001:" + Sha, Description = "control character in the user")]
    [TestCase("#alice", Description = "only a comment: no users")]
    [TestCase("", Description = "empty")]
    [TestCase("alice", Description = "no colon")]
    [TestCase(":" + Sha, Description = "no user")]
    [TestCase("alice:" + Sha + "\nalice:" + Apr1, Description = "a user twice")]
    [TestCase("alice:" + Sha + " trailing", Description = "junk after the hash")]
    [TestCase("alice:$2y$10$short", Description = "truncated bcrypt")]
    public void A_malformed_htpasswd_denies_and_never_prints_a_hash(string text)
    {
        var model = BuildWith(Policy("{'basicAuth':{'secretRef':{'name':'users'}}}"), Htpasswd(text));
        Assert.That(RouteOf(model).Action, Is.InstanceOf<RespondAction>().With.Property("Status").EqualTo(403));
        var error = model.Diagnostics.Single(d => d.Field == "IngressPolicy spec.basicAuth.secretRef");
        Assert.That(error.Message, Does.Contain("Secret default/users").And.Contain("answer 403").And.Not.Contain("KkPcK3"));
    }

    [Test]
    public void A_manifest_Secret_written_with_stringData_is_read_offline_and_stringData_wins_over_data()
    {
        // The API server merges stringData into data on write and never returns it; a manifest read offline keeps it.
        var secret = (V1Secret)ManifestReader.ReadString($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: users}
            type: Opaque
            data:
              auth: {{Convert.ToBase64String(Encoding.UTF8.GetBytes($"mallory:{Sha}\n"))}}
            stringData:
              auth: |
                alice:{{Apr1}}
            """).Objects.Single().Value;
        var route = RouteOf(BuildWith(Policy("{'basicAuth':{'secretRef':{'name':'users'}}}"), secret));
        Assert.That(route.Action, Is.EqualTo(new ForwardAction("default_web_80")));
        Assert.That(route.Policy.BasicAuth!.Htpasswd, Is.EqualTo($"alice:{Apr1}\n"), "stringData's file, not data's");
    }

    [Test]
    public void An_auth_map_written_with_stringData_and_data_reads_both_offline()
    {
        var secret = (V1Secret)ManifestReader.ReadString($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: users}
            data:
              carol: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(Sha))}}
            stringData:
              dave: "{{Apr1}}"
            """).Objects.Single().Value;
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(Prefix + "auth-type", "basic").WithAnnotation(Prefix + "auth-secret", "users").WithAnnotation(Prefix + "auth-secret-type", "auth-map");
        var route = RouteOf(Build([ingress, .. Web(), secret]));
        Assert.That(route.Policy.BasicAuth!.Users.Select(u => u.User), Is.EqualTo(new[] { "carol", "dave" }));
    }

    [Test]
    public void A_secret_of_the_same_name_in_another_namespace_is_not_used()
    {
        var model = BuildWith(Policy("{'basicAuth':{'secretRef':{'name':'users'}}}"), Htpasswd($"alice:{Apr1}\n", ns: "other"));
        Assert.That(RouteOf(model).Action.ToString(), Is.EqualTo("status 403"));
        Assert.That(Messages(model), Has.Some.Contains("Secret default/users does not exist"));
    }

    [Test]
    public void An_annotation_naming_a_secret_of_another_namespace_denies()
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(Prefix + "auth-type", "basic").WithAnnotation(Prefix + "auth-secret", "other/users");
        var model = Build([ingress, .. Web(), Htpasswd($"alice:{Apr1}\n", ns: "other")]);
        Assert.That(RouteOf(model).Action.ToString(), Is.EqualTo("status 403"));
    }

    [Test]
    public void A_policy_with_a_forged_uid_denies_even_with_a_good_secret()
    {
        var model = BuildWith(Policy("{'basicAuth':{'secretRef':{'name':'users'}}}", uid: "forged"), Htpasswd($"alice:{Apr1}\n"));
        Assert.That(RouteOf(model).Action.ToString(), Is.EqualTo("status 403"));
        Assert.That(model.Diagnostics.Select(d => d.Field), Does.Contain("metadata.uid"));
    }

    [Test]
    public void A_manifest_Secret_with_stringData_is_read_as_the_API_server_would_store_it()
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(Prefix + "auth-type", "basic").WithAnnotation(Prefix + "auth-secret", "users");
        var secret = Secret("users", new() { ["auth"] = Encoding.UTF8.GetBytes("old:" + Sha + "\n") });
        secret.StringData = new Dictionary<string, string> { ["auth"] = "carol:" + Sha + "\n" };
        var model = Build([ingress, .. Web(), secret]);
        Assert.That(RouteOf(model).Policy.BasicAuth!.Users.Select(u => u.User), Is.EqualTo(new[] { "carol" }), "stringData wins over data");
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [Test]
    public void Annotation_basic_auth_with_an_auth_map_is_enforced_not_denied()
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(Prefix + "auth-type", "basic").WithAnnotation(Prefix + "auth-secret", "users").WithAnnotation(Prefix + "auth-secret-type", "auth-map");
        var model = Build([ingress, .. Web(), Secret("users", new() { ["carol"] = Encoding.UTF8.GetBytes(Sha), ["dave"] = Encoding.UTF8.GetBytes(Apr1) })]);
        var route = RouteOf(model);
        Assert.That(route.Action, Is.EqualTo(new ForwardAction("default_web_80")));
        Assert.That(route.Policy.BasicAuth!.Users.Select(u => u.User), Is.EqualTo(new[] { "carol", "dave" }));
        Assert.That(route.Policy.BasicAuth.Realm, Is.EqualTo(IngressNginxAnnotations.DefaultRealm));
        Assert.That(model.Diagnostics, Is.Empty, "enforced: no denial and no 'not enforced' warning");
    }

    [Test]
    public void Annotation_auth_url_is_enforced()
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(Prefix + "auth-url", "https://auth.example.com/verify").WithAnnotation(Prefix + "auth-response-headers", "X-User");
        var model = Build([ingress, .. Web()]);
        var route = RouteOf(model);
        Assert.That(route.Action, Is.EqualTo(new ForwardAction("default_web_80")));
        Assert.That((route.Policy.ExternalAuth!.Url!.AbsoluteUri, route.Policy.ExternalAuth.UpstreamName), Is.EqualTo(("https://auth.example.com/verify", (string?)null)));
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [Test]
    public void An_auth_service_becomes_an_upstream_of_the_model()
    {
        var model = BuildWith([Policy("{'externalAuth':{'service':{'name':'auth','port':80},'path':'/check'}}"), .. Web("auth", address: "10.0.0.9")]);
        var target = RouteOf(model).Policy.ExternalAuth!;
        Assert.That((target.UpstreamName, target.Path), Is.EqualTo(("default_auth_80", "/check")));
        Assert.That(model.Upstreams.Select(u => u.Name), Does.Contain("default_auth_80"));
    }

    [Test]
    public void A_missing_auth_service_denies()
    {
        var model = BuildWith(Policy("{'externalAuth':{'service':{'name':'auth','port':80}}}"));
        Assert.That(RouteOf(model).Action.ToString(), Is.EqualTo("status 403"));
        Assert.That(model.Diagnostics.Select(d => d.Field), Does.Contain("IngressPolicy spec.externalAuth.service"));
    }

    [TestCase("http://169.254.169.254/latest/meta-data")]
    [TestCase("http://127.0.0.1:10246/")]
    [TestCase("http://localhost/check")]
    public void A_policy_auth_url_to_loopback_or_metadata_denies(string url)
    {
        var model = BuildWith(Policy("{'externalAuth':{'url':'" + url + "'}}"));
        Assert.That(RouteOf(model).Action.ToString(), Is.EqualTo("status 403"));
        Assert.That(model.Diagnostics.Select(d => d.Field), Does.Contain("IngressPolicy spec.externalAuth.url"));
    }

    [TestCase(Sha, true)]
    [TestCase("{SSHA}dGhpcyBpcyBhIHNhbHRlZCBzaGExIGRpZ2VzdCE=", true)]
    [TestCase(Apr1, true)]
    [TestCase("$1$saltsalt$9xy1btjgzLYfb7hivXtC//", true)]
    [TestCase("$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA", true)]
    [TestCase("$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1", true)]
    [TestCase("$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a", true)]
    [TestCase("{PLAIN}secret", false)]
    [TestCase("abJnggxhB/yWI", false)]
    [TestCase("$y$j9T$abcdefghijklmnop$3dL1LkYnZM.OVXuVdnnaKVDlLYT92dRwOzDZ5XiVCe.", false)]
    [TestCase("$apr1$toolongsalt$//KM.cPMXcett7EwcCxSd/", false)]
    [TestCase("{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=\n", false)]
    public void Hash_schemes(string hash, bool supported) =>
        Assert.That(BasicAuthLoader.IsSupportedHash(hash), Is.EqualTo(supported));

    [Test]
    public void The_applier_stages_htpasswd_files_0600()
    {
        var model = BuildWith(Policy("{'basicAuth':{'secretRef':{'name':'users'}}}"), Htpasswd($"alice:{Apr1}\n"));
        var config = ProxyKind.Nginx.CreateRenderer().Render(model, new ProxySettings());
        var file = config.Files.Single(f => f.Path.StartsWith("auth/", StringComparison.Ordinal));
        Assert.That(Encoding.UTF8.GetString(file.Content), Is.EqualTo($"alice:{Apr1}\n"));
        string root = Directory.CreateTempSubdirectory("portico-auth-").FullName;
        try
        {
            var directory = new VersionedConfigDirectory(root);
            string version = directory.Stage(config);
            string path = Path.Combine(directory.VersionDirectory(version), file.Path);
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
