using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;

namespace Portico.Envoy.Schema;

/// <summary>
/// What Envoy checks across resources when it loads them, and what only holds across Portico's files: every path a
/// config source or data source names is a rendered file read through the link "current/" (Envoy's working directory
/// is the shared root), every config source watches that root, each RDS file holds exactly the one route configuration its
/// listeners ask for, every cluster a route names exists, and names and domains are unique where Envoy needs them
/// unique (listeners, clusters, filter chains, server names, virtual hosts and their domains).
/// </summary>
internal sealed class EnvoyReferenceCheck
{
    private readonly RenderedConfig _config;
    private readonly Dictionary<string, IMessage> _parsed;
    private readonly List<string> _problems;

    public EnvoyReferenceCheck(RenderedConfig config, Dictionary<string, IMessage> parsed, List<string> problems)
    {
        _config = config;
        _parsed = parsed;
        _problems = problems;
    }

    public void Run()
    {
        if (!_parsed.TryGetValue(EnvoyRenderer.BootstrapFile, out var bootstrapMessage) || bootstrapMessage is not Bootstrap bootstrap)
        {
            return;
        }

        string bootstrapFile = EnvoyRenderer.BootstrapFile;
        if (bootstrap.Admin?.Address?.SocketAddress is not { } admin || !System.Net.IPAddress.TryParse(admin.Address, out var adminAddress) || !System.Net.IPAddress.IsLoopback(adminAddress))
        {
            _problems.Add($"{bootstrapFile}: admin must listen on a loopback address");
        }

        var clusters = Resources<Cluster>(PathOf(bootstrap.DynamicResources?.CdsConfig, bootstrapFile, "cds_config"));
        var listeners = Resources<Listener>(PathOf(bootstrap.DynamicResources?.LdsConfig, bootstrapFile, "lds_config"));
        Unique(clusters.Select(c => c.Name), EnvoyRenderer.ClustersFile, "cluster name");
        Unique(listeners.Select(l => l.Name), EnvoyRenderer.ListenersFile, "listener name");
        var clusterNames = clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var listener in listeners)
        {
            string where = $"listener {listener.Name}";
            var chains = listener.FilterChains.Concat(listener.DefaultFilterChain is null ? [] : [listener.DefaultFilterChain]).ToList();
            if (chains.Count == 0)
            {
                _problems.Add($"{where}: has no filter chain");
            }

            Unique(chains.Where(c => c.Name.Length > 0).Select(c => c.Name), where, "filter chain name");
            Unique(listener.FilterChains.SelectMany(c => c.FilterChainMatch?.ServerNames ?? []), where, "server name");
            foreach (var chain in chains)
            {
                CheckTls(chain, where);
                foreach (var filter in chain.Filters)
                {
                    if (filter.TypedConfig is not null && EnvoyTypes.Unpack(filter.TypedConfig) is HttpConnectionManager hcm)
                    {
                        CheckRoutes(hcm, where, clusterNames);
                    }
                }
            }
        }
    }

    private void CheckTls(FilterChain chain, string where)
    {
        if (chain.TransportSocket?.TypedConfig is not { } typed || EnvoyTypes.Unpack(typed) is not DownstreamTlsContext tls)
        {
            return;
        }

        foreach (var certificate in tls.CommonTlsContext?.TlsCertificates ?? [])
        {
            foreach (var source in new[] { certificate.CertificateChain, certificate.PrivateKey })
            {
                if (source is null || source.SpecifierCase != DataSource.SpecifierOneofCase.Filename)
                {
                    _problems.Add($"{where}: filter chain {chain.Name}: certificates must come from files");
                }
                else if (EnvoyRenderer.RenderedPath(source.Filename) is not { } rendered)
                {
                    _problems.Add($"{where}: filter chain {chain.Name}: {source.Filename} is not read through {EnvoyRenderer.ConfigLink}/");
                }
                else if (_config[rendered] is null)
                {
                    _problems.Add($"{where}: filter chain {chain.Name}: {source.Filename} is not a rendered file");
                }
            }
        }
    }

    private void CheckRoutes(HttpConnectionManager hcm, string where, HashSet<string> clusterNames)
    {
        if (hcm.RouteSpecifierCase != HttpConnectionManager.RouteSpecifierOneofCase.Rds)
        {
            _problems.Add($"{where}: routes must come from an RDS file");
            return;
        }

        string rdsPath = PathOf(hcm.Rds.ConfigSource, where, "rds.config_source");
        var configurations = Resources<RouteConfiguration>(rdsPath);
        if (configurations.Count != 1 || configurations[0].Name != hcm.Rds.RouteConfigName)
        {
            // Envoy's RDS over a file takes exactly one resource, named as the listener asks.
            _problems.Add($"{rdsPath}: must hold exactly one route configuration, named {hcm.Rds.RouteConfigName}");
            return;
        }

        var routes = configurations[0];
        Unique(routes.VirtualHosts.Select(v => v.Name), rdsPath, "virtual host name");
        Unique(routes.VirtualHosts.SelectMany(v => v.Domains), rdsPath, "domain");
        foreach (var host in routes.VirtualHosts)
        {
            foreach (var route in host.Routes)
            {
                var named = route.Route_ is not { } action ? []
                    : action.ClusterSpecifierCase == RouteAction.ClusterSpecifierOneofCase.WeightedClusters ? action.WeightedClusters.Clusters.Select(c => c.Name)
                    : [action.Cluster];
                foreach (string cluster in named.Where(c => !clusterNames.Contains(c)))
                {
                    _problems.Add($"{rdsPath}: virtual host {host.Name}: route to cluster {cluster}, which cds does not define");
                }
            }
        }
    }

    /// <summary>The rendered file a config source reads (through the link), which must be a discovery file that parsed.</summary>
    private string PathOf(ConfigSource? source, string where, string field)
    {
        if (source?.PathConfigSource is not { } path)
        {
            _problems.Add($"{where}: {field} must be a path_config_source");
            return string.Empty;
        }

        string? rendered = EnvoyRenderer.RenderedPath(path.Path);
        if (rendered is null)
        {
            _problems.Add($"{where}: {field} reads {path.Path}, which is not read through {EnvoyRenderer.ConfigLink}/ (the link the applier swaps)");
        }
        else if (!_parsed.ContainsKey(rendered))
        {
            _problems.Add($"{where}: {field} reads {path.Path}, which is not a rendered discovery file");
        }

        if (path.WatchedDirectory?.Path != EnvoyRenderer.WatchedDirectory)
        {
            _problems.Add($"{where}: {field} must watch \"{EnvoyRenderer.WatchedDirectory}\" (the directory holding {EnvoyRenderer.ConfigLink}), or swapping the link is not picked up");
        }

        return rendered ?? string.Empty;
    }

    private List<T> Resources<T>(string path)
        where T : IMessage
    {
        if (!_parsed.TryGetValue(path, out var message) || message is not DiscoveryResponse response)
        {
            return [];
        }

        return [.. response.Resources.Select(EnvoyTypes.Unpack).OfType<T>()];
    }

    private void Unique(IEnumerable<string> values, string where, string what)
    {
        foreach (var duplicate in values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            _problems.Add($"{where}: {what} {duplicate.Key} appears {duplicate.Count()} times");
        }
    }
}
