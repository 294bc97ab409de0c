namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The http-level blocks servers' policies name while their views are built: traffic (rate zones, the connection
/// zone, CORS and header maps) and endpoint-choice maps. Every block is keyed by its content, so blocks gathered per
/// server and merged (<see cref="Include"/>) equal blocks gathered for all servers at once.
/// </summary>
internal sealed record NginxHttpBlocks(NginxTraffic Traffic, NginxEndpointMaps Maps)
{
    /// <summary>
    /// No blocks: what a memo entry keeps for a host whose policies name none, instead of its own empty collections
    /// (~500 bytes each, 5 MiB at 10,000 hosts, issue 13). Only ever read (included into others), never gathered into.
    /// </summary>
    public static NginxHttpBlocks None { get; } = new(new NginxTraffic(), new NginxEndpointMaps());

    public static NginxHttpBlocks Gathering() => new(new NginxTraffic(), new NginxEndpointMaps());

    public bool IsEmpty => Traffic.IsEmpty && Maps.Cookies.Count == 0 && Maps.Affinities.Count == 0;

    /// <summary>These blocks, or <see cref="None"/> when there are none: for keeping once gathering is over.</summary>
    public NginxHttpBlocks Kept() => IsEmpty ? None : this;

    public void Include(NginxHttpBlocks other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, None))
        {
            throw new InvalidOperationException("NginxHttpBlocks.None is shared and never gathered into");
        }

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
