using System.Text;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Rendering.Nginx;
using Portico.TestSupport;

namespace Portico.Tests.Rendering;

/// <summary>An endpoint change rewrites only its upstreams' lines of the live file, and the file equals one written whole.</summary>
public sealed class NginxEndpointsFileTests
{
    private static readonly BuildOptions Options = new() { EnableExternalNameServices = true };
    private static readonly byte[][] ViewLines = [.. new[] { "!host site.test", "~route a.test /", "zzz-view-line" }.Select(System.Text.Encoding.ASCII.GetBytes)];

    [Test]
    public void Replacing_changed_upstream_lines_equals_rendering_the_file_whole()
    {
        var store = World();
        var before = ModelBuilder.Build(store.Snapshot(), Options);
        var (_, _, lines) = NginxEndpointsFile.Render(before, ViewLines);

        store.Upsert(Kube.Slice("api", "http", 8080, ["10.0.0.7", "10.0.0.3"], name: "api-a"));
        var after = ModelBuilder.Build(store.Snapshot(), Options);
        string[] changed = [.. after.Upstreams.Where(u => !before.Upstreams.Contains(u)).Select(u => u.Name)];
        Assert.That(changed, Has.Length.EqualTo(1), "one upstream changed");

        var replaced = NginxEndpointsFile.WithUpstreams(lines, after, changed);
        var whole = NginxEndpointsFile.Render(after, ViewLines);

        Assert.That(replaced, Is.Not.Null, "the changed line is replaced in place");
        Assert.That(Encoding.ASCII.GetString(replaced!.Value.File.Content), Is.EqualTo(Encoding.ASCII.GetString(whole.File.Content)));
        Assert.That(replaced.Value.Version, Is.EqualTo(whole.Version));
        Assert.That(replaced.Value.Lines.Lines, Is.EqualTo(whole.Lines.Lines));
        Assert.That(lines.Lines, Is.Not.EqualTo(whole.Lines.Lines), "the previous lines are not changed in place");
    }

    [Test]
    public void An_upstream_not_in_the_previous_file_or_an_external_name_falls_back_to_the_whole_file()
    {
        var store = World();
        var model = ModelBuilder.Build(store.Snapshot(), Options);
        var (_, _, lines) = NginxEndpointsFile.Render(model, ViewLines);

        Assert.That(NginxEndpointsFile.WithUpstreams(lines, model, ["default_nothere_80"]), Is.Null, "unknown upstream");
        string external = model.Upstreams.Single(u => u.ExternalName is not null).Name;
        Assert.That(NginxEndpointsFile.WithUpstreams(lines, model, [external]), Is.Null, "ExternalName upstreams have no line");
        Assert.That(NginxEndpointsFile.WithUpstreams(lines with { UpstreamLines = null }, model, [model.Upstreams[0].Name]), Is.Null, "no index");
    }

    private static ObjectStore World()
    {
        var store = new ObjectStore();
        store.Upsert(Kube.IngressClass("portico"));
        foreach (string name in new[] { "web", "api" })
        {
            store.Upsert(Kube.Service(name, "default", ("http", 80)));
            store.Upsert(Kube.Slice(name, "http", 8080, ["10.0.0.1"], name: name + "-a"));
        }

        store.Upsert(Kube.ExternalNameService("outside", "example.org"));
        store.Upsert(Kube.Ingress("site")
            .WithPath("site.test", "/", "Prefix", "web", 80)
            .WithPath("site.test", "/api", "Prefix", "api", 80)
            .WithPath("site.test", "/out", "Prefix", "outside", 80));
        return store;
    }
}
