using System.Text.Json;
using Portico.TestSupport;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Tests.Cli;

/// <summary>`portico explain --kubeconfig`: the cluster read once (the watchers' list calls) and explained like manifests.</summary>
public sealed class ExplainClusterTests
{
    private Api _api = null!;
    private string _work = string.Empty;

    [SetUp]
    public async Task StartAsync()
    {
        _api = await Api.StartAsync();
        _work = Path.Combine(Path.GetTempPath(), $"portico-explain-cluster-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Test]
    public void The_live_state_is_explained_with_its_ready_endpoints()
    {
        _api.UpsertAll(
            Kube.Ingress("shop").WithPath("shop.test", "/cart", "Prefix", "cart", 80),
            Kube.Service("cart", "default", (null, 80)),
            Kube.Slice("cart", null, 8080, ["10.0.0.7"]));
        string kubeconfig = Path.Combine(_work, "kubeconfig");
        File.WriteAllText(kubeconfig, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: test, cluster: {server: "{{{_api.BaseAddress.AbsoluteUri.TrimEnd('/')}}}"}}]
            users: [{name: test, user: {token: test}}]
            contexts: [{name: test, context: {cluster: test, user: test}}]
            current-context: test
            """);

        var run = PorticoProcess.Run("explain", "--kubeconfig", kubeconfig, "--url", "http://shop.test/cart/1", "--output", "json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var backend = json.RootElement.GetProperty("backend");
        Assert.That(backend.GetProperty("service").GetString(), Is.EqualTo("default/cart"));
        Assert.That(backend.GetProperty("endpoints")[0].GetString(), Is.EqualTo("10.0.0.7:8080"));
        Assert.That(json.RootElement.GetProperty("ingress").GetString(), Is.EqualTo("default/shop"));
    }

    [Test]
    public void Neither_or_both_sources_and_an_unreachable_cluster_exit_2()
    {
        Assert.That(PorticoProcess.Run("explain", "--url", "http://a/").ExitCode, Is.EqualTo(2));
        string kubeconfig = Path.Combine(_work, "kubeconfig");
        File.WriteAllText(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: \"http://127.0.0.1:1\"}}]\nusers: [{name: t, user: {token: t}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\ncurrent-context: t\n");
        Assert.That(PorticoProcess.Run("explain", "--kubeconfig", kubeconfig, "-m", "x.yaml", "--url", "http://a/").ExitCode, Is.EqualTo(2));
        var unreachable = PorticoProcess.Run("explain", "--kubeconfig", kubeconfig, "--url", "http://a/");
        Assert.That(unreachable.ExitCode, Is.EqualTo(2), unreachable.Stdout + unreachable.Stderr);
        Assert.That(unreachable.Stderr, Does.StartWith("portico: listing "));
    }
}
