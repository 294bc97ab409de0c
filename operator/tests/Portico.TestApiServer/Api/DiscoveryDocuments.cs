using System.Text.Json.Nodes;
using Portico.TestApiServer.Resources;

namespace Portico.TestApiServer.Api;

/// <summary>
/// The legacy discovery documents (/api, /apis, /apis/{group}, /api/v1, /apis/{group}/{version}) and /version,
/// enough for kubectl and for clients that discover resources before using them.
/// </summary>
internal static class DiscoveryDocuments
{
    private static readonly string[] ResourceVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] StatusVerbs = ["get", "patch", "update"];

    /// <summary>The document at the path, or null when there is none (404).</summary>
    public static JsonNode? Find(string[] segments, string serverAddress, ServedResources resources) => segments switch
    {
        ["version"] => new JsonObject
        {
            ["major"] = "1",
            ["minor"] = "34",
            ["gitVersion"] = "v1.34.0-portico-test-apiserver",
            ["platform"] = "linux/amd64",
        },
        ["api"] => new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
        },
        ["apis"] => new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(Groups(resources).Select(g => (JsonNode)Group(g, resources)).ToArray()),
        },
        ["apis", var group] when Groups(resources).Contains(group) => Group(group, resources),
        ["api", "v1"] => ResourceList(string.Empty, "v1", resources),
        ["apis", var group, var version] when resources.GroupVersions.Contains((group, version)) => ResourceList(group, version, resources),
        _ => null,
    };

    private static IEnumerable<string> Groups(ServedResources resources) =>
        resources.GroupVersions.Select(g => g.Group).Where(g => g.Length > 0).Distinct();

    private static JsonObject Group(string group, ServedResources resources)
    {
        var versions = resources.GroupVersions.Where(g => g.Group == group)
            .Select(g => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{g.Version}", ["version"] = g.Version })
            .ToArray();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions),
            ["preferredVersion"] = versions[0].DeepClone(),
        };
    }

    private static JsonObject ResourceList(string group, string version, ServedResources served)
    {
        var resources = new JsonArray();
        foreach (var resource in served.All.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = new JsonArray(ResourceVerbs.Select(v => (JsonNode)v).ToArray()),
                ["shortNames"] = new JsonArray(resource.ShortNames.Select(s => (JsonNode)s).ToArray()),
            });
            if (resource.HasStatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = resource.Plural + "/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = resource.Namespaced,
                    ["kind"] = resource.Kind,
                    ["verbs"] = new JsonArray(StatusVerbs.Select(v => (JsonNode)v).ToArray()),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
