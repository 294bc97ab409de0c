using Portico.TestSupport;

namespace Portico.Tests.Cli;

/// <summary>The real `portico` executable as a child process: exit codes, output streams, files written.</summary>
public sealed class CliTests
{
    private string _work = string.Empty;

    [SetUp]
    public void CreateWorkDirectory()
    {
        _work = Path.Combine(Path.GetTempPath(), $"portico-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    [Test]
    public void Render_writes_the_files_prints_diagnostics_to_stderr_and_exits_0()
    {
        var run = Portico("render", "--manifests", Examples, "--out", Out);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Does.StartWith("rendered 7 files into"), "nginx.conf, the status config, the live file, a certificate and key, the certificates file, the blog editors' htpasswd");
        Assert.That(run.Stderr, Does.Contain("error: Ingress blog/blog: spec.rules[1].http.paths[1]"));
        Assert.That(File.Exists(Path.Combine(Out, "nginx.conf")));
        var key = Directory.GetFiles(Path.Combine(Out, "certs"), "*.key").Single();
        Assert.That(File.GetUnixFileMode(key), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var htpasswd = Directory.GetFiles(Path.Combine(Out, "auth"), "*.htpasswd").Single();
        Assert.That(File.GetUnixFileMode(htpasswd), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "credentials are private too");
    }

    [Test]
    public void Render_with_strict_exits_1_when_there_is_any_diagnostic()
    {
        Assert.That(Portico("render", "--manifests", Examples, "--out", Out, "--strict").ExitCode, Is.EqualTo(1));
        string clean = Write("clean.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n");
        Assert.That(Portico("render", "--manifests", clean, "--out", Out, "--strict").ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Unparsable_YAML_exits_2_naming_file_and_line()
    {
        string bad = Write("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a\n");
        var run = Portico("render", "--manifests", bad, "--out", Out);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Stderr, Does.Contain(bad + ":4:"));
        Assert.That(Directory.Exists(Out), Is.False, "nothing is written from unusable input");
    }

    [TestCase("render", "--manifests")]
    [TestCase("render", "--manifests", "x.yaml")]
    [TestCase("frobnicate")]
    [TestCase("render", "--manifests", "x.yaml", "--out", "o", "--listen-http", "nonsense")]
    public void Usage_errors_and_bad_options_exit_2(params string[] args)
    {
        var run = Portico(args);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.Stdout + run.Stderr);
        Assert.That(run.Stderr, Does.StartWith("portico: "));
    }

    [Test]
    public void Diff_exits_0_when_equal_and_1_with_a_unified_diff_when_not()
    {
        Assert.That(Portico("render", "--manifests", Examples, "--out", Out).ExitCode, Is.EqualTo(0));
        var same = Portico("diff", "--manifests", Examples, "--against", Out);
        Assert.That((same.ExitCode, same.Stdout), Is.EqualTo((0, string.Empty)));

        var different = Portico("diff", "--manifests", Examples, "--against", Out, "--listen-http", "0.0.0.0:9090");
        Assert.That(different.ExitCode, Is.EqualTo(1));
        Assert.That(different.Stdout, Does.Contain("--- a/nginx.conf").And.Contain("+++ b/nginx.conf")
            .And.Contain("-        listen 0.0.0.0:8080 default_server;").And.Contain("+        listen 0.0.0.0:9090 default_server;"));
    }

    [Test]
    public void Diff_never_prints_private_keys()
    {
        Assert.That(Portico("render", "--manifests", Examples, "--out", Out).ExitCode, Is.EqualTo(0));
        foreach (string key in Directory.GetFiles(Path.Combine(Out, "certs"), "*.key"))
        {
            File.Delete(key);
        }

        var run = Portico("diff", "--manifests", Examples, "--against", Out);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stdout, Does.Contain("(private key, sha256 ").And.Not.Contain("PRIVATE KEY"));
    }

    [Test]
    public void Validate_prints_diagnostics_and_exits_1_only_when_something_is_rejected()
    {
        var rejected = Portico("validate", "--manifests", Examples);
        Assert.That(rejected.ExitCode, Is.EqualTo(1));
        Assert.That(rejected.Stdout, Does.Contain("error: Ingress blog/blog"));

        string warningsOnly = Write("w.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n  ingressClassName: portico\n  defaultBackend: {service: {name: missing, port: {number: 80}}}\n");
        var warned = Portico("validate", "--manifests", warningsOnly);
        Assert.That(warned.ExitCode, Is.EqualTo(0), warned.Stdout);
        Assert.That(warned.Stdout, Does.Contain("warning: Ingress default/a"));
        Assert.That(Portico("validate", "--manifests", warningsOnly, "--strict").ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void Rendering_is_deterministic_across_processes()
    {
        string second = Path.Combine(_work, "second");
        Assert.That(Portico("render", "--manifests", Examples, "--out", Out).ExitCode, Is.EqualTo(0));
        Assert.That(Portico("render", "--manifests", Examples, "--out", second).ExitCode, Is.EqualTo(0));
        foreach (string file in Directory.GetFiles(Out, "*", SearchOption.AllDirectories))
        {
            Assert.That(File.ReadAllBytes(Path.Combine(second, Path.GetRelativePath(Out, file))), Is.EqualTo(File.ReadAllBytes(file)), file);
        }
    }

    [Test]
    public void Templates_can_be_overridden_file_by_file()
    {
        string templates = Path.Combine(_work, "templates", "nginx");
        Directory.CreateDirectory(templates);
        string builtIn = File.ReadAllText(RepositoryPaths.Combine("templates", "nginx", "nginx.conf.scriban"));
        File.WriteAllText(Path.Combine(templates, "nginx.conf.scriban"), builtIn.Replace("server_tokens off;", "server_tokens off;\n    # custom template", StringComparison.Ordinal));
        var run = Portico("render", "--manifests", Examples, "--out", Out, "--templates", Path.Combine(_work, "templates"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(Out, "nginx.conf")), Does.Contain("# custom template"));

        File.WriteAllText(Path.Combine(templates, "nginx.conf.scriban"), "{{ for x in }}");
        var broken = Portico("render", "--manifests", Examples, "--out", Path.Combine(_work, "broken"), "--templates", Path.Combine(_work, "templates"));
        Assert.That(broken.ExitCode, Is.EqualTo(2));
        Assert.That(broken.Stderr, Does.Contain("nginx.conf.scriban"));
    }

    private static string Examples => RepositoryPaths.Combine("manifests", "examples");

    private string Out => Path.Combine(_work, "out");

    private string Write(string name, string text)
    {
        string path = Path.Combine(_work, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void Kubernetes_service_links_are_not_settings_but_real_settings_are_read()
    {
        // Kubernetes injects these for Services named portico and portico-proxy in the namespace.
        var links = PorticoWithEnvironment(
            new() { ["PORTICO_SERVICE_HOST"] = "10.0.0.1", ["PORTICO_PROXY_SERVICE_PORT_HTTP"] = "80", ["PORTICO_PORT_80_TCP_ADDR"] = "10.0.0.1", ["PORTICO_PORT"] = "tcp://10.0.0.1:80" },
            "validate", "--manifests", Examples);
        Assert.That(links.Stderr, Does.Not.Contain("invalid settings"));
        Assert.That(links.ExitCode, Is.EqualTo(1), "the examples hold rejected objects; the settings are fine");

        var setting = PorticoWithEnvironment(new() { ["PORTICO_LISTEN__HTTP"] = "not-an-address" }, "validate", "--manifests", Examples);
        Assert.That(setting.ExitCode, Is.EqualTo(2));
        Assert.That(setting.Stderr, Does.Contain("listen:http"));
    }

    private static (int ExitCode, string Stdout, string Stderr) Portico(params string[] args) => PorticoWithEnvironment([], args);

    private static (int ExitCode, string Stdout, string Stderr) PorticoWithEnvironment(Dictionary<string, string> environment, params string[] args) =>
        PorticoProcess.Run(null, environment, args);
}
