namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The http-level blocks servers' policies name while their views are built: traffic (rate zones, the connection
/// zone, CORS and header maps) and endpoint-choice maps. Every block is keyed by its content, so blocks gathered per
/// server and merged (<see cref="Include"/>) equal blocks gathered for all servers at once.
/// </summary>
internal sealed record NginxHttpBlocks(NginxTraffic Traffic, NginxEndpointMaps Maps)
{
    public void Include(NginxHttpBlocks other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Traffic.Include(other.Traffic);
        foreach (var (name, map) in other.Maps.Cookies)
        {
            Maps.Cookies.TryAdd(name, map);
        }

        foreach (var (name, map) in other.Maps.Affinities)
        {
            Maps.Affinities.TryAdd(name, map);
        }
    }
}
