using System.Collections.Immutable;
using System.Text.Json;
using Portico.Core.Files;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;

namespace Portico.Core.Applying.Envoy;

/// <summary>
/// What Envoy reports once it runs one staged version: the version_info of that version's lds.json and cds.json, and
/// of the RDS file behind each route configuration its listeners ask for. Each discovery file's version is the hash
/// of its own content, so these equal what Envoy reports exactly when Envoy runs this version's resources, whether it
/// applied them just now or already ran identical ones (Envoy skips an unchanged resource and keeps its old version,
/// which is then the same string). Read once per version directory: a staged version never changes.
/// </summary>
internal sealed record EnvoyStagedVersion(
    string ConfigHash,
    string Listeners,
    string Clusters,
    bool HasClusters,
    ImmutableDictionary<string, string> Routes)
{
    /// <summary>True when <paramref name="reported"/> is this version fully in effect: nothing warming, nothing refused.</summary>
    public bool IsRunBy(EnvoyReportedState reported)
    {
        ArgumentNullException.ThrowIfNull(reported);
        return reported.Listeners == Listeners
            // Envoy sets the CDS version only when it applied something: an empty cds.json at start leaves it empty.
            && (reported.Clusters == Clusters || (!HasClusters && reported.Clusters.Length == 0))
            // Route configurations no listener of this version asks for may still be listed while old listeners drain.
            && Routes.All(route => reported.Routes.TryGetValue(route.Key, out string? version) && version == route.Value)
            && reported.WarmingListeners.IsEmpty
            && reported.FailedListeners.IsEmpty;
    }

    /// <summary>
    /// Reads a staged version directory. Null when it does not hold a complete Envoy configuration (then Envoy cannot
    /// be running it either): files missing, not JSON, or a listener asking for a route configuration no file holds.
    /// </summary>
    public static EnvoyStagedVersion? Read(string versionDirectory)
    {
        var files = new ConfinedDirectory(versionDirectory).ReadAll();
        if (!files.TryGetValue(EnvoyRenderer.ListenersFile, out byte[]? lds) || !files.TryGetValue(EnvoyRenderer.ClustersFile, out byte[]? cds))
        {
            return null;
        }

        try
        {
            using var listeners = JsonDocument.Parse(lds);
            using var clusters = JsonDocument.Parse(cds);
            var routes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var (name, path) in RouteSources(listeners.RootElement))
            {
                if (EnvoyRenderer.RenderedPath(path) is not { } rendered || !files.TryGetValue(rendered, out byte[]? rds))
                {
                    return null;
                }

                using var routeFile = JsonDocument.Parse(rds);
                if (!Resources(routeFile.RootElement).Any(r => Text(r, "name") == name))
                {
                    return null;
                }

                routes[name] = Text(routeFile.RootElement, "version_info");
            }

            var hashed = files.Select(f => new RenderedFile(f.Key, f.Value, IsPrivate: false));
            return new EnvoyStagedVersion(
                RenderedConfig.HashOf(hashed),
                Text(listeners.RootElement, "version_info"),
                Text(clusters.RootElement, "version_info"),
                Resources(clusters.RootElement).Any(),
                routes.ToImmutable());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every (route_config_name, RDS file path) the listeners' HTTP connection managers read.</summary>
    private static IEnumerable<(string Name, string Path)> RouteSources(JsonElement listenersFile)
    {
        foreach (var listener in Resources(listenersFile))
        {
            var chains = Array(listener, "filter_chains").ToList();
            if (listener.TryGetProperty("default_filter_chain", out var defaultChain))
            {
                chains.Add(defaultChain);
            }

            foreach (var filter in chains.SelectMany(c => Array(c, "filters")))
            {
                if (filter.TryGetProperty("typed_config", out var typed) && typed.ValueKind == JsonValueKind.Object
                    && typed.TryGetProperty("rds", out var rds) && rds.ValueKind == JsonValueKind.Object
                    && rds.TryGetProperty("config_source", out var source) && source.ValueKind == JsonValueKind.Object
                    && source.TryGetProperty("path_config_source", out var pathSource))
                {
                    yield return (Text(rds, "route_config_name"), Text(pathSource, "path"));
                }
            }
        }
    }

    private static IEnumerable<JsonElement> Resources(JsonElement discoveryFile) => Array(discoveryFile, "resources");

    private static IEnumerable<JsonElement> Array(JsonElement element, string property)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                yield return item;
            }
        }
    }

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
