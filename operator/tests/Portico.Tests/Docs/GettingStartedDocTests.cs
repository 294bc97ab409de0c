using k8s.Models;
using Portico.Tests.Deploy;

namespace Portico.Tests.Docs;

/// <summary>docs/getting-started.md: its commands run (render, validate, explain, diff, kubectl kustomize), and the install publishes the addresses it tells the reader to look at.</summary>
public sealed class GettingStartedDocTests
{
    private static readonly MarkdownDoc Doc = MarkdownDoc.Load("docs/getting-started.md");

    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(Doc, sandbox, atLeast: 8);
    }

    [TestCase("base")]
    [TestCase("overlays/envoy")]
    [TestCase("overlays/static-nginx")]
    public void The_install_publishes_the_load_balancer_Service_into_Ingress_status(string variant)
    {
        var objects = DeployObjects.Load(variant);
        var service = objects.OfType<V1Service>().Single(s => s.Spec.Type == "LoadBalancer");
        Assert.That(DeploySettings.Load(objects).Status.PublishService, Is.EqualTo($"{service.Namespace()}/{service.Name()}"));
    }
}
