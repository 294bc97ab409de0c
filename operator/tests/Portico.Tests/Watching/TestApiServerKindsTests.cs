using System.Text.Json;
using Portico.Core.Kubernetes;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Tests.Watching;

/// <summary>
/// The test API server keeps its own table of built-in resources (with their server-side rules); this holds it to
/// the kind registry, so the two cannot drift: every registered kind is served at the registry's path, as the
/// registry's kind, namespaced exactly when the registry says so.
/// </summary>
public sealed class TestApiServerKindsTests
{
    [Test]
    public async Task Every_registered_kind_is_served_where_the_registry_says()
    {
        await using var api = await Api.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        // Optional custom kinds are served only once their CRD is "installed" (ServeCustomResource), as in a cluster.
        foreach (var kind in KindRegistry.Default.Kinds.Where(k => k.Requirement == KindRequirement.Required))
        {
            string root = kind.Group.Length == 0 ? $"api/{kind.Version}" : $"apis/{kind.Group}/{kind.Version}";
            using var list = JsonDocument.Parse(await http.GetStringAsync($"{root}/{kind.Resource}"));
            Assert.That(list.RootElement.GetProperty("kind").GetString(), Is.EqualTo(kind.Kind + "List"), kind.ToString());

            using var discovery = JsonDocument.Parse(await http.GetStringAsync(root));
            var resource = discovery.RootElement.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == kind.Resource);
            Assert.That(resource.GetProperty("namespaced").GetBoolean(), Is.EqualTo(kind.Namespaced), kind.ToString());
            Assert.That(resource.GetProperty("kind").GetString(), Is.EqualTo(kind.Kind), kind.ToString());
        }
    }
}
