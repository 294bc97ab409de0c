using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;

namespace Portico.Envoy.Tests;

/// <summary>A rendered Envoy configuration parsed (strictly) into Envoy's own message types, for assertions.</summary>
internal sealed class EnvoyParsed
{
    public EnvoyParsed(RenderedConfig config)
    {
        Config = config;
        Bootstrap = (Bootstrap)EnvoyCases.Parse(config, EnvoyRenderer.BootstrapFile);
        Listeners = Resources<Listener>(EnvoyRenderer.ListenersFile);
        Clusters = Resources<Cluster>(EnvoyRenderer.ClustersFile);
        HttpRoutes = Resources<RouteConfiguration>(EnvoyRenderer.HttpRoutesFile).Single();
        HttpsRoutes = Resources<RouteConfiguration>(EnvoyRenderer.HttpsRoutesFile).Single();
    }

    public RenderedConfig Config { get; }

    public Bootstrap Bootstrap { get; }

    public IReadOnlyList<Listener> Listeners { get; }

    public IReadOnlyList<Cluster> Clusters { get; }

    public RouteConfiguration HttpRoutes { get; }

    public RouteConfiguration HttpsRoutes { get; }

    public Listener Listener(string name) => Listeners.Single(l => l.Name == name);

    public Cluster Cluster(string name) => Clusters.Single(c => c.Name == name);

    public static HttpConnectionManager Hcm(FilterChain chain) =>
        (HttpConnectionManager)EnvoyTypes.Unpack(chain.Filters.Single().TypedConfig)!;

    public static DownstreamTlsContext Tls(FilterChain chain) =>
        (DownstreamTlsContext)EnvoyTypes.Unpack(chain.TransportSocket.TypedConfig)!;

    public DiscoveryResponse Response(string path) => (DiscoveryResponse)EnvoyCases.Parse(Config, path);

    private List<T> Resources<T>(string path)
        where T : IMessage =>
        [.. Response(path).Resources.Select(EnvoyTypes.Unpack).Cast<T>()];
}
