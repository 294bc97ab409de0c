using System.Text.Json;
using Portico.TestSupport;

namespace Portico.Tests.Cli;

/// <summary>`portico explain` as a process: the JSON contract of issue 11, the text form, and exit 2 for unusable input.</summary>
public sealed class ExplainCliTests
{
    private static string Examples => RepositoryPaths.Combine("manifests", "examples");

    [Test]
    public void Json_carries_the_contract_fields()
    {
        var run = PorticoProcess.Run("explain", "--manifests", Examples, "--url", "http://shop.example.com/cart/x", "--output", "json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.That(root.GetProperty("action").GetString(), Is.EqualTo("forward"));
        Assert.That(root.GetProperty("status").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(root.GetProperty("backend").GetProperty("service").GetString(), Is.EqualTo("shop/storefront"));
        Assert.That(root.GetProperty("backend").GetProperty("port").GetInt32(), Is.EqualTo(80));
        Assert.That(root.GetProperty("backend").GetProperty("endpoints").GetArrayLength(), Is.EqualTo(2));
        Assert.That(root.GetProperty("ingress").GetString(), Is.EqualTo("shop/shop"));
        Assert.That(root.GetProperty("rule").GetInt32(), Is.EqualTo(0));
        Assert.That(root.GetProperty("path").GetString(), Is.EqualTo("/"));
        Assert.That(root.GetProperty("pathType").GetString(), Is.EqualTo("Prefix"));
        Assert.That(root.GetProperty("host").GetString(), Is.EqualTo("shop.example.com"));
        Assert.That(root.GetProperty("policies").GetArrayLength(), Is.EqualTo(0));
        Assert.That(root.GetProperty("considered")[0].GetProperty("why").GetString(), Is.EqualTo("host"));
    }

    [Test]
    public void Text_names_the_route_the_action_and_what_lost()
    {
        var run = PorticoProcess.Run("explain", "-m", Examples, "--url", "http://x.test/", "-H", "Host: shop.example.com", "--method", "post");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Does.StartWith("POST http://shop.example.com/\n"));
        Assert.That(run.Stdout, Does.Contain("  route     Prefix /  (Ingress shop/shop, spec.rules[0].http.paths[0])"));
        Assert.That(run.Stdout, Does.Contain("  action    forward to Service shop/storefront port 80 (2 ready endpoints)"));
        Assert.That(run.Stdout, Does.Contain("also matched, and lost:"));
    }

    [TestCase("--url", "shop.example.com/")]
    [TestCase("--url", "http://a/", "--header", "no colon")]
    [TestCase("--url", "http://a/", "--output", "markdown")]
    public void Unusable_requests_exit_2(params string[] args)
    {
        var run = PorticoProcess.Run(["explain", "--manifests", Examples, .. args]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.Stdout);
        Assert.That(run.Stderr, Does.StartWith("portico: "));
    }
}
