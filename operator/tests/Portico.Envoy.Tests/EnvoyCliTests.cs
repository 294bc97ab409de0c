using System.Diagnostics;
using Portico.Core.Proxies;
using Portico.Core.Proxies.Envoy;
using Portico.Envoy.Schema;
using Portico.TestSupport;

namespace Portico.Envoy.Tests;

/// <summary>
/// `portico render|diff|validate --proxy envoy` through the real executable, which finds the schema check in
/// envoy-schema/ beside itself (where building Portico.Envoy.Schema puts it) and says so when it is not there.
/// </summary>
public sealed class EnvoyCliTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private string _work = string.Empty;

    private static string Examples => RepositoryPaths.Combine("manifests", "examples");

    private string Out => Path.Combine(_work, "out");

    [SetUp]
    public void CreateWorkDirectory() => _work = Directory.CreateTempSubdirectory("portico-envoy-cli-").FullName;

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    [Test]
    public void Render_writes_the_envoy_files_with_private_keys_0600()
    {
        var run = Portico(PorticoExecutable.Dll, "render", "--proxy", "envoy", "--manifests", Examples, "--out", Out);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Does.StartWith("rendered 7 files into"));
        Assert.That(Directory.GetFiles(Out).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "cds.json", "envoy.json", "lds.json", "rds-http.json", "rds-https.json" }));
        string key = Directory.GetFiles(Path.Combine(Out, "certs"), "*.key").Single();
        Assert.That(File.GetUnixFileMode(key), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Diff_exits_0_when_equal_and_1_with_the_changed_lines()
    {
        Assert.That(Portico(PorticoExecutable.Dll, "render", "--proxy", "envoy", "--manifests", Examples, "--out", Out).ExitCode, Is.EqualTo(0));
        var same = Portico(PorticoExecutable.Dll, "diff", "--proxy", "envoy", "--manifests", Examples, "--against", Out);
        Assert.That((same.ExitCode, same.Stdout), Is.EqualTo((0, string.Empty)), same.Stderr);

        var different = Portico(PorticoExecutable.Dll, "diff", "--proxy", "envoy", "--manifests", Examples, "--against", Out, "--listen-http", "0.0.0.0:9090");
        Assert.That(different.ExitCode, Is.EqualTo(1), different.Stderr);
        Assert.That(different.Stdout, Does.Contain("--- a/lds.json").And.Contain("+++ b/lds.json")
            .And.Contain("-          \"port_value\": 8080").And.Contain("+          \"port_value\": 9090"));
    }

    [Test]
    public void Validate_runs_the_schema_check_found_beside_the_executable()
    {
        string warningsOnly = Write("w.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n  ingressClassName: portico\n  defaultBackend: {service: {name: missing, port: {number: 80}}}\n");
        var run = Portico(PorticoExecutable.Dll, "validate", "--proxy", "envoy", "--manifests", warningsOnly);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stdout + run.Stderr);
        Assert.That(run.Stderr, Does.Contain("schema check passed: Envoy v3 API protos from " + EnvoySchemaValidator.ProtoPackage));

        var rejected = Portico(PorticoExecutable.Dll, "validate", "--proxy", "envoy", "--manifests", Examples);
        Assert.That(rejected.ExitCode, Is.EqualTo(1), "the examples hold a rejected path");
        Assert.That(rejected.Stderr, Does.Contain("schema check passed"));
    }

    [Test]
    public void Validate_exits_1_when_a_rendered_file_fails_the_schema_check()
    {
        string templates = Path.Combine(_work, "templates", "envoy");
        Directory.CreateDirectory(templates);
        string builtIn = File.ReadAllText(RepositoryPaths.Combine("templates", "envoy", "cds.json.scriban"));
        File.WriteAllText(Path.Combine(templates, "cds.json.scriban"), builtIn.Replace("\"type\": {{ env.name cluster.type }},", "\"type\": {{ env.name cluster.type }}, \"lb_polcy\": 1,", StringComparison.Ordinal));
        string clean = Write("clean.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n  ingressClassName: portico\n  rules: [{host: a.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n"
            + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"
            + "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{port: 8080}]\nendpoints: [{addresses: [10.0.0.5]}]\n");

        var run = Portico(PorticoExecutable.Dll, "validate", "--proxy", "envoy", "--manifests", clean, "--templates", Path.Combine(_work, "templates"));

        Assert.That(run.ExitCode, Is.EqualTo(1), run.Stdout + run.Stderr);
        Assert.That(run.Stdout, Does.Contain("error: envoy schema: cds.json: ").And.Contain("lb_polcy"));
        Assert.That(run.Stderr, Does.Contain("schema check failed: 1 problems"));
    }

    [Test]
    public void Without_the_schema_check_installed_validate_says_it_did_not_run_it()
    {
        // A copy of the executable's folder without envoy-schema/: what an image built without npm holds.
        string bare = Path.Combine(_work, "bare");
        string built = Path.GetDirectoryName(PorticoExecutable.Dll)!;
        foreach (string file in Directory.EnumerateFiles(built))
        {
            Directory.CreateDirectory(bare);
            File.Copy(file, Path.Combine(bare, Path.GetFileName(file)));
        }

        Assert.That(Directory.Exists(Path.Combine(built, EnvoySchemaPlugin.PluginDirectory)), Is.True, "test setup: the built executable has the check");
        string warningsOnly = Write("w.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n");
        var run = Portico(Path.Combine(bare, "portico.dll"), "validate", "--proxy", "envoy", "--manifests", warningsOnly);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stdout + run.Stderr);
        Assert.That(run.Stderr, Does.Contain("note: Envoy schema check not run: ").And.Contain("envoy-schema/Portico.Envoy.Schema.dll is not installed"));
    }

    [Test]
    public void The_seam_finds_the_check_as_a_dependency_or_in_the_plugin_folder_and_nothing_for_nginx()
    {
        Assert.That(ProxyKind.Envoy.FindSchemaCheck(), Is.InstanceOf<EnvoySchemaValidator>(), "the tests reference the check");
        Assert.That(ProxyKind.Nginx.FindSchemaCheck(), Is.Null);
        Assert.That(EnvoySchemaPlugin.LoadPlugin(_work), Is.Null, "no plugin in an empty folder");
        string plugin = Path.Combine(Path.GetDirectoryName(PorticoExecutable.Dll)!, EnvoySchemaPlugin.PluginDirectory);
        Assert.That(EnvoySchemaPlugin.LoadPlugin(plugin)?.GetName().Name, Is.EqualTo(EnvoySchemaPlugin.EnvoyAssembly));
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_work, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int ExitCode, string Stdout, string Stderr) Portico(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ProcessTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"portico did not finish within {ProcessTimeout.TotalSeconds} s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
