using System.Diagnostics;
using Portico.Tests.Cli;
using Portico.TestSupport.Nginx;

namespace Portico.Tests.Deploy;

/// <summary>
/// `portico bootstrap`, the init container: it stages an empty cluster's configuration the way the applier does, so
/// the sidecar starts on it with the pod's own command line, and it never replaces a configuration already there.
/// </summary>
public sealed class BootstrapCommandTests
{
    private string _work = string.Empty;

    [SetUp]
    public void CreateWorkDirectory()
    {
        _work = Path.Combine(Path.GetTempPath(), $"portico-bootstrap-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    private string Shared => Path.Combine(_work, "shared");

    [Test]
    public void Bootstrap_activates_what_render_gives_for_an_empty_cluster_and_nginx_accepts_it_as_the_pod_starts_it()
    {
        var run = PorticoProcess.Run("bootstrap", "--shared-dir", Shared);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        string target = new FileInfo(Path.Combine(Shared, "current")).LinkTarget!;
        Assert.That(target, Does.Match("^versions/[0-9a-f]{16}$"));
        Assert.That(run.Stdout, Does.Contain(target));

        string empty = Path.Combine(_work, "empty.yaml");
        File.WriteAllText(empty, "# no objects\n");
        string rendered = Path.Combine(_work, "rendered");
        Assert.That(PorticoProcess.Run("render", "--manifests", empty, "--out", rendered).ExitCode, Is.EqualTo(0));
        foreach (string file in new[] { "nginx.conf", "portico-status.conf" })
        {
            Assert.That(File.ReadAllText(Path.Combine(Shared, "current", file)), Is.EqualTo(File.ReadAllText(Path.Combine(rendered, file))), file);
        }

        Assert.That(File.ReadAllText(Path.Combine(Shared, "portico-endpoints.txt")), Is.EqualTo(File.ReadAllText(Path.Combine(rendered, "portico-endpoints.txt"))), "the Lua balancer's live file is in the root");

        // manifests/base runs nginx exactly so (DeployConsistencyTests holds the manifest to it).
        var (exit, output) = Nginx("-t", "-p", Shared + "/", "-c", "current/nginx.conf", "-e", "stderr", "-g", "daemon off;");
        Assert.That(exit, Is.EqualTo(0), output);
    }

    [Test]
    public void Bootstrap_leaves_an_existing_configuration_alone()
    {
        string version = Path.Combine(Shared, "versions", "0123456789abcdef");
        Directory.CreateDirectory(version);
        File.WriteAllText(Path.Combine(version, "nginx.conf"), "# the operator's\n");
        File.CreateSymbolicLink(Path.Combine(Shared, "current"), "versions/0123456789abcdef");

        var run = PorticoProcess.Run("bootstrap", "--shared-dir", Shared);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Does.Contain("left as it is"));
        Assert.That(new FileInfo(Path.Combine(Shared, "current")).LinkTarget, Is.EqualTo("versions/0123456789abcdef"));
        Assert.That(Directory.GetDirectories(Path.Combine(Shared, "versions")), Has.Length.EqualTo(1));
        Assert.That(File.ReadAllText(Path.Combine(version, "nginx.conf")), Is.EqualTo("# the operator's\n"));
    }

    [Test]
    public void Bootstrap_for_Envoy_activates_its_bootstrap_file()
    {
        var run = PorticoProcess.Run("bootstrap", "--shared-dir", Shared, "--proxy", "envoy");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(File.Exists(Path.Combine(Shared, "current", "envoy.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(Shared, "current", "nginx.conf")), Is.False);
    }

    [Test]
    public void Bootstrap_with_invalid_settings_exits_2_and_writes_nothing()
    {
        var run = PorticoProcess.Run("bootstrap", "--shared-dir", Shared, "--listen-http", "nonsense");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Stderr, Does.StartWith("portico: "));
        Assert.That(Directory.Exists(Shared), Is.False);
    }

    private static (int ExitCode, string Output) Nginx(params string[] args)
    {
        var start = new ProcessStartInfo(NginxProcess.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(NginxProcess.TestTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("nginx -t did not finish in time");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
