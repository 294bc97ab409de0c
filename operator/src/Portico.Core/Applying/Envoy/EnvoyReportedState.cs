using System.Collections.Immutable;
using System.Text.Json;

namespace Portico.Core.Applying.Envoy;

/// <summary>
/// What Envoy's admin API says it runs: the version_info of its LDS and CDS subscriptions (each advanced only when an
/// update applied a change), the version of each RDS route configuration it holds, and which listeners are still
/// warming or failed their last update. Parsed from three small <c>/config_dump</c> answers (see
/// <see cref="EnvoyAdminProbe"/>); an empty version means nothing was ever applied.
/// </summary>
internal sealed record EnvoyReportedState(
    string Listeners,
    string Clusters,
    ImmutableDictionary<string, string> Routes,
    ImmutableArray<string> WarmingListeners,
    ImmutableArray<string> FailedListeners)
{
    private const string AdminTypePrefix = "type.googleapis.com/envoy.admin.v3.";

    /// <summary>
    /// Reads the answers to <c>?mask=version_info</c>, <c>?resource=dynamic_route_configs&amp;mask=...</c> and
    /// <c>?resource=dynamic_listeners&amp;mask=...</c>. Throws <see cref="JsonException"/> when one is not a config dump.
    /// </summary>
    public static EnvoyReportedState Parse(JsonElement versions, JsonElement routes, JsonElement listeners)
    {
        string lds = string.Empty, cds = string.Empty;
        foreach (var config in Configs(versions))
        {
            switch (TypeOf(config))
            {
                case AdminTypePrefix + "ListenersConfigDump":
                    lds = Text(config, "version_info");
                    break;
                case AdminTypePrefix + "ClustersConfigDump":
                    cds = Text(config, "version_info");
                    break;
            }
        }

        var routeVersions = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var config in Configs(routes).Where(c => TypeOf(c) == AdminTypePrefix + "RoutesConfigDump.DynamicRouteConfig"))
        {
            if (config.TryGetProperty("route_config", out var routeConfig) && Text(routeConfig, "name") is { Length: > 0 } name)
            {
                routeVersions[name] = Text(config, "version_info");
            }
        }

        var warming = ImmutableArray.CreateBuilder<string>();
        var failed = ImmutableArray.CreateBuilder<string>();
        foreach (var config in Configs(listeners).Where(c => TypeOf(c) == AdminTypePrefix + "ListenersConfigDump.DynamicListener"))
        {
            string name = Text(config, "name");
            if (config.TryGetProperty("warming_state", out _))
            {
                warming.Add(name);
            }

            if (config.TryGetProperty("error_state", out _))
            {
                failed.Add(name);
            }
        }

        return new EnvoyReportedState(lds, cds, routeVersions.ToImmutable(), warming.ToImmutable(), failed.ToImmutable());
    }

    private static IEnumerable<JsonElement> Configs(JsonElement dump)
    {
        if (dump.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a config dump is a JSON object");
        }

        // Proto JSON leaves an empty list out: {} is a dump with no configs.
        return dump.TryGetProperty("configs", out var configs) && configs.ValueKind == JsonValueKind.Array ? Items(configs) : [];
    }

    private static IEnumerable<JsonElement> Items(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            yield return item;
        }
    }

    private static string TypeOf(JsonElement config) => config.ValueKind == JsonValueKind.Object ? Text(config, "@type") : string.Empty;

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
