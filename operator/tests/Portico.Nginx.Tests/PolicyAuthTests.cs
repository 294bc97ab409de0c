using System.Text;
using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// Real nginx, with and without Lua endpoints and before the reload (through the live routing): basic auth from an
/// IngressPolicy (htpasswd) and from annotations (auth-map), a missing Secret, and external auth to a Service (the
/// test backends answer <see cref="TestBackend.AuthPath"/> as a check deciding by a request header). Before the
/// reload that brings the Ingresses, hosts with authentication are not served at all (the live routing never
/// routes a host with a policy), so every request there answers the default server's 404: never openly.
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
[TestFixture(true, true)]
public sealed class PolicyAuthTests(bool luaEndpoints, bool beforeTheReload)
{
    // Hashes made at authoring time: `openssl passwd -apr1 -salt portico1 apr-secret` and
    // `printf sha-secret | openssl dgst -binary -sha1 | base64`.
    private const string Htpasswd = "# staff\nalice:$apr1$portico1$//KM.cPMXcett7EwcCxSd/\r\nbob:{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=\n";
    private const string Signin = "https://login.example.com/start?app=sso";

    private NginxScenario _scenario = null!;

    private static IngressPolicy Policy(string name, string target, IngressPolicySpec spec)
    {
        spec.TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target };
        return new IngressPolicy { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" }, Spec = spec };
    }

    private static V1Secret Secret(string name, Dictionary<string, string> data) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Type = "Opaque",
        Data = data.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value)),
    };

    private static ExternalAuthPolicy Check(string service, string? signin = null) => new()
    {
        Service = new ServicePortRef { Name = service, Port = 80 },
        Path = TestBackend.AuthPath,
        ForwardResponseHeaders = [TestBackend.AuthUserHeader],
        SigninUrl = signin,
    };

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(["app", "auth"], backends =>
        [
            Kube.Ingress("staff").WithPath("staff.test", "/", "Prefix", "app", 80),
            Policy("staff-login", "staff", new IngressPolicySpec { BasicAuth = new BasicAuthPolicy { SecretRef = new LocalObjectName { Name = "staff-users" }, Realm = "Staff only" } }),
            Secret("staff-users", new() { ["auth"] = Htpasswd }),
            Kube.Ingress("legacy").WithPath("legacy.test", "/", "Prefix", "app", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/auth-type", "basic")
                .WithAnnotation("nginx.ingress.kubernetes.io/auth-secret", "legacy-users")
                .WithAnnotation("nginx.ingress.kubernetes.io/auth-secret-type", "auth-map"),
            Secret("legacy-users", new() { ["carol"] = "{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=" }),
            Kube.Ingress("nosecret").WithPath("nosecret.test", "/", "Prefix", "app", 80),
            Policy("nosecret-login", "nosecret", new IngressPolicySpec { BasicAuth = new BasicAuthPolicy { SecretRef = new LocalObjectName { Name = "missing" } } }),
            Kube.Ingress("sso").WithPath("sso.test", "/", "Prefix", "app", 80),
            Policy("sso-check", "sso", new IngressPolicySpec { ExternalAuth = Check("auth", Signin) }),
            Kube.Ingress("gate").WithPath("gate.test", "/", "Prefix", "app", 80),
            Policy("gate-check", "gate", new IngressPolicySpec { ExternalAuth = Check("auth") }),
            Kube.Ingress("down").WithPath("down.test", "/", "Prefix", "app", 80),
            Policy("down-check", "down", new IngressPolicySpec { ExternalAuth = Check("authdown") }),
            Kube.Service("authdown", "default", (null, 80)),
            .. NginxScenario.Service("app", [backends["app"]]),
            .. NginxScenario.Service("auth", [backends["auth"]]),
        ],
        configure: settings => settings with { NginxLuaEndpoints = luaEndpoints },
        notYetReloaded: beforeTheReload ? o => o is V1Ingress : null,
        explainChecked: false);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    private Task<ProxyResponse> GetAsync(string host, string path = "/", Dictionary<string, string>? headers = null) =>
        ProxyClient.SendAsync(new ProxyRequest(_scenario.HttpPort, host, path) { Headers = headers ?? [] });

    private static Dictionary<string, string> Basic(string user, string password) =>
        new() { ["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")) };

    /// <summary>What a host with authentication answers: <paramref name="status"/>, or before the reload the default server's 404.</summary>
    private int Expected(int status) => beforeTheReload ? 404 : status;

    [Test]
    public async Task Basic_auth_without_credentials_answers_401_with_the_realm()
    {
        var response = await GetAsync("staff.test", "/page");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((Expected(401), (string?)null)), response.ToString());
        if (!beforeTheReload)
        {
            Assert.That(response.Header("WWW-Authenticate"), Is.EqualTo("Basic realm=\"Staff only\""), response.ToString());
        }
    }

    [TestCase("alice", "wrong")]
    [TestCase("bob", "apr-secret")]
    [TestCase("mallory", "sha-secret")]
    [TestCase("alice", "")]
    public async Task Basic_auth_with_wrong_credentials_answers_401(string user, string password)
    {
        var response = await GetAsync("staff.test", "/", Basic(user, password));
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((Expected(401), (string?)null)), response.ToString());
    }

    [TestCase("alice", "apr-secret")]
    [TestCase("bob", "sha-secret")]
    public async Task Basic_auth_with_right_credentials_reaches_the_backend(string user, string password)
    {
        var response = await GetAsync("staff.test", "/page", Basic(user, password));
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((Expected(200), beforeTheReload ? null : "app")), response.ToString());
    }

    [Test]
    public async Task Annotation_basic_auth_reads_an_auth_map_secret()
    {
        var denied = await GetAsync("legacy.test", "/", Basic("carol", "nope"));
        var allowed = await GetAsync("legacy.test", "/", Basic("carol", "sha-secret"));
        Assert.That((denied.StatusCode, allowed.StatusCode), Is.EqualTo((Expected(401), Expected(200))), $"{denied}\n{allowed}");
    }

    [Test]
    public async Task A_missing_secret_denies_every_request()
    {
        var response = await GetAsync("nosecret.test", "/", Basic("alice", "apr-secret"));
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((403, (string?)null)), response.ToString());
    }

    [Test]
    public async Task External_auth_that_allows_reaches_the_backend_with_the_copied_header()
    {
        var response = await GetAsync("gate.test", "/orders?id=7", new() { [TestBackend.AuthDecisionHeader] = "allow", ["X-Test-User"] = "dora" });
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((Expected(200), beforeTheReload ? null : "app")), response.ToString());
        if (!beforeTheReload)
        {
            Assert.That(response.Echo.Headers.GetValueOrDefault("x-auth-user"), Is.EqualTo("dora"), response.ToString());
            Assert.That(response.Echo.Target, Is.EqualTo("/orders?id=7"), response.ToString());
        }
    }

    [Test]
    public async Task A_client_cannot_send_the_copied_header_itself()
    {
        var response = await GetAsync("gate.test", "/", new() { [TestBackend.AuthDecisionHeader] = "allow", [TestBackend.AuthUserHeader] = "forged" });
        if (!beforeTheReload)
        {
            Assert.That(response.Echo.Headers.GetValueOrDefault("x-auth-user"), Is.EqualTo("alice"), response.ToString());
        }
        else
        {
            Assert.That(response.StatusCode, Is.EqualTo(404), response.ToString());
        }
    }

    [TestCase("deny-me", 401)]
    [TestCase("forbid", 403)]
    public async Task External_auth_refusals_are_passed_through(string decision, int status)
    {
        var response = await GetAsync("gate.test", "/", new() { [TestBackend.AuthDecisionHeader] = decision });
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((Expected(status), (string?)null)), response.ToString());
    }

    [Test]
    public async Task External_auth_401_redirects_to_signin_with_the_original_url()
    {
        var response = await GetAsync("sso.test", "/a/b?x=1&y=2");
        Assert.That(response.StatusCode, Is.EqualTo(Expected(302)), response.ToString());
        if (!beforeTheReload)
        {
            string original = $"http://sso.test/a/b?x=1&y=2";
            string expected = luaEndpoints ? Signin + "&rd=" + Uri.EscapeDataString(original) : Signin + "&rd=" + original;
            Assert.That(response.Location, Is.EqualTo(expected), response.ToString());
        }
    }

    [Test]
    public async Task External_auth_403_is_not_redirected()
    {
        var response = await GetAsync("sso.test", "/", new() { [TestBackend.AuthDecisionHeader] = "forbid" });
        Assert.That((response.StatusCode, response.Location), Is.EqualTo((Expected(403), (string?)null)), response.ToString());
    }

    [Test]
    public async Task An_auth_service_without_endpoints_answers_500()
    {
        var response = await GetAsync("down.test", "/", new() { [TestBackend.AuthDecisionHeader] = "allow" });
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((Expected(500), (string?)null)), response.ToString());
    }

    [Test]
    public void Htpasswd_files_are_private()
    {
        var files = _scenario.Result.Config.Files.Where(f => f.Path.StartsWith("auth/", StringComparison.Ordinal)).ToList();
        Assert.That(files.Select(f => (f.Path.EndsWith(".htpasswd", StringComparison.Ordinal), f.IsPrivate)), Is.EqualTo(new[] { (true, true), (true, true) }));
    }
}
